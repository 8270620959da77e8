import pytest
from django.contrib.auth.models import AnonymousUser

from congress.models import CongressBody, Division
from congress.predicates import can_manage_body, staff_scope_path
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_districts():
    city = factories.city()
    a = factories.district(parent=city, name="甲区")
    b = factories.district(parent=city, name="乙区")
    a_sub = factories.subdistrict(parent=a)
    b_sub = factories.subdistrict(parent=b)
    bodies = {
        "a": factories.BodyFactory(division=a_sub),
        "b": factories.BodyFactory(division=b_sub),
    }
    return city, a, b, a_sub, b_sub, bodies


def test_scope_paths(two_districts, django_user_model):
    city, a, *_ = two_districts
    assert staff_scope_path(AnonymousUser()) is None
    assert staff_scope_path(factories.staff(city)) == ""
    assert staff_scope_path(factories.staff(a)) == a.path
    not_staff = django_user_model.objects.create_user("plain", password="x")
    assert staff_scope_path(not_staff) is None
    unscoped = django_user_model.objects.create_user("unscoped", password="x", is_staff=True)
    assert staff_scope_path(unscoped) is None
    assert staff_scope_path(django_user_model.objects.create_superuser("root", password="x")) == ""


def test_querysets_filter_by_scope(two_districts):
    city, a, b, a_sub, b_sub, bodies = two_districts
    municipal, district_a, sub_a = factories.staff(city), factories.staff(a), factories.staff(a_sub)
    assert set(CongressBody.objects.in_scope(municipal)) == {bodies["a"], bodies["b"]}
    assert set(CongressBody.objects.in_scope(district_a)) == {bodies["a"]}
    assert set(CongressBody.objects.in_scope(sub_a)) == {bodies["a"]}
    assert set(Division.objects.in_scope(district_a)) == {a, a_sub}
    assert can_manage_body(district_a, bodies["a"]) and not can_manage_body(district_a, bodies["b"])
    # a sub-district's staff do not see their district
    assert a not in Division.objects.in_scope(sub_a)


def test_staff_cannot_open_another_districts_records_by_url(two_districts, client):
    city, a, b, a_sub, b_sub, bodies = two_districts
    client.force_login(factories.staff(a))
    assert client.get(f"/staff/bodies/{bodies['a'].pk}/").status_code == 200
    assert client.get(f"/staff/bodies/{bodies['b'].pk}/").status_code == 404
    assert client.get(f"/staff/bodies/{bodies['b'].pk}/roster.csv").status_code == 404
    assert client.get(f"/staff/bodies/{bodies['b'].pk}/import/").status_code == 404
    # the admin treats it as missing too: redirect to the index with a message, never the form
    resp = client.get(f"/admin/congress/congressbody/{bodies['b'].pk}/change/")
    assert resp.status_code == 302
    resp = client.get(f"/admin/congress/congressbody/{bodies['a'].pk}/change/")
    assert resp.status_code == 200
    listing = client.get("/admin/congress/congressbody/")
    assert bodies["a"].name in listing.content.decode() and bodies["b"].name not in listing.content.decode()


def test_admin_foreign_key_choices_are_scoped(two_districts, client):
    city, a, b, a_sub, b_sub, bodies = two_districts
    client.force_login(factories.staff(a))
    page = client.get("/admin/congress/congressbody/add/").content.decode()
    assert a_sub.name in page and b_sub.name not in page


def test_non_staff_and_anonymous_are_kept_out(two_districts, client, django_user_model):
    *_, bodies = two_districts
    resp = client.get("/staff/bodies/")
    assert resp.status_code == 302 and "/accounts/login/" in resp["Location"]
    client.force_login(django_user_model.objects.create_user("resident", password="x"))
    assert client.get("/staff/bodies/").status_code == 403
    assert client.get(f"/staff/bodies/{bodies['a'].pk}/").status_code == 403


def test_district_staff_cannot_create_divisions_outside_their_scope(two_districts, client):
    city, a, b, a_sub, b_sub, bodies = two_districts
    client.force_login(factories.staff(a))
    resp = client.post("/admin/congress/division/add/", {"code": "X9", "name": "新市", "level": "municipality"})
    assert resp.status_code == 200 and not Division.objects.filter(code="X9").exists()
    resp = client.post("/admin/congress/division/add/", {"code": "X8", "name": "外区街道", "level": "subdistrict",
                                                          "parent": b.pk})
    assert resp.status_code == 200 and not Division.objects.filter(code="X8").exists()
    resp = client.post("/admin/congress/division/add/", {"code": "X7", "name": "新街道", "level": "subdistrict",
                                                          "parent": a.pk})
    assert resp.status_code == 302 and Division.objects.get(code="X7").path.startswith(a.path)
