"""The city dashboard of reform coverage and results: scoped like every staff page, a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count
from django.utils import timezone

from congress.models import CongressBody, Division, SecretPoll
from deputies.models import Mandate, ResidentOpinion
from meetings.models import Meeting
from projects.models import Ballot, Project

HELD = (Meeting.State.CONVENING, Meeting.State.SUMMARY, Meeting.State.CLOSED)
MIDYEAR_KINDS = (Meeting.Kind.MIDYEAR_SESSION, Meeting.Kind.SPECIAL_REPORT, Meeting.Kind.SC_EXPANDED)
DELIBERATION_KINDS = (Meeting.Kind.DELIBERATION_MIDYEAR, Meeting.Kind.DELIBERATION_YEAREND)
VOTED_STATES = (Project.State.SELECTED, Project.State.IMPLEMENTATION, Project.State.COMPLETED, Project.State.EVALUATED)
TOWN_LEVELS = (Division.Level.TOWN, Division.Level.TOWNSHIP)


@dataclass
class DistrictRow:
    division: Division
    subdistricts_with_congress: int = 0
    deliberation_deputies: int = 0
    deliberation_meetings: int = 0
    votes_projects: bool = False
    towns: int = 0
    towns_voting: int = 0
    midyear_meeting: bool = False
    towns_quarterly: int = 0
    district_projects: int = 0
    town_projects: int = 0


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
    districts_midyear: int = 0
    towns_quarterly: int = 0
    districts_with_quarterly: int = 0
    district_projects: int = 0
    town_projects: int = 0
    projects_by_year: list = field(default_factory=list)
    opinions: dict = field(default_factory=dict)
    rows: list = field(default_factory=list)

    @property
    def towns_voting_share(self) -> float:
        return round(100.0 * self.towns_voting / self.towns, 1) if self.towns else 0.0


def build(user, division: Division | None = None) -> Dashboard:
    """Coverage figures for the user's scope, or a division inside it (drill-down). Eleven queries."""
    today = timezone.localdate()
    scoped = Division.objects.in_scope(user)
    prefix = division.path if division else None

    def within(qs, path_field):
        return qs.filter(**{f"{path_field}__startswith": prefix}) if prefix else qs

    districts = list(within(scoped.filter(level=Division.Level.DISTRICT), "path").order_by("code"))
    rows = {d.pk: DistrictRow(division=d) for d in districts}
    dash = Dashboard(scope=division, districts=len(districts))

    # deliberation congresses per district (their division's parent)
    bodies = within(CongressBody.objects.in_scope(user), "division__path")
    for district_id, n in (bodies.filter(kind=CongressBody.Kind.DELIBERATION_CONGRESS)
                           .values_list("division__parent").annotate(n=Count("pk")).order_by()):
        if district_id in rows:
            rows[district_id].subdistricts_with_congress = n
    # deliberation deputies holding a seat today
    for district_id, n in (within(Mandate.objects.in_scope(user), "term__body__division__path")
                           .filter(role=Mandate.Role.DELIBERATION_DEPUTY).active_on(today)
                           .values_list("term__body__division__parent").annotate(n=Count("pk")).order_by()):
        if district_id in rows:
            rows[district_id].deliberation_deputies = n
    meetings = within(Meeting.objects.in_scope(user), "body__division__path").filter(state__in=HELD)
    for district_id, n in (meetings.filter(kind__in=DELIBERATION_KINDS).values_list("body__division__parent")
                           .annotate(n=Count("pk")).order_by()):
        if district_id in rows:
            rows[district_id].deliberation_meetings = n
    for district_id in (meetings.filter(kind__in=MIDYEAR_KINDS, body__kind__in=[CongressBody.Kind.DISTRICT_CONGRESS,
                                                                                  CongressBody.Kind.DISTRICT_STANDING_COMMITTEE])
                        .values_list("body__division", flat=True).distinct()):
        if district_id in rows:
            rows[district_id].midyear_meeting = True
    for district_id, n in (meetings.filter(kind=Meeting.Kind.QUARTERLY).values_list("body__division__parent")
                           .annotate(n=Count("body__division", distinct=True)).order_by()):
        if district_id in rows:
            rows[district_id].towns_quarterly = n
    # towns, and the bodies that vote their projects (a certified ballot)
    for district_id, n in (within(scoped.filter(level__in=TOWN_LEVELS), "path").values_list("parent")
                           .annotate(n=Count("pk")).order_by()):
        if district_id in rows:
            rows[district_id].towns = n
    voting = (within(Ballot.objects.in_scope(user), "poll__body__division__path")
              .filter(poll__state=SecretPoll.State.CERTIFIED).values_list("poll__body__kind", "poll__body__division",
                                                                        "poll__body__division__parent").distinct())
    for kind, div_id, parent_id in voting:
        if kind == CongressBody.Kind.DISTRICT_CONGRESS and div_id in rows:
            rows[div_id].votes_projects = True
        elif kind == CongressBody.Kind.TOWNSHIP_CONGRESS and parent_id in rows:
            rows[parent_id].towns_voting += 1
    projects = within(Project.objects.in_scope(user), "body__division__path").filter(state__in=VOTED_STATES)
    for kind, div_id, parent_id, n in (projects.values_list("body__kind", "body__division", "body__division__parent")
                                       .annotate(n=Count("pk")).order_by()):
        if kind == CongressBody.Kind.DISTRICT_CONGRESS and div_id in rows:
            rows[div_id].district_projects += n
        elif kind == CongressBody.Kind.TOWNSHIP_CONGRESS and parent_id in rows:
            rows[parent_id].town_projects += n
    dash.projects_by_year = list(projects.values_list("year", "body__kind").annotate(n=Count("pk")).order_by("year",
                                                                                                          "body__kind"))
    dash.opinions = dict(within(ResidentOpinion.objects.in_scope(user), "division__path").values_list("state")
                         .annotate(n=Count("pk")).order_by())

    dash.rows = list(rows.values())
    for r in dash.rows:
        dash.subdistricts_with_congress += r.subdistricts_with_congress
        dash.districts_with_deliberation += 1 if r.subdistricts_with_congress else 0
        dash.deliberation_deputies += r.deliberation_deputies
        dash.deliberation_meetings += r.deliberation_meetings
        dash.districts_voting += 1 if r.votes_projects else 0
        dash.towns += r.towns
        dash.towns_voting += r.towns_voting
        dash.districts_midyear += 1 if r.midyear_meeting else 0
        dash.towns_quarterly += r.towns_quarterly
        dash.districts_with_quarterly += 1 if r.towns_quarterly else 0
        dash.district_projects += r.district_projects
        dash.town_projects += r.town_projects
    return dash


