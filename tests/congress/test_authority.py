"""Authority follows the bodies a person sits in, not their address (issue 10, items 1-4).

The world: a district 示范区 with a district congress, a sub-district 江南 in it with its deliberation
congress, and another district far away. `district_deputy` lives in 江南 but sits in the district
congress (and, as the rules have it, attends 江南's congress as a fixed attendee): the 江南 clerk must
not be able to take over that account, whatever the address says.
"""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from congress import services as congress_services
from congress.models import AuditLog, CongressBody, User
from congress.predicates import can_manage_account, manageable_accounts, people_in_scope
from deputies import liaison, suggestions
from deputies import services as deputy_services
from deputies.models import DutyActivity, LiaisonStation, Mandate, SupervisionGroup
from tests import factories

pytestmark = pytest.mark.django_db


class World:
    def __init__(self):
        city = factories.city()
        self.district = factories.district(parent=city, name="示范区")
        self.jiangnan = factories.subdistrict(parent=self.district, name="江南街道")
        self.community = factories.community(parent=self.jiangnan)
        self.elsewhere = factories.community(parent=factories.subdistrict(parent=factories.district(parent=city)))
        self.district_body = factories.BodyFactory(kind=CongressBody.Kind.DISTRICT_CONGRESS, division=self.district,
                                                   seats=300)
        self.district_term = factories.TermFactory(body=self.district_body)
        self.sub_body = factories.BodyFactory(division=self.jiangnan, seats=80)
        self.sub_term = factories.TermFactory(body=self.sub_body)
        self.far_body = factories.BodyFactory(division=self.elsewhere.parent, seats=80)
        self.far_term = factories.TermFactory(body=self.far_body)

        self.district_deputy = factories.PersonFactory(area=self.community, name="区代表")
        factories.seat(self.district_deputy, self.district_term, role=Mandate.Role.DEPUTY)
        factories.seat(self.district_deputy, self.sub_term, role=Mandate.Role.FIXED_ATTENDEE)
        self.district_only = factories.PersonFactory(area=self.community, name="区代表二")
        factories.seat(self.district_only, self.district_term, role=Mandate.Role.DEPUTY)
        self.local = factories.PersonFactory(area=self.community, name="街道代表")
        factories.seat(self.local, self.sub_term)
        self.far = factories.PersonFactory(area=self.elsewhere, name="外地代表")
        factories.seat(self.far, self.far_term)
        for person in (self.district_deputy, self.local):
            user, _password = deputy_services.deputy_account_create(person=person)
            user.email = f"{user.username}@example.org"
            user.set_password("Old-Password-42")
            user.save()
            person.refresh_from_db()

        self.clerk = factories.staff(self.jiangnan, username="jiangnan")
        self.colleague = factories.staff(self.jiangnan, username="jiangnan2")
        self.district_staff = factories.staff(self.district, username="district")
        self.district_colleague = factories.staff(self.district, username="district2")


@pytest.fixture
def w():
    return World()


# --- 1. accounts --------------------------------------------------------------------------------------


def test_who_manages_which_account(w):
    dep, local = w.district_deputy.user, w.local.user
    assert not can_manage_account(w.clerk, dep)  # lives in 江南, sits in the district congress
    assert can_manage_account(w.clerk, local)
    assert can_manage_account(w.district_staff, dep)
    # never a staff account at or above one's own level
    assert not can_manage_account(w.clerk, w.colleague)
    assert not can_manage_account(w.clerk, w.district_staff)
    assert not can_manage_account(w.district_staff, w.district_colleague)
    assert not can_manage_account(w.district_staff, w.district_staff)
    assert can_manage_account(w.district_staff, w.clerk)
    assert set(manageable_accounts(w.clerk)) == {local}
    superuser = User.objects.create_superuser("root", password="x-Secret-123")
    assert not can_manage_account(w.district_staff, superuser)


