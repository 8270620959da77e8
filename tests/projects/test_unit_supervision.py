"""One notion of a responsible unit (issue 15): a project points to a HandlingUnit, its red task lands in that
unit's queue beside its suggestions, and the notice goes to the unit's accounts."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from congress.models import User
from deputies import suggestions as ds
from projects import services, supervision
from projects.models import Category, Colour, Project, SupervisionTask
from tests import factories

pytestmark = pytest.mark.django_db
RED_DAY = datetime.date(2027, 7, 2)  # half the year planned, nothing done: red


def _account(username, email=""):
    return User.objects.create_user(username, email=email, password="x")


@pytest.fixture
def w(db, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    body = factories.BodyFactory()
    housing = ds.handling_unit_create(body=body, name="区住建委",
                                      accounts=[_account("zjw1", "zjw1@example.cn"), _account("zjw2", "zjw2@example.cn")])
    traffic = ds.handling_unit_create(body=body, name="区交通局", accounts=[_account("jtj", "jtj@example.cn")])
    project = _project(body, handling_unit=housing)
    return {"body": body, "housing": housing, "traffic": traffic, "project": project}


def _project(body, **unit):
    p = services.project_propose(body=body, year=2027, title="老旧小区加装电梯", category=Category.objects.first(),
                                 description="加装电梯4部", source=Project.Source.STATION, **unit)
    Project.objects.filter(pk=p.pk).update(state=Project.State.IMPLEMENTATION, unit_email="office@example.cn",
                                           planned_completion=datetime.date(2027, 12, 31))
    p.refresh_from_db()
    return p


def _turn_red(capture):
    with capture(execute=True):
        supervision.projects_recolour(on=RED_DAY)
    return SupervisionTask.objects.get()


def test_the_project_carries_its_units_name_and_refuses_another_bodys_unit(w):
    assert (w["project"].handling_unit, w["project"].responsible_unit) == (w["housing"], "区住建委")
    stranger = ds.handling_unit_create(body=factories.BodyFactory(), name="外区住建委")
    with pytest.raises(ValidationError):
        _project(w["body"], handling_unit=stranger)
    with pytest.raises(ValidationError):
        services.project_update(project=w["project"], handling_unit=stranger)
    services.project_update(project=w["project"], handling_unit=w["traffic"])
    w["project"].refresh_from_db()
    assert w["project"].responsible_unit == "区交通局"


def test_a_red_task_goes_to_the_units_queue_and_its_accounts_mail(w, client, django_capture_on_commit_callbacks):
    task = _turn_red(django_capture_on_commit_callbacks)
    w["project"].refresh_from_db()
    assert w["project"].colour == Colour.RED and task.handling_unit == w["housing"]
    assert sorted(m.to[0] for m in mail.outbox) == ["zjw1@example.cn", "zjw2@example.cn"]  # not the old address
    client.force_login(User.objects.get(username="zjw2"))
    page = client.get("/unit/supervision/").content.decode()
    assert "老旧小区加装电梯" in page and RED_DAY.isoformat() in page
    assert 'href="/unit/supervision/"' in client.get("/unit/suggestions/").content.decode()  # beside the suggestions
    # another unit of the same body sees nothing of it
    client.force_login(User.objects.get(username="jtj"))
    resp = client.get("/unit/supervision/")
    assert resp.status_code == 200 and "老旧小区加装电梯" not in resp.content.decode()
    # once closed, it leaves the queue
    supervision.supervision_task_close(task=task, outcome="已增派施工队")
    client.force_login(User.objects.get(username="zjw1"))
    assert "老旧小区加装电梯" not in client.get("/unit/supervision/").content.decode()


def test_the_unit_pages_refuse_everyone_else(w, client):
    assert client.get("/unit/supervision/").status_code == 302  # to sign in
    client.force_login(factories.staff(w["body"].division))
    assert client.get("/unit/supervision/").status_code == 403
    client.force_login(_account("resident"))
    assert client.get("/unit/supervision/").status_code == 403


def test_the_unit_email_is_the_fallback(w, django_capture_on_commit_callbacks):
    silent = ds.handling_unit_create(body=w["body"], name="区水务局", accounts=[_account("sw")])  # no address
    services.project_update(project=w["project"], handling_unit=silent)
    _turn_red(django_capture_on_commit_callbacks)
    assert [m.to[0] for m in mail.outbox] == ["office@example.cn"]


def test_a_project_named_by_free_text_still_mails_its_unit_email(db, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    project = _project(factories.BodyFactory(), responsible_unit="区城管局")
    task = _turn_red(django_capture_on_commit_callbacks)
    assert (task.unit, task.handling_unit, task.project) == ("区城管局", None, project)
    assert [m.to[0] for m in mail.outbox] == ["office@example.cn"]


def test_staff_pick_the_unit_among_those_in_scope(w, client):
    client.force_login(factories.staff(w["body"].division))
    elsewhere = ds.handling_unit_create(body=factories.BodyFactory(), name="外区住建委")  # another sub-district
    page = client.get("/staff/projects/new/").content.decode()
    assert "区住建委" in page and "外区住建委" not in page
    data = {"body": w["body"].pk, "year": 2027, "title": "修缮社区活动室", "category": Category.objects.first().pk,
            "description": "屋面防水", "source": Project.Source.STAFF}
    assert client.post("/staff/projects/new/", {**data, "handling_unit": elsewhere.pk}).status_code == 422
    assert client.post("/staff/projects/new/", {**data, "handling_unit": w["traffic"].pk}).status_code == 302
    assert Project.objects.get(title="修缮社区活动室").responsible_unit == "区交通局"


def test_a_unit_of_another_body_in_scope_is_refused_by_the_form(w, client):
    district = w["body"].division.parent
    client.force_login(factories.staff(district))
    sibling = factories.BodyFactory(division=factories.subdistrict(parent=district))
    data = {"body": sibling.pk, "year": 2027, "title": "修缮社区活动室", "category": Category.objects.first().pk,
            "description": "屋面防水", "source": Project.Source.STAFF, "handling_unit": w["traffic"].pk}
    resp = client.post("/staff/projects/new/", data)
    assert resp.status_code == 422 and not Project.objects.filter(title="修缮社区活动室").exists()
    assert "该承办单位属于其他机构" in resp.content.decode()  # said on the form, in the user's language


def test_a_unit_name_typed_beside_a_chosen_unit_is_refused_not_dropped(w, client):
    """The crawl typed a free-text unit and chose a kept one: the typed name was replaced without a word."""
    client.force_login(factories.staff(w["body"].division))
    data = {"body": w["body"].pk, "year": 2027, "title": "修缮社区活动室",
            "category": Category.objects.get_or_create(name="道路交通")[0].pk, "description": "屋面防水",
            "source": Project.Source.STAFF, "handling_unit": w["traffic"].pk, "responsible_unit": "街道城管科"}
    resp = client.post("/staff/projects/new/", data)
    assert resp.status_code == 422 and "区交通局" in resp.content.decode()
    assert "街道城管科" in resp.content.decode()  # what was typed is still in the form
    assert not Project.objects.filter(title="修缮社区活动室").exists()
    assert client.post("/staff/projects/new/", {**data, "responsible_unit": "区交通局"}).status_code == 302
