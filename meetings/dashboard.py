"""The city dashboard of reform coverage and results: scoped like every staff page, a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from congress.models import CongressBody, Division, SecretPoll
from congress.predicates import staff_scope_path
from deputies.models import Mandate, ResidentOpinion
from meetings.models import Meeting
from projects.models import Ballot, Project

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
LEVEL_LABELS = {"district": _("District level"), "town": _("Town level"), "subdistrict": _("Sub-district level")}


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


def build(user, division: Division | None = None) -> Dashboard:
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
    # towns, and the bodies that vote their projects (a certified ballot)
    for row, n in per_row(within(scoped.filter(level__in=TOWN_LEVELS), "path").values_list("path")
                          .annotate(n=Count("pk")).order_by()):
        row.towns += n
    voting = (within(Ballot.objects.in_scope(user), "poll__body__division__path")
              .filter(poll__state=SecretPoll.State.CERTIFIED)
              .values_list("poll__body__division__path", "poll__body__kind").distinct())
    for row, kind in per_row(voting):
        if kind == CongressBody.Kind.DISTRICT_CONGRESS:
            row.votes_projects = True
        elif kind == CongressBody.Kind.TOWNSHIP_CONGRESS:
            row.towns_voting += 1
        elif kind == CongressBody.Kind.DELIBERATION_CONGRESS:
            row.subdistricts_voting += 1
    projects = within(Project.objects.in_scope(user), "body__division__path").filter(state__in=VOTED_STATES)
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
