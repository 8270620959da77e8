import datetime

import pytest
import tablib

from deputies import selectors
from deputies.models import Mandate, Person
from tests import factories

pytestmark = pytest.mark.django_db
ON = datetime.date(2024, 6, 1)
# a body's page: session, user, the staff member's scope, the body, the term, the composition (four), the person
# behind the account, the terms and the roster: twelve, whatever the size of the body
PAGE_QUERIES = 12


@pytest.fixture
def seated(sub_body):
    body, term = sub_body
    area = factories.community(parent=body.division)
    specs = [
        # gender, born, community worker, education, sector
        ("F", datetime.date(1995, 1, 1), True, "bachelor", "community"),   # 29
        ("F", datetime.date(1980, 1, 1), False, "college", "resident"),    # 44
        ("M", datetime.date(1970, 6, 2), False, "bachelor", "resident"),   # 53
        ("M", datetime.date(1960, 1, 1), True, "senior", "community"),     # 64
        ("M", datetime.date(1950, 1, 1), False, "primary", "farmer"),      # 74
    ]
    for g, dob, cw, edu, sector in specs:
        factories.seat(factories.PersonFactory(area=area, gender=g, date_of_birth=dob, is_community_worker=cw,
                                               education=edu, sector=sector), term)
    factories.seat(factories.PersonFactory(), term, role=Mandate.Role.FIXED_ATTENDEE)
    ended = factories.seat(factories.PersonFactory(area=area, gender="F"), term)
    from deputies import services

    services.mandate_end(mandate=ended, end_date=datetime.date(2024, 3, 1), reason=Mandate.EndReason.RESIGNED)
    return body, term


def test_composition_figures(seated, django_assert_max_num_queries):
    body, term = seated
    with django_assert_max_num_queries(4):  # the promise of selectors.composition()
        comp = selectors.composition(term, ON)
    assert comp.seats_filled == 5
    assert comp.fixed_attendees == 1
    assert comp.women == 2 and comp.women_share == 40.0
    assert comp.community_workers == 2
    assert [n for _label, n in comp.age_bands] == [1, 1, 1, 1, 1]
    assert dict((str(k), v) for k, v in comp.education)[str(Person.Education.BACHELOR.label)] == 2
    assert sum(n for _l, n in comp.sectors) == 5


def test_composition_query_count_does_not_grow(sub_body, django_assert_max_num_queries):
    body, term = sub_body
    area = factories.community(parent=body.division)
    for _ in range(40):
        factories.seat(factories.PersonFactory(area=area), term)
    with django_assert_max_num_queries(4):  # the promise of selectors.composition()
        selectors.composition(term, ON)


def test_composition_page_and_exports(seated, client, django_assert_max_num_queries):
    body, term = seated
    client.force_login(factories.staff(body.division))
    with django_assert_max_num_queries(PAGE_QUERIES):
        page = client.get(f"/staff/bodies/{body.pk}/?term={term.pk}")
    assert page.status_code == 200
    assert "40.0%" in page.content.decode()
    xlsx = client.get(f"/staff/bodies/{body.pk}/composition.xlsx?term={term.pk}")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    ds = tablib.Dataset().load(xlsx.content, format="xlsx")
    assert any(r[2] == 5 for r in ds)
    csv = client.get(f"/staff/bodies/{body.pk}/composition.csv?term={term.pk}")
    assert csv.content.startswith("\ufeff".encode()) and "女" in csv.content.decode("utf-8-sig")
    assert client.get(f"/staff/bodies/{body.pk}/composition.pdfx?term={term.pk}").status_code == 404


def test_roster_page_query_count_is_fixed(sub_body, client, django_assert_max_num_queries):
    body, term = sub_body
    area = factories.community(parent=body.division)
    for _ in range(30):
        factories.seat(factories.PersonFactory(area=area), term)
    client.force_login(factories.staff(body.division))
    with django_assert_max_num_queries(PAGE_QUERIES):
        resp = client.get(f"/staff/bodies/{body.pk}/")
    assert resp.status_code == 200 and resp.content.decode().count("<tr><td>代表") == 30



def test_reads_use_the_date_in_beijing_not_the_servers(client, beijing_early_morning):
    """At 07:30 in Beijing a UTC server is still on the day before: the term that starts today in Beijing is the
    current one, and the deputy seated today counts, on the page and in the reads behind it."""
    today = beijing_early_morning
    body = factories.BodyFactory(seats=80)
    factories.TermFactory(body=body, number=1, start_date=datetime.date(2019, 3, 1),
                          end_date=today - datetime.timedelta(days=1))
    term = factories.TermFactory(body=body, number=2, start_date=today)
    factories.seat(factories.PersonFactory(area=factories.community(parent=body.division), gender="F"), term)
    assert selectors.current_term(body) == term
    assert selectors.roster(term).count() == 1
    assert selectors.composition(term).seats_filled == 1
    staff = factories.staff(body.division)
    assert selectors.bodies_with_seats(staff).get(pk=body.pk).seated == 1
    client.force_login(staff)
    page = client.get(f"/staff/bodies/{body.pk}/")
    assert page.status_code == 200 and page.context["term"] == term
    assert page.context["composition"].women_share == 100.0


@pytest.mark.parametrize("what", ["composition", "roster"])
def test_a_body_without_a_term_has_nothing_to_download(client, what):
    body = factories.BodyFactory(seats=80)
    client.force_login(factories.staff(body.division))
    resp = client.get(f"/staff/bodies/{body.pk}/{what}.xlsx", follow=True)
    assert resp.redirect_chain == [(f"/staff/bodies/{body.pk}/", 302)]
    assert [str(m) for m in resp.context["messages"]] == ["该机构尚未设立届次。"]