def test_subdistrict_clerk_cannot_set_a_district_deputys_password(w, client):
    dep = w.district_deputy.user
    client.force_login(w.clerk)
    url = f"/admin/congress/user/{dep.pk}/password/"
    assert client.get(url).status_code in (403, 404)
    resp = client.post(url, {"password1": "Taken-Over-991", "password2": "Taken-Over-991", "usable_password": "true"})
    assert resp.status_code in (403, 404)
    dep.refresh_from_db()
    assert dep.check_password("Old-Password-42") and not dep.check_password("Taken-Over-991")
    # nor change the account itself, nor find it in the list
    client.post(f"/admin/congress/user/{dep.pk}/change/", {"username": "mine", "is_active": "", "is_staff": "on",
                                                           "division": w.jiangnan.pk})
    dep.refresh_from_db()
    assert dep.username != "mine" and dep.is_active and not dep.is_staff and dep.division is None
    assert dep.username not in client.get("/admin/congress/user/").content.decode()
    assert not AuditLog.objects.filter(action__startswith="account.password").exists()
    # and the service refuses the same, whoever calls it
    with pytest.raises(ValidationError):
        congress_services.account_password_set(account=dep, password="Taken-Over-991", acting_user=w.clerk)
    dep.refresh_from_db()
    assert dep.check_password("Old-Password-42")


def test_a_password_reset_is_audited_and_the_deputy_told_by_mail(w, client, django_capture_on_commit_callbacks):
    local = w.local.user
    client.force_login(w.clerk)
    with django_capture_on_commit_callbacks(execute=True):
        resp = client.post(f"/admin/congress/user/{local.pk}/password/",
                           {"password1": "New-Password-771", "password2": "New-Password-771", "usable_password": "true"})
    assert resp.status_code == 302
    local.refresh_from_db()
    assert local.check_password("New-Password-771")
    entry = AuditLog.objects.get(action="account.password_reset")
    assert entry.actor == w.clerk and entry.object_id == str(local.pk)
    assert "New-Password" not in str(entry.changes) and local.password not in str(entry.changes)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [local.email]
    assert "密码" in mail.outbox[0].subject  # in the users' language (Chinese by default)


def test_staff_cannot_grant_rights_or_scope_beyond_their_own(w, client):
    client.force_login(w.district_staff)
    clerk = w.clerk
    base = {"username": clerk.username, "first_name": "改名", "last_name": "", "email": "", "is_active": "on",
            "date_joined_0": "2024-01-01", "date_joined_1": "00:00:00"}
    # the district office itself as a clerk's scope: not a choice (only strictly below one's own division)
    resp = client.post(f"/admin/congress/user/{clerk.pk}/change/", {**base, "division": w.district.pk})
    assert resp.status_code == 200 and resp.context["adminform"].form.errors
    clerk.refresh_from_db()
    assert clerk.division == w.jiangnan and clerk.first_name != "改名"
    # read-only for non-superusers: sign-in name, staff and superuser rights
    resp = client.post(f"/admin/congress/user/{clerk.pk}/change/",
                       {**base, "username": "renamed", "is_superuser": "on", "is_staff": "", "division": w.jiangnan.pk})
    assert resp.status_code == 302
    clerk.refresh_from_db()
    assert clerk.username == "jiangnan" and clerk.is_staff and not clerk.is_superuser and clerk.first_name == "改名"
    assert AuditLog.objects.filter(action="account.update", actor=w.district_staff).exists()
    # and the service says no to the same
    for fields in ({"is_superuser": True}, {"is_staff": True}, {"username": "x"}, {"division": w.district}):
        with pytest.raises(ValidationError):
            congress_services.account_update(account=clerk, acting_user=w.district_staff, **fields)
    with pytest.raises(ValidationError):
        congress_services.account_update(account=w.district_colleague, acting_user=w.district_staff, is_active=False)
    w.district_colleague.refresh_from_db()
    assert w.district_colleague.is_active


