"""Reads the overview pages share, each reading every app below: the city dashboard and a deputy's duty record.

Each is one builder for every output of its page (the dashboard page; the duty record's page and its XLSX), and
runs a fixed number of queries, whatever the row count.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

import tablib
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from congress.models import CongressBody, Division, SecretPoll
from congress.predicates import staff_scope_path
from deputies.models import DutyActivity, Mandate, Person, Reception, ResidentOpinion, Suggestion
from meetings.models import Attendee, Inspection, Meeting
from meetings.selectors import person_points
from projects.models import Ballot, Project

# --- the city dashboard of reform coverage and results: scoped like every staff page ----------------------------
HELD = (Meeting.State.CONVENING, Meeting.State.SUMMARY, Meeting.State.CLOSED)
MIDYEAR_KINDS = (Meeting.Kind.MIDYEAR_SESSION, Meeting.Kind.SPECIAL_REPORT, Meeting.Kind.SC_EXPANDED)
DELIBERATION_KINDS = (Meeting.Kind.DELIBERATION_MIDYEAR, Meeting.Kind.DELIBERATION_YEAREND)
VOTED_STATES = (Project.State.SELECTED, Project.State.IMPLEMENTATION, Project.State.COMPLETED, Project.State.EVALUATED)
TOWN_LEVELS = (Division.Level.TOWN, Division.Level.TOWNSHIP)


# the level a voting body's projects count at, as the dashboard names it
LEVEL_OF_KIND = {
    CongressBody.Kind.DISTRICT_CONGRESS: "district",
    CongressBody.Kind.TOWNSHIP_CONGRESS: "town",
    CongressBody.Kind.DELIBERATION_CONGRESS: "subdistrict",
}
LEVEL_LABELS = {"district": gettext_lazy("District level"), "town": gettext_lazy("Town level"),
                "subdistrict": gettext_lazy("Sub-district level")}


@dataclass
class DistrictRow:
    """One row of the table: a district/county, or the staff member's own division when it lies below one."""

    division: Division
    subdistricts_with_congress: int = 0
    deliberation_deputies: int = 0
    deliberation_meetings: int = 0
    votes_projects: bool = False
    towns: int = 0
    towns_voting: int = 0
    subdistricts_voting: int = 0
    midyear_meeting: bool = False
    towns_quarterly: int = 0
    district_projects: int = 0
    town_projects: int = 0
    subdistrict_projects: int = 0

    @property
    def projects(self) -> int:
        return self.district_projects + self.town_projects + self.subdistrict_projects


@dataclass
class Dashboard:
    scope: Division | None
    districts: int = 0
    subdistricts_with_congress: int = 0
    districts_with_deliberation: int = 0
    deliberation_deputies: int = 0
    deliberation_meetings: int = 0
    districts_voting: int = 0
    towns: int = 0
    towns_voting: int = 0
    subdistricts_voting: int = 0
    districts_midyear: int = 0
    towns_quarterly: int = 0
    districts_with_quarterly: int = 0
    district_projects: int = 0
    town_projects: int = 0
    subdistrict_projects: int = 0
    projects_by_year: list = field(default_factory=list)  # (year, level code, n)
    opinions: dict = field(default_factory=dict)  # state code -> n
    rows: list = field(default_factory=list)

    @property
    def towns_voting_share(self) -> float:
        return round(100.0 * self.towns_voting / self.towns, 1) if self.towns else 0.0

    @property
    def projects(self) -> int:
        return self.district_projects + self.town_projects + self.subdistrict_projects

    @property
    def projects_by_year_labelled(self) -> list[tuple[int, str, int]]:
        """The by-year table in words (never a raw code on the page)."""
        return [(year, LEVEL_LABELS[level], n) for year, level, n in self.projects_by_year]

    @property
    def opinion_outcomes(self) -> list[tuple[str, int]]:
        """Opinions per state, in the workflow's order, by their labels."""
        return [(state.label, self.opinions[state.value]) for state in ResidentOpinion.State
                if self.opinions.get(state.value)]


def _root_of(user) -> Division | None:
    prefix = staff_scope_path(user)
    return Division.objects.filter(path=prefix).first() if prefix else None


