"""A deputy's duty record (履职档案), gathered from what is already kept: one builder for the page and the XLSX.

It lives at the top layer because it reads meetings as well as the deputies' own records.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

import tablib
from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from congress.models import CongressBody
from deputies.models import DutyActivity, Mandate, Person, Reception, ResidentOpinion, Suggestion
from meetings.models import Attendee, Inspection, Meeting
from meetings.points import person_points


@dataclass
class DutyRecord:
    person: Person
    start: datetime.date
    end: datetime.date
    attended: int = 0
    missed: int = 0
    on_leave: int = 0
    meetings: list = field(default_factory=list)
    suggestions: list = field(default_factory=list)
    receptions: int = 0
    residents_received: int = 0
    opinions: dict = field(default_factory=dict)
    activities: dict = field(default_factory=dict)
    pre_meeting_inspections: int = 0
    points: list = field(default_factory=list)  # [(body, PointsRow)], one per body the deputy sat in

    @property
    def points_total(self) -> int:
        return sum(row.total for _body, row in self.points)

    @property
    def opinions_total(self) -> int:
        return sum(self.opinions.values())

    @property
    def activity_rows(self) -> list[tuple[str, int]]:
        return [(str(label), self.activities.get(kind, 0)) for kind, label in DutyActivity.Kind.choices]


def duty_record(person: Person, start: datetime.date, end: datetime.date) -> DutyRecord:
    """Seven queries, whatever the deputy did (the points are added by add_points)."""
    rec = DutyRecord(person=person, start=start, end=end)
    rec.meetings = list(Attendee.objects.filter(person=person, meeting__date__range=(start, end))
                        .exclude(meeting__state=Meeting.State.PREPARATION)
                        .select_related("meeting__body").order_by("meeting__date"))
    for a in rec.meetings:
        if a.status == Attendee.Status.PRESENT:
            rec.attended += 1
        elif a.status == Attendee.Status.LEAVE:
            rec.on_leave += 1
        else:
            rec.missed += 1
    rec.suggestions = list(Suggestion.objects.filter(Q(lead=person) | Q(co_authors=person),
                                                     submitted_on__range=(start, end)).distinct()
                           .select_related("body").order_by("submitted_on"))
    agg = Reception.objects.filter(on_duty=person, date__range=(start, end)).aggregate(n=Count("pk"), r=Sum("residents"))
    rec.receptions, rec.residents_received = agg["n"], agg["r"] or 0
    rec.opinions = dict(ResidentOpinion.objects.filter(taken_by=person, received_at__date__range=(start, end))
                        .values_list("state").annotate(n=Count("pk")).order_by())
    rec.activities = dict(DutyActivity.objects.filter(participants=person, date__range=(start, end))
                          .values_list("kind").annotate(n=Count("pk")).order_by())
    rec.pre_meeting_inspections = Inspection.objects.filter(participants=person, date__range=(start, end)).count()
    return rec


def add_points(rec: DutyRecord) -> DutyRecord:
    """The duty points of the period in each body the deputy sat in (five queries a body), for the page and XLSX."""
    bodies = CongressBody.objects.filter(pk__in=Mandate.objects.filter(person=rec.person, start_date__lte=rec.end).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=rec.start)).values("term__body")).order_by("pk")
    rec.points = [(body, person_points(rec.person, body, rec.start, rec.end)) for body in bodies]
    return rec


def duty_dataset(rec: DutyRecord) -> tablib.Databook:
    summary = tablib.Dataset(headers=[_("Item"), _("Count")])
    rows = [
        (_("Meetings attended"), rec.attended), (_("Meetings missed"), rec.missed), (_("Meetings on leave"), rec.on_leave),
        (_("Suggestions"), len(rec.suggestions)), (_("Reception days on duty"), rec.receptions),
        (_("Residents received"), rec.residents_received), (_("Opinions taken in"), rec.opinions_total),
        (_("Pre-meeting inspections"), rec.pre_meeting_inspections),
    ]
    for kind, label in DutyActivity.Kind.choices:
        rows.append((str(label), rec.activities.get(kind, 0)))
    for state, label in ResidentOpinion.State.choices:
        rows.append((f"{_('Opinions')}: {label}", rec.opinions.get(state, 0)))
    for body, row in rec.points:
        rows.append((f"{_('Duty points')}: {body.name}", row.total))
    for label, n in rows:
        summary.append([str(label), n])
    summary.title = str(_("Summary"))[:31]
    meetings = tablib.Dataset(headers=[_("Date"), _("Meeting"), _("Attendance")])
    for a in rec.meetings:
        meetings.append([a.meeting.date.isoformat(), a.meeting.title, a.get_status_display()])
    meetings.title = str(_("Meetings"))[:31]
    sugg = tablib.Dataset(headers=[_("Date"), _("Title"), _("State")])
    for s in rec.suggestions:
        sugg.append([s.submitted_on.isoformat(), s.title, s.get_state_display()])
    sugg.title = str(_("Suggestions"))[:31]
    return tablib.Databook([summary, meetings, sugg])
