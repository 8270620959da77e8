"""The survey as scoring needs it, and the survey statistics that the survey report page, the hall screen and the
printed report all show (one builder, several outputs).

Every figure is counted in the database; Python only folds histograms of at most 101 score values.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count

from congress import charts, polls, safeguards
from congress.models import BallotSlot, SecretPoll
from meetings import ratings
from meetings.models import SatisfactionSurvey
from projects.selectors import resident_ratings_for


def _survey_for_scoring(pk):
    return SatisfactionSurvey.objects.select_related("poll", "meeting").get(pk=pk)


_scoring = polls.CastingCache(_survey_for_scoring)


def survey_for_scoring(pk, fresh: bool = False) -> SatisfactionSurvey:
    """The survey and its poll: all a score needs. Kept by the process while the poll is open (see
    `polls.CastingCache`); else one query."""
    return _scoring.get(pk, fresh)


# --- survey statistics ---------------------------------------------------------------------------------------

COUNTED = (SecretPoll.State.TALLIED, SecretPoll.State.CERTIFIED)


@dataclass
class SurveyStats:
    survey: SatisfactionSurvey
    present: int = 0
    responded: int = 0
    blank: int = 0
    invalid: int = 0
    scored: int = 0
    mean: float | None = None
    median: float | None = None
    minimum: int | None = None
    maximum: int | None = None
    stdev: float | None = None
    satisfied_rate: float | None = None
    distribution: list = field(default_factory=list)
    bands: list = field(default_factory=list)
    previous_mean: float | None = None
    previous_subject_meeting: str = ""
    previous_meaningful: bool = True
    min_responses: int = 0
    closing: safeguards.ClosingNote | None = None
    chart_svg: str = ""
    # three-level ratings: one line per item, the base its rule counts against, and the attendance line
    ratings: list = field(default_factory=list)
    rating_base: int = 0
    rating_needed: int = 0
    members: int = 0

    residents: dict | None = None  # residents' ratings of the survey's project (民生码), if it has one

    @property
    def quorum(self) -> polls.Quorum:
        """实到 X 人，符合法定人数: the voting members present when scoring opened, out of all voting members."""
        return polls.Quorum(members=self.members, present=self.present)

    @property
    def rating_areas(self) -> list[tuple[str, list]]:
        """The rated items grouped by area, in the order of the form."""
        out = []
        for line in self.ratings:
            if not out or out[-1][0] != line.area:
                out.append((line.area, []))
            out[-1][1].append(line)
        return out

    @property
    def rate(self) -> float:
        return round(100.0 * self.responded / self.present, 1) if self.present else 0.0

    @property
    def meaningful(self) -> bool:
        """Enough scored responses for the figures to say something (see `min_responses_for`)."""
        return self.scored >= self.min_responses

    @property
    def comparison_meaningful(self) -> bool:
        return self.meaningful and self.previous_meaningful

    @property
    def change(self) -> float | None:
        if self.mean is None or self.previous_mean is None:
            return None
        return round(self.mean - self.previous_mean, 1)


@dataclass
class RatingLine:
    """One rated item: its votes at each level and its verdict by the survey's rule."""

    area: str
    title: str
    satisfied: int
    basic: int
    dissatisfied: int
    verdict: str

    @property
    def verdict_label(self) -> str:
        return str(ratings.LABELS[self.verdict])


def _fold_ratings(stats: SurveyStats, valid: int) -> None:
    """The per-item counts of a ratings survey, from the opened ballots' masks: one aggregate query."""
    survey = stats.survey
    items = list(survey.items.all())
    counts = polls.count_positions(survey.poll, max((i.position for i in items), default=-1) + 1)
    stats.scored = valid
    stats.members = survey.quorum_members or 0
    base = stats.members if survey.rating_base == SatisfactionSurvey.RatingBase.MEMBERS else stats.present
    stats.rating_base, stats.rating_needed = base, ratings.votes_needed(base, survey.rating_percent)
    for item in items:
        n = counts[item.position]
        stats.ratings.append(RatingLine(
            area=item.area, title=item.title, satisfied=n["for"], basic=n["abstain"], dissatisfied=n["against"],
            verdict=ratings.verdict(satisfied=n["for"], basic=n["abstain"], base=base, percent=survey.rating_percent)))
    verdicts = [line.verdict for line in stats.ratings]
    stats.distribution = [(str(ratings.LABELS[v]), verdicts.count(v)) for v in ratings.LABELS]
    stats.chart_svg = charts.bar_chart([d[0] for d in stats.distribution], [d[1] for d in stats.distribution],
                                       title=survey.subject)


def min_responses_for(electors: int) -> int:
    """The scored responses a survey needs before its figures, and its comparison with the last survey, mean
    anything: at least settings.SURVEY_MIN_RESPONSES, and at least settings.SURVEY_MIN_RESPONSE_PERCENT of its
    electors (the voting members present when scoring opened)."""
    return max(settings.SURVEY_MIN_RESPONSES, math.ceil(settings.SURVEY_MIN_RESPONSE_PERCENT * electors / 100))


