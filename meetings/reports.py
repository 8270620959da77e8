"""One builder, several outputs: survey statistics and the meeting report feed the page, the PDF and the task.

Every figure is counted in the database; Python only folds histograms of at
most 101 score values. The meeting report runs a fixed number of queries
whatever the number of deputies, candidates or ballots.
"""

from __future__ import annotations

import hashlib
import math
import statistics
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Prefetch, Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from congress import charts, polls, safeguards
from congress.models import BallotSlot, SecretPoll
from congress.printing import pdf_from_html  # noqa: F401  # re-exported: the report task and the demo build with it
from deputies.models import Suggestion
from meetings import ratings
from meetings.models import AgendaItem, Attendee, DeliberationOpinion, Meeting, Report, SatisfactionSurvey
from projects.models import Ballot, BallotCandidate
from projects.selectors import ballot_record, resident_ratings_for, result_rows

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


@dataclass
class AttendanceLine:
    """One line of the attendance summary: 应到 / 实到 / 请假 / 缺席 (and, while the meeting runs, 未签到)."""

    label: str
    expected: int = 0
    present: int = 0
    on_leave: int = 0
    absent: int = 0
    not_signed_in: int = 0
    left: int = 0  # signed in, then left the hall (离场)


@dataclass
class MeetingReport:
    meeting: Meeting
    agenda: list
    attendees: list
    members: int
    present: int
    on_leave: int
    ballots: list
    surveys: list
    opinions: list
    suggestions: list = field(default_factory=list)
    suggestion_counts: dict = field(default_factory=dict)
    gathered: list = field(default_factory=list)
    past: bool = False  # held and over: whoever did not sign in was absent
    attendance: list = field(default_factory=list)  # AttendanceLine for voting members, then fixed attendees
    groups_used: bool = False

    @property
    def quorum_reached(self) -> bool:
        return self.members > 0 and 2 * self.present > self.members

    @property
    def roster(self) -> list[tuple[str, list]]:
        """The appendix: voting members, then fixed attendees, two to a printed row (a roster of 180 on 2 pages)."""
        out = []
        for voting, label in ((True, _("Voting members")), (False, _("Fixed attendees"))):
            people = [a for a in self.attendees if a.voting == voting]
            if people:
                out.append((label, [people[i:i + 2] for i in range(0, len(people), 2)]))
        return out


def _attendance(attendees: list, *, past: bool) -> list[AttendanceLine]:
    """Counts per kind of attendee; each attendee also gets `shown_status`, the word the roster prints."""
    lines = {True: AttendanceLine(label=_("Voting members")), False: AttendanceLine(label=_("Fixed attendees"))}
    for a in attendees:
        line = lines[a.voting]
        line.expected += 1
        status = a.status
        if status == Attendee.Status.EXPECTED and past:
            status = Attendee.Status.ABSENT  # a past meeting has no one "expected" left
        # "expected" is no attendance: while the meeting runs it means not yet signed in
        a.shown_status = _("Not yet signed in") if status == Attendee.Status.EXPECTED else Attendee.Status(status).label
        if status == Attendee.Status.PRESENT:
            line.present += 1
        elif status == Attendee.Status.LEAVE:
            line.on_leave += 1
        elif status == Attendee.Status.ABSENT:
            line.absent += 1
        elif status == Attendee.Status.LEFT:
            line.left += 1
        else:
            line.not_signed_in += 1
    return [line for line in lines.values() if line.expected]


def meeting_report(meeting_id: int) -> MeetingReport:
    meeting = Meeting.objects.select_related("body__division", "session__term").get(pk=meeting_id)
    agenda = list(AgendaItem.objects.filter(meeting=meeting).order_by("order"))
    attendees = list(Attendee.objects.filter(meeting=meeting).select_related("person", "group")
                     .order_by("-voting", "person__name", "pk"))
    voting = [a for a in attendees if a.voting]
    ballots = list(
        # an agenda item's ballot and its run-off rounds (each printed as a ballot of its own, round 1 first)
        Ballot.objects.filter(Q(agenda_items__meeting=meeting) | Q(previous_round__agenda_items__meeting=meeting)
                              | Q(previous_round__previous_round__agenda_items__meeting=meeting),
                              poll__state__in=COUNTED)
        .select_related("poll", "result")
        .prefetch_related(
            Prefetch("candidates",
                     queryset=BallotCandidate.objects.select_related("project__category").order_by("position"))
        ).order_by("pk").distinct()
    )
    surveys = list(SatisfactionSurvey.objects.filter(meeting=meeting, poll__state__in=COUNTED)
                   .select_related("poll", "meeting__body").prefetch_related("items").order_by("pk"))
    stats = survey_stats(surveys)
    opinions = list(DeliberationOpinion.objects.filter(meeting=meeting).select_related("item").order_by("due_date", "pk"))
    suggestions = []
    if any(item.kind == AgendaItem.Kind.SUGGESTION_HANDLING for item in agenda):
        suggestions = suggestions_handling(meeting)
    past = meeting.state in (Meeting.State.SUMMARY, Meeting.State.CLOSED) or meeting.date < timezone.localdate()
    return MeetingReport(
        past=past, attendance=_attendance(attendees, past=past), groups_used=any(a.group_id for a in attendees),
        meeting=meeting, agenda=agenda, attendees=attendees, members=len(voting),
        present=sum(1 for a in voting if a.status == Attendee.Status.PRESENT),
        on_leave=sum(1 for a in attendees if a.status == Attendee.Status.LEAVE),
        ballots=[{"ballot": b, "rows": result_rows(b), "rec": b.result.data["reconciliation"],
                  "record": ballot_record(b.result.data["reconciliation"]),
                  "closing": _ballot_closing(b, meeting.body)} for b in ballots],
        surveys=[stats[s.pk] for s in surveys], opinions=opinions, suggestions=suggestions,
        suggestion_counts=_count_states(suggestions),
        gathered=list(meeting.gathered_opinions.select_related("category").order_by("reference")),
    )