def test_accounts_are_created_only_for_people_wholly_in_scope(w, client):
    newcomer = factories.PersonFactory(area=w.community, name="区代表三")
    factories.seat(newcomer, w.district_term, role=Mandate.Role.DEPUTY)
    local2 = factories.PersonFactory(area=w.community, name="街道代表二")
    factories.seat(local2, w.sub_term)
    client.force_login(w.clerk)
    client.post("/admin/deputies/person/", {"action": "create_accounts", "_selected_action": [newcomer.pk, local2.pk]})
    newcomer.refresh_from_db()
    local2.refresh_from_db()
    assert newcomer.user is None and local2.user is not None


def test_a_district_deputys_person_record_is_changed_from_the_district_not_the_subdistrict(w, client):
    client.force_login(w.clerk)
    url = f"/admin/deputies/person/{w.district_deputy.pk}/change/"
    assert client.get(url).status_code == 200  # they live here: the clerk may look
    client.post(url, {"name": "改名", "gender": "F", "date_of_birth": "1980-05-01", "ethnicity": "汉族",
                      "nationality": "CN", "education": "bachelor", "sector": "resident", "affiliation": "masses",
                      "phone": "13900000000", "area": w.community.pk, "in_area_since": "2010-01-01",
                      **_inline(w.district_deputy)})
    w.district_deputy.refresh_from_db()
    assert w.district_deputy.name == "区代表"
    assert not AuditLog.objects.filter(action="person.update").exists()


def _inline(person):
    mandates = list(person.mandates.order_by("pk"))
    data = {"mandates-TOTAL_FORMS": len(mandates), "mandates-INITIAL_FORMS": len(mandates),
            "mandates-MIN_NUM_FORMS": 0, "mandates-MAX_NUM_FORMS": 1000}
    for i, m in enumerate(mandates):
        data.update({f"mandates-{i}-id": m.pk, f"mandates-{i}-person": person.pk})
    return data


def test_district_staff_change_the_district_deputys_person_record(w, client):
    client.force_login(w.district_staff)
    resp = client.post(f"/admin/deputies/person/{w.district_deputy.pk}/change/", {
        "name": "改名", "gender": "F", "date_of_birth": "1980-05-01", "ethnicity": "汉族", "nationality": "CN",
        "education": "bachelor", "sector": "resident", "affiliation": "masses", "phone": "13900000000",
        "area": w.community.pk, "in_area_since": "2010-01-01", **_inline(w.district_deputy)})
    assert resp.status_code == 302
    w.district_deputy.refresh_from_db()
    assert w.district_deputy.name == "改名"


def test_seed_demo_jiangnan_cannot_take_over_deputy(client):
    from django.core.management import call_command

    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    deputy = User.objects.get(username="deputy")
    old_hash = deputy.password
    assert client.login(username="jiangnan", password=_demo_password())
    url = f"/admin/congress/user/{deputy.pk}/password/"
    assert client.get(url).status_code in (403, 404)
    resp = client.post(url, {"password1": "Taken-Over-991", "password2": "Taken-Over-991", "usable_password": "true"})
    assert resp.status_code in (403, 404)
    deputy.refresh_from_db()
    assert deputy.password == old_hash
    assert not AuditLog.objects.filter(action__startswith="account.password").exists()


def _demo_password():
    from congress.demo import DEMO_PASSWORD

    return DEMO_PASSWORD


# --- 2. many-to-many pickers and writes ---------------------------------------------------------------


def test_pickers_list_only_people_of_bodies_in_scope(w, client):
    client.force_login(w.clerk)
    for url, field in (("/admin/deputies/liaisonstation/add/", "deputies"),
                       ("/admin/deputies/supervisiongroup/add/", "members"),
                       ("/admin/deputies/dutyactivity/add/", "participants")):
        choices = set(client.get(url).context["adminform"].form.fields[field].queryset)
        assert choices == {w.local, w.district_deputy}, url  # not 外地代表, not the district-only deputy
    assert set(people_in_scope(w.district_staff)) == {w.local, w.district_deputy, w.district_only}


