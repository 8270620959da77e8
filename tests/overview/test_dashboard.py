"""seed_city lays down Chongqing's December 2023 figures; the dashboard must show exactly those."""

import pytest
from django.core.management import call_command

from congress.models import Division
from overview import selectors
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def city(db):
    call_command("seed_city")
    return Division.objects.get(code="C50")


def test_dashboard_shows_the_december_2023_figures(city, django_assert_max_num_queries):
    staff = factories.staff(city)
    with django_assert_max_num_queries(12):
        d = selectors.city_dashboard(staff)
    assert d.districts == 38
    assert (d.subdistricts_with_congress, d.districts_with_deliberation) == (171, 34)
    assert d.deliberation_deputies == 9291
    assert d.deliberation_meetings == 97
    assert (d.districts_voting, d.towns_voting, d.towns_voting_share) == (18, 666, 84.7)
    assert d.districts_midyear == 14
    assert (d.towns_quarterly, d.districts_with_quarterly) == (156, 36)
    assert (d.district_projects, d.town_projects) == (128, 3347)
    assert d.opinions == {"resolved": 139, "in_progress": 7, "deferred": 11}


def test_seed_city_is_idempotent(city):
    before = Division.objects.count()
    call_command("seed_city")
    assert Division.objects.count() == before


def test_dashboard_page_drill_down_and_scope(city, client, django_assert_max_num_queries):
    client.force_login(factories.staff(city))
    with django_assert_max_num_queries(20):
        page = client.get("/staff/dashboard/")
    html = page.content.decode()
    assert page.status_code == 200 and 'id="deliberation-deputies">9291<' in html and "<svg" in html
    first = Division.objects.get(code="C5001")
    drill = client.get(f"/staff/dashboard/?division={first.pk}").content.decode()
    d1 = selectors.city_dashboard(factories.staff(city), first)
    assert d1.districts == 1 and f'id="subdistricts">{d1.subdistricts_with_congress}<' in drill
    # a district's staff see their district only, and cannot drill into another
    client.force_login(factories.staff(first))
    own = selectors.city_dashboard(factories.staff(first))
    assert own.districts == 1 and own.subdistricts_with_congress == 6
    other = Division.objects.get(code="C5002")
    assert client.get(f"/staff/dashboard/?division={other.pk}").status_code == 404