def _median(hist: dict[int, int], n: int) -> float:
    def kth(k):
        seen = 0
        for value in sorted(hist):
            seen += hist[value]
            if seen > k:
                return value
        return max(hist)

    return float(kth(n // 2)) if n % 2 else (kth(n // 2 - 1) + kth(n // 2)) / 2


def _fold(stats: SurveyStats, hist: dict[int, int]) -> None:
    survey = stats.survey
    n = sum(hist.values())
    stats.scored = n
    if survey.scale == SatisfactionSurvey.Scale.GRADES:
        grades = dict(SatisfactionSurvey.GRADES)
        stats.distribution = [(str(grades[g]), hist.get(g, 0)) for g in sorted(grades, reverse=True)]
        if n:
            stats.satisfied_rate = round(100.0 * (hist.get(2, 0) + hist.get(1, 0)) / n, 1)
    else:
        bins = [(f"{lo}–{lo + 9}" if lo < 90 else "90–100", lo, lo + 9 if lo < 90 else 100) for lo in range(0, 100, 10)]
        stats.distribution = [(label, sum(c for v, c in hist.items() if lo <= v <= hi)) for label, lo, hi in bins]
        bounds = list(survey.bands or SatisfactionSurvey.DEFAULT_BANDS)
        edges = [101, *bounds, 0]
        for upper, lower in zip(edges, edges[1:], strict=False):
            label = f"≥{lower}" if upper == 101 else (f"<{upper}" if lower == 0 else f"{lower}–{upper - 1}")
            count = sum(c for v, c in hist.items() if lower <= v < upper)
            stats.bands.append((label, count, round(100.0 * count / n, 1) if n else 0.0))
        if n:
            total = sum(v * c for v, c in hist.items())
            stats.mean = round(total / n, 2)
            stats.minimum, stats.maximum = min(hist), max(hist)
            stats.median = _median(hist, n)
            var = sum(c * (v - total / n) ** 2 for v, c in hist.items()) / n
            stats.stdev = round(math.sqrt(var), 2)
    stats.chart_svg = charts.bar_chart([d[0] for d in stats.distribution], [d[1] for d in stats.distribution],
                                       title=survey.subject)


def survey_stats(surveys: list[SatisfactionSurvey]) -> dict[int, SurveyStats]:
    """Statistics for many surveys in five queries."""
    if not surveys:
        return {}
    poll_ids = [s.poll_id for s in surveys]
    hist = defaultdict(dict)
    for poll_id, score, n in (BallotSlot.objects.filter(poll_id__in=poll_ids, status=BallotSlot.Status.VALID)
                              .values_list("poll_id", "score").annotate(n=Count("pk")).order_by()):
        hist[poll_id][score] = n
    statuses = defaultdict(dict)
    for poll_id, status, n in (BallotSlot.objects.filter(poll_id__in=poll_ids)
                               .values_list("poll_id", "status").annotate(n=Count("pk")).order_by()):
        statuses[poll_id][status] = n
    residents = resident_ratings_for([s.project_id for s in surveys if s.project_id])
    out = {}
    for s in surveys:
        st = statuses[s.poll_id]
        present = s.quorum_present or 0
        stats = SurveyStats(survey=s, present=present, responded=sum(st.values()),
                            blank=st.get("blank", 0), invalid=st.get("invalid", 0),
                            min_responses=min_responses_for(present))
        stats.closing = safeguards.closing_note(s.poll, voted=stats.responded,
                                                min_percent=s.meeting.body.min_close_turnout_percent)
        stats.members = s.quorum_members or 0
        if s.scale == SatisfactionSurvey.Scale.RATINGS:
            _fold_ratings(stats, sum(hist[s.poll_id].values()))
        else:
            _fold(stats, hist[s.poll_id])
        stats.residents = residents.get(s.project_id)
        out[s.pk] = stats
    # the previous survey of the same subject in the same body, for the comparison
    earlier = list(
        SatisfactionSurvey.objects.filter(subject__in={s.subject for s in surveys}, poll__body__in={s.poll.body_id for s in surveys},
                                          poll__state__in=COUNTED, scale=SatisfactionSurvey.Scale.POINTS)
        .exclude(pk__in=[s.pk for s in surveys]).select_related("poll", "meeting").order_by("meeting__date", "pk")
    )
    previous = {}
    for s in surveys:
        candidates = [e for e in earlier if e.subject == s.subject and e.poll.body_id == s.poll.body_id
                      and (e.meeting.date, e.pk) < (s.meeting.date, s.pk)]
        if candidates:
            previous[s.pk] = candidates[-1]
    if previous:
        prev_hist = defaultdict(dict)
        for poll_id, score, n in (BallotSlot.objects.filter(poll_id__in=[p.poll_id for p in previous.values()],
                                                            status=BallotSlot.Status.VALID)
                                  .values_list("poll_id", "score").annotate(n=Count("pk")).order_by()):
            prev_hist[poll_id][score] = n
        for sid, p in previous.items():
            h = prev_hist[p.poll_id]
            n = sum(h.values())
            if n:
                out[sid].previous_mean = round(sum(v * c for v, c in h.items()) / n, 2)
                out[sid].previous_subject_meeting = p.meeting.title
                out[sid].previous_meaningful = n >= min_responses_for(p.quorum_present or 0)
    return out