def test_out_of_scope_person_is_refused_by_admin_and_service(w, client):
    client.force_login(w.clerk)
    before = AuditLog.objects.count()
    resp = client.post("/admin/deputies/liaisonstation/add/", {
        "kind": "station", "name": "江南站", "division": w.jiangnan.pk, "address": "江南路1号",
        "deputies": [w.local.pk, w.far.pk], "reception_months": "none"})
    assert resp.status_code in (200, 422) and resp.context["adminform"].form.errors
    resp = client.post("/admin/deputies/dutyactivity/add/", {
        "body": w.sub_body.pk, "kind": "inspection", "date": "2024-03-01", "title": "视察",
        "participants": [w.far.pk]})
    assert resp.status_code in (200, 422) and resp.context["adminform"].form.errors
    assert not LiaisonStation.objects.exists() and not DutyActivity.objects.exists()
    assert not w.far.duty_activities.exists() and not w.far.stations.exists()

    import datetime

    with pytest.raises(ValidationError) as exc:
        liaison.station_create(kind="station", name="江南站", division=w.jiangnan, address="江南路1号",
                                deputies=[w.local, w.far], acting_user=w.clerk)
    assert "外地代表" in str(exc.value) and "不在您的管理范围" in str(exc.value)
    with pytest.raises(ValidationError):
        suggestions.duty_activity_record(body=w.sub_body, kind="inspection", date=datetime.date(2024, 3, 1),
                                         title="视察", participants=[w.far], acting_user=w.clerk)
    with pytest.raises(ValidationError):
        suggestions.supervision_group_create(body=w.sub_body, name="监督组", members=[w.far], acting_user=w.clerk)
    station = liaison.station_create(kind="station", name="江南站", division=w.jiangnan, address="江南路1号",
                                      deputies=[w.local], acting_user=w.clerk)
    with pytest.raises(ValidationError):
        liaison.station_update(station=station, deputies=[w.local, w.far], acting_user=w.clerk)
    with pytest.raises(ValidationError):
        liaison.reception_record(station=station, date=datetime.date(2024, 4, 20), on_duty=[w.far], residents=3,
                                  acting_user=w.clerk)
    group = suggestions.supervision_group_create(body=w.sub_body, name="监督组", members=[w.local], acting_user=w.clerk)
    with pytest.raises(ValidationError):
        suggestions.supervision_group_update(group=group, members=[w.far], acting_user=w.clerk)
    activity = suggestions.duty_activity_record(body=w.sub_body, kind="inspection", date=datetime.date(2024, 3, 1),
                                                title="视察", participants=[w.local], acting_user=w.clerk)
    with pytest.raises(ValidationError):
        suggestions.duty_activity_update(activity=activity, participants=[w.local, w.far], acting_user=w.clerk)
    assert list(station.deputies.all()) == [w.local] and list(group.members.all()) == [w.local]
    assert list(activity.participants.all()) == [w.local] and not w.far.duty_activities.exists()
    assert AuditLog.objects.count() == before + 3  # the three that were allowed


# --- 4. admin change paths go through the services; refusals are form errors --------------------------


def test_admin_change_paths_call_the_services(w, client):
    import datetime

    client.force_login(w.clerk)
    station = liaison.station_create(kind="station", name="江南站", division=w.jiangnan, address="江南路1号")
    group = suggestions.supervision_group_create(body=w.sub_body, name="监督组")
    activity = suggestions.duty_activity_record(body=w.sub_body, kind="inspection", date=datetime.date(2024, 3, 1),
                                                title="视察", participants=[w.local])
    resp = client.post(f"/admin/deputies/liaisonstation/{station.pk}/change/", {
        "kind": "station", "name": "江南一站", "division": w.jiangnan.pk, "address": "江南路1号",
        "deputies": [w.local.pk, w.district_deputy.pk], "reception_months": "none"})
    assert resp.status_code == 302
    resp = client.post(f"/admin/deputies/supervisiongroup/{group.pk}/change/", {
        "name": "监督一组", "members": [w.local.pk], "matters": "道路"})
    assert resp.status_code == 302
    resp = client.post(f"/admin/deputies/dutyactivity/{activity.pk}/change/", {
        "kind": "research", "date": "2024-03-02", "title": "调研", "participants": [w.local.pk, w.district_deputy.pk]})
    assert resp.status_code == 302
    for action, obj in (("station.update", station), ("supervision_group.update", group),
                        ("duty_activity.update", activity)):
        entry = AuditLog.objects.get(action=action)
        assert entry.actor == w.clerk and entry.object_id == str(obj.pk)
    station.refresh_from_db()
    assert station.name == "江南一站" and set(station.deputies.all()) == {w.local, w.district_deputy}
    assert set(SupervisionGroup.objects.get().members.all()) == {w.local}
    activity.refresh_from_db()
    assert activity.kind == "research" and activity.participants.count() == 2


