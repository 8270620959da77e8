import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from congress import services
from congress.models import AuditLog, CongressBody, Division, Term
from tests import factories

pytestmark = pytest.mark.django_db


def test_division_tree_paths_and_shape():
    city = factories.city()
    dist = factories.district(parent=city, code="500108")
    sub = factories.subdistrict(parent=dist, code="500108001")
    comm = factories.community(parent=sub, code="500108001001")
    assert comm.path == f"{city.code}/500108/500108001/500108001001/"
    assert comm.is_within(dist) and comm.is_within(city)
    assert not dist.is_within(sub)
    assert set(Division.objects.filter(path__startswith=dist.path)) == {dist, sub, comm}


@pytest.mark.parametrize(
    "level,parent_level",
    [("district", "subdistrict"), ("community", "district"), ("subdistrict", "municipality"), ("municipality", "district")],
)
def test_division_refuses_wrong_parent(level, parent_level):
    parents = {"municipality": factories.city()}
    parents["district"] = factories.district(parent=parents["municipality"])
    parents["subdistrict"] = factories.subdistrict(parent=parents["district"])
    with pytest.raises(ValidationError):
        services.division_create(code="X1", name="错", level=level, parent=parents[parent_level])


def test_database_refuses_parentless_district():
    with pytest.raises(IntegrityError), transaction.atomic():
        Division.objects.create(code="X2", name="错", level="district", parent=None, path="X2/")


def test_subdistrict_has_no_peoples_congress():
    sub = factories.subdistrict()
    with pytest.raises(ValidationError, match="议事代表会议"):
        services.body_create(name="x", kind=CongressBody.Kind.TOWNSHIP_CONGRESS, division=sub)


def test_deliberation_congress_only_in_subdistrict():
    town = factories.town()
    with pytest.raises(ValidationError):
        services.body_create(name="x", kind=CongressBody.Kind.DELIBERATION_CONGRESS, division=town)


def test_standing_committee_needs_its_congress():
    dist = factories.district()
    with pytest.raises(ValidationError):
        services.body_create(name="常委会", kind=CongressBody.Kind.DISTRICT_STANDING_COMMITTEE, division=dist)
    congress_ = services.body_create(name="区人大", kind=CongressBody.Kind.DISTRICT_CONGRESS, division=dist)
    sc = services.body_create(name="常委会", kind=CongressBody.Kind.DISTRICT_STANDING_COMMITTEE, division=dist,
                              parent=congress_)
    assert sc.parent == congress_


def test_township_presidium_and_congress():
    t = factories.town()
    c = services.body_create(name="镇人大", kind=CongressBody.Kind.TOWNSHIP_CONGRESS, division=t)
    p = services.body_create(name="主席团", kind=CongressBody.Kind.TOWNSHIP_PRESIDIUM, division=t, parent=c)
    assert p in c.organs.all()


def test_deliberation_seats_at_most_100_in_service_and_database():
    sub = factories.subdistrict()
    with pytest.raises(ValidationError, match="100"):
        services.body_create(name="x", kind=CongressBody.Kind.DELIBERATION_CONGRESS, division=sub, seats=101)
    with pytest.raises(IntegrityError), transaction.atomic():
        CongressBody.objects.create(name="x", kind="deliberation", division=sub, seats=101)


def test_term_defaults_to_five_years_and_refuses_other_lengths():
    body = factories.BodyFactory()
    term = services.term_create(body=body, number=1, start_date=datetime.date(2024, 1, 10))
    assert term.end_date == datetime.date(2029, 1, 9)
    with pytest.raises(ValidationError, match="五年"):
        services.term_create(body=body, number=2, start_date=datetime.date(2030, 1, 1), end_date=datetime.date(2032, 1, 1))


def test_terms_do_not_overlap_and_are_numbered_once():
    body = factories.BodyFactory()
    services.term_create(body=body, number=1, start_date=datetime.date(2019, 1, 1))
    with pytest.raises(ValidationError, match="重叠"):
        services.term_create(body=body, number=2, start_date=datetime.date(2021, 1, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        Term.objects.create(body=body, number=1, start_date=datetime.date(2030, 1, 1), end_date=datetime.date(2035, 1, 1))


def test_sessions_numbered_within_term():
    term = factories.TermFactory()
    s = services.session_create(term=term, number=4, start_date=datetime.date(2027, 1, 5))
    assert "4" in str(s)
    with pytest.raises(ValidationError):
        services.session_create(term=term, number=5, start_date=datetime.date(2035, 1, 5))
    with pytest.raises(ValidationError):
        services.session_create(term=term, number=4, start_date=datetime.date(2027, 2, 5))


def test_every_service_write_is_audited():
    before = AuditLog.objects.count()
    body = factories.BodyFactory()  # creates city, district, sub-district, body
    assert AuditLog.objects.count() == before + 4
    entry = AuditLog.objects.filter(action="body.create").get()
    assert entry.object_id == str(body.pk) and entry.changes["after"]["name"] == body.name
