"""The printed reports: the meeting report assembled for print, the survey report, each rendered to HTML (and by
the report task to PDF), with its checksum and the survey's independent recount.

The survey statistics they print are the same read the pages show (meetings/selectors/surveys.py). The meeting report runs a
fixed number of queries whatever the number of deputies, candidates or ballots.
"""

from __future__ import annotations

import hashlib
import statistics
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from congress import safeguards
from congress.models import BallotSlot
from congress.printing import pdf_from_html  # noqa: F401  # re-exported: the report task and the demo build with it
from deputies.models import Suggestion
from meetings.models import AgendaItem, Attendee, DeliberationOpinion, Meeting, Report, SatisfactionSurvey
from meetings.selectors import (
    COUNTED,
    SurveyStats,
    min_responses_for,  # noqa: F401  # re-exported: survey_close in views.py reads it here
    survey_stats,
)
from projects.models import Ballot, BallotCandidate
from projects.selectors import ballot_record, result_rows


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