def city_dashboard(user, division: Division | None = None) -> Dashboard:
    """Coverage figures for the user's scope, or a division inside it (drill-down). At most twelve queries.

    Every figure is attributed to a row by its division's path, so staff of a sub-district (below any district of
    their scope) see one row, their own, with their own figures."""
    today = timezone.localdate()
    scoped = Division.objects.in_scope(user)
    prefix = division.path if division else None

    def within(qs, path_field):
        return qs.filter(**{f"{path_field}__startswith": prefix}) if prefix else qs

    units = list(within(scoped.filter(level=Division.Level.DISTRICT), "path").order_by("code"))
    if not units:  # a scope below district level: its own division is the one row
        own = division or _root_of(user)
        units = [own] if own is not None and own.level != Division.Level.MUNICIPALITY else []
    rows = [DistrictRow(division=d) for d in units]
    dash = Dashboard(scope=division, districts=sum(1 for d in units if d.level == Division.Level.DISTRICT))

    def row_of(path: str) -> DistrictRow | None:
        for row in rows:
            if path.startswith(row.division.path):
                return row
        return None

    def per_row(pairs):
        """(path, value) pairs -> (row, value) for the paths inside a row."""
        for path, value in pairs:
            row = row_of(path)
            if row is not None:
                yield row, value

    # deliberation congresses
    bodies = within(CongressBody.objects.in_scope(user), "division__path")
    for row, n in per_row(bodies.filter(kind=CongressBody.Kind.DELIBERATION_CONGRESS).values_list("division__path")
                          .annotate(n=Count("pk")).order_by()):
        row.subdistricts_with_congress += n
    # deliberation deputies holding a seat today
    for row, n in per_row(within(Mandate.objects.in_scope(user), "term__body__division__path")
                          .filter(role=Mandate.Role.DELIBERATION_DEPUTY).active_on(today)
                          .values_list("term__body__division__path").annotate(n=Count("pk")).order_by()):
        row.deliberation_deputies += n
    meetings = within(Meeting.objects.in_scope(user), "body__division__path").filter(state__in=HELD)
    for row, n in per_row(meetings.filter(kind__in=DELIBERATION_KINDS).values_list("body__division__path")
                          .annotate(n=Count("pk")).order_by()):
        row.deliberation_meetings += n
    for row, _n in per_row(meetings.filter(kind__in=MIDYEAR_KINDS, body__kind__in=[
            CongressBody.Kind.DISTRICT_CONGRESS, CongressBody.Kind.DISTRICT_STANDING_COMMITTEE])
            .values_list("body__division__path").annotate(n=Count("pk")).order_by()):
        row.midyear_meeting = True
    for row, _n in per_row(meetings.filter(kind=Meeting.Kind.QUARTERLY).values_list("body__division__path")
                           .annotate(n=Count("pk")).order_by()):
        row.towns_quarterly += 1  # one per town division that held one
    # towns, and the bodies that vote their projects: a certified ballot, or projects adopted by a vote (one held
    # before the platform kept the ballots, as the projects a district brings with it: the figures of voted projects
    # and of bodies voting them tell one story)
    for row, n in per_row(within(scoped.filter(level__in=TOWN_LEVELS), "path").values_list("path")
                          .annotate(n=Count("pk")).order_by()):
        row.towns += n
    projects = within(Project.objects.in_scope(user), "body__division__path").filter(state__in=VOTED_STATES)
    certified = (within(Ballot.objects.in_scope(user), "poll__body__division__path")
                 .filter(poll__state=SecretPoll.State.CERTIFIED).values_list("poll__body__division__path",
                                                                             "poll__body__kind", "poll__body"))
    voting = set(certified.distinct()) | set(projects.values_list("body__division__path", "body__kind", "body")
                                             .distinct())
    for row, kind in per_row((path, kind) for path, kind, _body in voting):
        if kind == CongressBody.Kind.DISTRICT_CONGRESS:
            row.votes_projects = True
        elif kind == CongressBody.Kind.TOWNSHIP_CONGRESS:
            row.towns_voting += 1
        elif kind == CongressBody.Kind.DELIBERATION_CONGRESS:
            row.subdistricts_voting += 1
    by_year: dict[tuple[int, str], int] = {}
    for path, kind, year, n in (projects.values_list("body__division__path", "body__kind", "year")
                                .annotate(n=Count("pk")).order_by()):
        row, level = row_of(path), LEVEL_OF_KIND.get(kind)
        if row is None or level is None:
            continue
        setattr(row, f"{level}_projects", getattr(row, f"{level}_projects") + n)
        by_year[(year, level)] = by_year.get((year, level), 0) + n
    order = list(LEVEL_LABELS)
    dash.projects_by_year = [(y, lvl, n) for (y, lvl), n in sorted(by_year.items(),
                                                                   key=lambda kv: (kv[0][0], order.index(kv[0][1])))]
    dash.opinions = dict(within(ResidentOpinion.objects.in_scope(user), "division__path").values_list("state")
                         .annotate(n=Count("pk")).order_by())

    dash.rows = rows
    for r in dash.rows:
        is_district = r.division.level == Division.Level.DISTRICT
        dash.subdistricts_with_congress += r.subdistricts_with_congress
        dash.districts_with_deliberation += 1 if r.subdistricts_with_congress and is_district else 0
        dash.deliberation_deputies += r.deliberation_deputies
        dash.deliberation_meetings += r.deliberation_meetings
        dash.districts_voting += 1 if r.votes_projects else 0
        dash.towns += r.towns
        dash.towns_voting += r.towns_voting
        dash.subdistricts_voting += r.subdistricts_voting
        dash.districts_midyear += 1 if r.midyear_meeting else 0
        dash.towns_quarterly += r.towns_quarterly
        dash.districts_with_quarterly += 1 if r.towns_quarterly and is_district else 0
        dash.district_projects += r.district_projects
        dash.town_projects += r.town_projects
        dash.subdistrict_projects += r.subdistrict_projects
    return dash


# --- a deputy's duty record (履职档案), gathered from what is already kept: one builder for the page and the XLSX ---
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
    summary.title = str(pgettext("sheet of totals", "Summary"))[:31]
    meetings = tablib.Dataset(headers=[_("Date"), _("Meeting"), _("Attendance")])
    for a in rec.meetings:
        meetings.append([a.meeting.date.isoformat(), a.meeting.title, a.get_status_display()])
    meetings.title = str(_("Meetings"))[:31]
    sugg = tablib.Dataset(headers=[_("Date"), _("Title"), _("State")])
    for s in rec.suggestions:
        sugg.append([s.submitted_on.isoformat(), s.title, s.get_state_display()])
    sugg.title = str(_("Suggestions"))[:31]
    return tablib.Databook([summary, meetings, sugg])