def _ballot_closing(ballot: Ballot, body) -> safeguards.ClosingNote:
    rec = ballot.result.data["reconciliation"]
    return safeguards.closing_note(ballot.poll, voted=rec["web_voters"] + rec["paper_issued"],
                                   min_percent=body.min_close_turnout_percent)


def suggestions_handling(meeting: Meeting) -> list:
    """The body's deputies' suggestions of the meeting's year, for the suggestion-handling report: one query."""
    return list(Suggestion.objects.filter(body=meeting.body, submitted_on__year=meeting.date.year)
                .select_related("lead").order_by("submitted_on", "pk"))


def _count_states(suggestions) -> dict:
    counts = {}
    for s in suggestions:
        label = s.get_state_display()
        counts[label] = counts.get(label, 0) + 1
    return counts


def render_meeting_report(report: MeetingReport) -> str:
    return render_to_string("meetings/print/meeting_report.html", {"r": report})


def render_survey_report(stats: SurveyStats) -> str:
    return render_to_string("meetings/print/survey_report.html", {"s": stats, "meeting": stats.survey.meeting})


def checksum(html: str) -> str:
    return hashlib.sha256(html.encode()).hexdigest()


def survey_report_for(survey_id: int) -> tuple[SurveyStats, str]:
    survey = SatisfactionSurvey.objects.select_related("poll", "meeting__body").prefetch_related("items").get(pk=survey_id)
    stats = survey_stats([survey])[survey.pk]
    return stats, render_survey_report(stats)




def survey_recount(survey: SatisfactionSurvey) -> tuple[dict, dict]:
    """The survey's part of the verification: its statistics recomputed independently from the opened scores
    (Python's statistics module over the list, not the report's histogram), and its stored report's checksum."""
    stats, html = survey_report_for(survey.pk)
    rows = list(BallotSlot.objects.filter(poll_id=survey.poll_id).values_list("status", "score"))
    scores = sorted(s for st, s in rows if st == BallotSlot.Status.VALID)
    counts = {st: sum(1 for r in rows if r[0] == st) for st in BallotSlot.Status.values}
    figures = {"responded": len(rows), "blank": counts["blank"], "invalid": counts["invalid"], "scored": len(scores),
               "mean": stats.mean, "median": stats.median, "stdev": stats.stdev,
               "distribution": [[label, n] for label, n in stats.distribution]}
    exact = stats.responded == len(rows) and stats.blank == counts["blank"] and stats.invalid == counts["invalid"] \
        and stats.scored == len(scores) and sum(n for _l, n in stats.distribution) == len(scores)
    if survey.scale == SatisfactionSurvey.Scale.POINTS and scores:
        exact = exact and stats.mean == round(statistics.fmean(scores), 2) \
            and stats.median == float(statistics.median(scores)) \
            and stats.stdev == round(statistics.pstdev(scores), 2) \
            and (stats.minimum, stats.maximum) == (scores[0], scores[-1])
    checks = {"statistics_match_opened_scores": {"ok": exact}}
    report = survey.reports.filter(kind=Report.Kind.SURVEY, state=Report.State.DONE).order_by("-pk").first()
    if report is None:
        checks["report_stored"] = {"ok": False}
    else:
        checks["stored_checksum"] = {"ok": checksum(report.html) == report.content_checksum,
                                     "checksum": report.content_checksum}
        checks["recount_matches_report"] = {"ok": checksum(html) == report.content_checksum,
                                            "recount_checksum": checksum(html)}
    return checks, figures
