"""Every dashboard figure equals a direct count on the demo district, for city, district and sub-district staff."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Count
from django.utils import timezone

from congress.models import CongressBody, Division, SecretPoll
from congress.predicates import staff_scope_path
from deputies.models import Mandate, ResidentOpinion
from meetings.models import Meeting
from overview import selectors
from projects.models import Ballot, Project
from tests import factories

pytestmark = pytest.mark.django_db

K = CongressBody.Kind


def direct(username):
    """The figures counted straight from the tables, under the user's scope path, without the dashboard's rows."""
    user = get_user_model().objects.get(username=username)
    p = staff_scope_path(user)
    today = timezone.localdate()
    held = Meeting.objects.filter(body__division__path__startswith=p, state__in=selectors.HELD)
    voted = Project.objects.filter(body__division__path__startswith=p, state__in=selectors.VOTED_STATES)
    certified = Ballot.objects.filter(poll__body__division__path__startswith=p, poll__state=SecretPoll.State.CERTIFIED)

    def voting_bodies(kind):  # a certified ballot, or projects adopted by a vote held before the platform
        return len(set(certified.filter(poll__body__kind=kind).values_list("poll__body", flat=True))
                   | set(voted.filter(body__kind=kind).values_list("body", flat=True)))

    by_year = {}
    for year, kind, n in voted.values_list("year", "body__kind").annotate(n=Count("pk")).order_by():
        level = selectors.LEVEL_OF_KIND[kind]
        by_year[(year, level)] = by_year.get((year, level), 0) + n
    return user, {
        "subdistricts_with_congress": CongressBody.objects.filter(division__path__startswith=p,
                                                                  kind=K.DELIBERATION_CONGRESS).count(),
        "deliberation_deputies": Mandate.objects.filter(term__body__division__path__startswith=p,
                                                        role=Mandate.Role.DELIBERATION_DEPUTY).active_on(today).count(),
        "deliberation_meetings": held.filter(kind__in=selectors.DELIBERATION_KINDS).count(),
        "towns": Division.objects.filter(path__startswith=p, level__in=selectors.TOWN_LEVELS).count(),
        "towns_voting": voting_bodies(K.TOWNSHIP_CONGRESS),
        "subdistricts_voting": voting_bodies(K.DELIBERATION_CONGRESS),
        "districts_voting": voting_bodies(K.DISTRICT_CONGRESS),
        "district_projects": voted.filter(body__kind=K.DISTRICT_CONGRESS).count(),
        "town_projects": voted.filter(body__kind=K.TOWNSHIP_CONGRESS).count(),
        "subdistrict_projects": voted.filter(body__kind=K.DELIBERATION_CONGRESS).count(),
        "towns_quarterly": held.filter(kind=Meeting.Kind.QUARTERLY).values("body__division").distinct().count(),
        "opinions": dict(ResidentOpinion.objects.filter(division__path__startswith=p).values_list("state")
                         .annotate(n=Count("pk")).order_by()),
        "projects_by_year": sorted(by_year.items()),
    }


@pytest.fixture
def voted(demo):
    """The demo's open ballot closed, counted and certified, as a journey through the demo does."""
    from django.test import TestCase

    from congress.models import Elector
    from projects import services

    ballot = Ballot.objects.get(poll__state=SecretPoll.State.OPEN)
    # seed_demo leaves its ballot open with no votes (and no votes adopt nothing): some demo deputies vote first
    chosen = list(ballot.candidates.order_by("pk").values_list("pk", flat=True)[:5])
    for elector in Elector.objects.filter(poll=ballot.poll).select_related("person").order_by("pk")[:10]:
        services.ballot_vote(ballot=ballot, person=elector.person, choices={"approve": chosen})
    services.ballot_close(ballot=ballot, reason=factories.CLOSE_REASON)
    with TestCase.captureOnCommitCallbacks(execute=True):  # two scrutineers open the box; eager Celery counts it
        services.ballot_unseal(ballot=ballot, shares=demo["ballot"][:2])
    ballot.refresh_from_db()
    services.ballot_certify(ballot=ballot, **factories.certifying(ballot.body))
    return ballot


@pytest.mark.parametrize("username", ["city", "district", "jiangnan"])
def test_every_figure_equals_a_direct_count(voted, username):
    user, want = direct(username)
    d = selectors.city_dashboard(user)
    for name, value in want.items():
        if name == "projects_by_year":
            assert sorted(((y, lvl), n) for y, lvl, n in d.projects_by_year) == value
        else:
            assert getattr(d, name) == value, name
    # the parts add up to the whole: the table, the by-year list and the chart tell one story
    assert sum(r.deliberation_deputies for r in d.rows) == d.deliberation_deputies
    assert sum(r.projects for r in d.rows) == d.projects == sum(n for _y, _l, n in d.projects_by_year)
    assert d.projects > 0 and d.deliberation_deputies > 0  # the demo has voted projects and seated deputies


def test_the_sub_district_sees_its_own_figures(demo):
    user = get_user_model().objects.get(username="jiangnan")
    d = selectors.city_dashboard(user)
    assert [r.division.name for r in d.rows] == ["江南街道"]
    assert d.deliberation_deputies == 58 and d.subdistricts_with_congress == 1


@pytest.mark.parametrize("username", ["city", "district", "jiangnan"])
def test_a_body_with_voted_projects_votes_its_projects_before_any_ballot_is_certified(demo, username):
    """As seeded, 江南街道's projects under way were voted the year before the platform (no certified ballot): the
    dashboard counted 6 sub-district projects voted and 0 sub-districts voting them."""
    d = selectors.city_dashboard(get_user_model().objects.get(username=username))
    assert not Ballot.objects.filter(poll__state=SecretPoll.State.CERTIFIED).exists()
    assert d.subdistrict_projects > 0
    assert d.subdistricts_voting == 1 and sum(r.subdistricts_voting for r in d.rows) == 1


@pytest.mark.parametrize("username", ["city", "district", "jiangnan"])
def test_the_page_shows_words_not_codes_and_a_chart_that_agrees(voted, login, username):
    page = login(username).get("/staff/dashboard/")
    assert page.status_code == 200
    html = page.content.decode()
    codes = [s.value for s in ResidentOpinion.State] + [k.value for k in K] + ["district", "town", "subdistrict"]
    shown = re.findall(r"<td>([^<]*)</td>", html)
    assert not set(shown) & set(codes), set(shown) & set(codes)
    d = page.context["dash"]
    for label, n in d.opinion_outcomes:
        assert f"<td>{label}</td><td class=\"text-end\">{n}</td>" in html
    assert f'id="deliberation-deputies">{d.deliberation_deputies}<' in html
    assert f'id="subdistrict-projects">{d.subdistrict_projects}<' in html
    bars = [float(h) for h in re.findall(r'<rect [^>]*height="([\d.]+)"', page.context["chart"])]
    assert len(bars) == len(d.rows) and any(bars)  # projects voted show in the chart