@pytest.mark.parametrize("change", [False, True])
def test_a_service_refusal_in_the_admin_is_a_form_error_and_saves_nothing(w, client, change):
    import datetime

    # district staff may pick the district-only deputy, but the service refuses: not a deputy of 江南's congress
    client.force_login(w.district_staff)
    data = {"body": w.sub_body.pk, "kind": "inspection", "date": "2024-03-01", "title": "视察",
            "participants": [w.district_only.pk]}
    url = "/admin/deputies/dutyactivity/add/"
    if change:
        activity = suggestions.duty_activity_record(body=w.sub_body, kind="inspection", date=datetime.date(2024, 3, 1),
                                                    title="视察", participants=[w.local])
        url = f"/admin/deputies/dutyactivity/{activity.pk}/change/"
        data.pop("body")
    before = AuditLog.objects.count()
    resp = client.post(url, data, follow=True)
    html = resp.content.decode()
    assert resp.status_code == 422 and not resp.redirect_chain
    assert "以下人员不是本机构的代表：区代表二。" in html and 'class="errornote"' in html
    assert "/None/change/" not in html and "成功" not in html
    assert AuditLog.objects.count() == before
    if change:
        assert list(DutyActivity.objects.get().participants.all()) == [w.local]
    else:
        assert not DutyActivity.objects.exists()


# --- 3. roster import -----------------------------------------------------------------------------------


def test_roster_import_refuses_areas_outside_the_importers_scope(w, client):
    import io

    from deputies.models import Person
    from tests.deputies.test_roster import csv_bytes, row

    client.force_login(w.clerk)
    content = csv_bytes([row(w.community, name="甲"), row(w.elsewhere, name="乙"),
                         row(w.district_body.division, name="丙")])
    f = io.BytesIO(content)
    f.name = "roster.csv"
    people = Person.objects.count()
    resp = client.post(f"/staff/bodies/{w.sub_body.pk}/import/", {"term": w.sub_term.pk, "file": f})
    assert resp.status_code == 422
    parsed = resp.context["parsed"]
    assert [line for line, _msgs in parsed.errors] == [3, 4]
    assert all("不在您的管理范围" in " ".join(msgs) for _line, msgs in parsed.errors)
    assert "confirm_form" not in resp.context and Person.objects.count() == people

    # the service checks again (a preview may have been made by someone else, or forged)
    from deputies.services import RosterRow

    rows = [RosterRow(line=n, person_fields={
        "name": name, "gender": "F", "date_of_birth": __import__("datetime").date(1985, 3, 2), "ethnicity": "汉族",
        "nationality": "CN", "education": "bachelor", "sector": "resident", "affiliation": "masses", "phone": "",
        "is_community_worker": False, "area": area, "in_area_since": __import__("datetime").date(2015, 1, 1)},
        role="deliberation_deputy", start_date=w.sub_term.start_date)
        for n, name, area in ((2, "甲", w.community), (3, "乙", w.elsewhere), (4, "丙", w.district))]
    with pytest.raises(ValidationError) as exc:
        deputy_services.roster_import(term=w.sub_term, rows=rows, acting_user=w.clerk)
    assert len(exc.value.messages) == 2
    assert Person.objects.count() == people and not Mandate.objects.filter(person__name="甲").exists()
