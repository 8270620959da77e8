"""Suggestions under statutory deadlines (issue 15): main and assisting units, returning a misrouted suggestion
within five working days, extensions to six months at most, the lead deputy's rating, publication, units' queues."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from congress.models import User
from deputies import suggestions as services
from deputies.models import HandlingUnit, Suggestion, SuggestionExtension
from tests import factories

pytestmark = pytest.mark.django_db
D = datetime.date
ASSIGNED = D(2026, 9, 29)  # a Tuesday before the National Day week


@pytest.fixture
def world(sub_body):
    body, term = sub_body
    area = factories.community(parent=body.division)
    people = [factories.PersonFactory(area=area) for _ in range(2)]
    for p in people:
        factories.seat(p, term)
    main = services.handling_unit_create(body=body, name="区交通局",
                                         accounts=[User.objects.create_user("traffic", password="x")])
    helper = services.handling_unit_create(body=body, name="区住建委",
                                           accounts=[User.objects.create_user("housing", password="x")])
    s = services.suggestion_submit(body=body, lead=people[0], title="增设公交站", text="建议增设",
                                   submitted_on=D(2026, 9, 1))
    return {"body": body, "people": people, "main": main, "helper": helper, "s": s}


def _assigned(w, on=ASSIGNED, **kw):
    return services.suggestion_assign(suggestion=w["s"], unit=w["main"], assisting=[w["helper"]], on=on, **kw)


def test_main_and_assisting_units_and_default_deadlines(world):
    s = _assigned(world)
    assert s.main_unit == world["main"] and s.unit == "区交通局" and list(s.assisting_units.all()) == [world["helper"]]
    assert (s.assigned_on, s.due_date, s.due_limit) == (ASSIGNED, D(2026, 12, 29), D(2027, 3, 29))
    with pytest.raises(ValidationError):
        services.suggestion_assign(suggestion=world["s"], unit=world["main"], assisting=[world["main"]], on=ASSIGNED)


def test_a_unit_of_another_body_cannot_be_given(world, sub_body):
    other = HandlingUnit.objects.create(body=factories.BodyFactory(seats=50), name="外单位")
    with pytest.raises(ValidationError):
        services.suggestion_assign(suggestion=world["s"], unit=other, on=ASSIGNED)


def test_due_date_at_most_six_months(world):
    s = _assigned(world, due_date=D(2027, 3, 29))  # six months exactly
    assert s.due_date == D(2027, 3, 29)
    world["s"] = services.suggestion_submit(body=world["body"], lead=world["people"][0], title="t", text="x",
                                            submitted_on=D(2026, 9, 1))
    with pytest.raises(ValidationError):
        _assigned(world, due_date=D(2027, 3, 30))
    with pytest.raises(ValidationError):
        _assigned(world, due_date=ASSIGNED - datetime.timedelta(days=1))
    with pytest.raises(IntegrityError), transaction.atomic():
        Suggestion.objects.filter(pk=s.pk).update(due_date=D(2027, 3, 30))


def test_return_on_the_fifth_working_day_across_national_day(world):
    s = _assigned(world)
    assert services.return_deadline(s) == D(2026, 10, 12)  # 30 Sep, 8, 9, Sat 10 (make-up), 12 Oct
    s = services.suggestion_return(suggestion=s, reason="属区住建委职责", on=D(2026, 10, 12))
    assert s.state == "returned" and s.return_reason == "属区住建委职责"


def test_return_on_the_sixth_working_day_is_refused(world):
    s = _assigned(world)
    with pytest.raises(ValidationError, match="5"):
        services.suggestion_return(suggestion=s, reason="属区住建委职责", on=D(2026, 10, 13))
    s.refresh_from_db()
    assert s.state == "assigned"


def test_return_needs_a_reason_and_staff_reassign(world):
    s = _assigned(world)
    with pytest.raises(ValidationError):
        services.suggestion_return(suggestion=s, reason="  ", on=ASSIGNED)
    s = services.suggestion_return(suggestion=s, reason="属区住建委职责", on=ASSIGNED)
    with pytest.raises(IntegrityError), transaction.atomic():
        Suggestion.objects.filter(pk=s.pk).update(return_reason="")
    with pytest.raises(ValidationError):  # a returned suggestion is not replied to
        services.suggestion_reply(suggestion=s, reply="x", on=ASSIGNED)
    s = services.suggestion_assign(suggestion=s, unit=world["helper"], on=D(2026, 10, 14))
    assert (s.state, s.main_unit, s.return_reason) == ("assigned", world["helper"], "")
    assert (s.due_date, s.due_limit) == (D(2027, 1, 14), D(2027, 4, 14))
    assert list(s.transitions.values_list("to_state", flat=True)) == ["submitted", "assigned", "returned", "assigned"]


def test_extension_up_to_six_months_exactly_with_the_reason_kept(world):
    s = _assigned(world)
    with pytest.raises(ValidationError):
        services.suggestion_extension_request(suggestion=s, until=D(2027, 3, 30), reason="跨年度预算", on=ASSIGNED)
    with pytest.raises(ValidationError):
        services.suggestion_extension_request(suggestion=s, until=s.due_date, reason="跨年度预算", on=ASSIGNED)
    with pytest.raises(ValidationError):
        services.suggestion_extension_request(suggestion=s, until=D(2027, 3, 29), reason=" ", on=ASSIGNED)
    ext = services.suggestion_extension_request(suggestion=s, until=D(2027, 3, 29), reason="跨年度预算", on=ASSIGNED)
    with pytest.raises(ValidationError):  # one request at a time
        services.suggestion_extension_request(suggestion=s, until=D(2027, 2, 1), reason="x", on=ASSIGNED)
    with pytest.raises(IntegrityError), transaction.atomic():
        SuggestionExtension.objects.create(suggestion=s, until=D(2027, 2, 1), reason="x", requested_on=ASSIGNED)
    services.suggestion_extension_decide(extension=ext, approve=True, note="同意")
    s.refresh_from_db()
    ext.refresh_from_db()
    assert s.due_date == D(2027, 3, 29) and (ext.state, ext.reason) == ("approved", "跨年度预算")
    with pytest.raises(ValidationError):  # decided once
        services.suggestion_extension_decide(extension=ext, approve=False, note="x")
    assert "跨年度预算" in s.transitions.last().note


def test_refusing_an_extension_needs_a_reason_and_keeps_the_due_date(world):
    s = _assigned(world)
    ext = services.suggestion_extension_request(suggestion=s, until=D(2027, 2, 1), reason="跨年度预算", on=ASSIGNED)
    with pytest.raises(ValidationError):
        services.suggestion_extension_decide(extension=ext, approve=False, note="")
    services.suggestion_extension_decide(extension=ext, approve=False, note="可先行答复")
    s.refresh_from_db()
    assert s.due_date == D(2026, 12, 29) and SuggestionExtension.objects.get().state == "refused"


def test_overdue_flagged_by_the_beat_and_cleared_by_an_approved_extension(world):
    s = _assigned(world)
    assert services.suggestions_flag_overdue(on_date=D(2026, 12, 29)) == 0  # due that day
    assert services.suggestions_flag_overdue(on_date=D(2026, 12, 30)) == 1
    ext = services.suggestion_extension_request(suggestion=s, until=D(2027, 2, 1), reason="x", on=D(2026, 12, 30))
    services.suggestion_extension_decide(extension=ext, approve=True)
    s.refresh_from_db()
    assert not s.overdue


def test_dissatisfied_sends_it_back_with_a_new_due_date(world):
    s = _assigned(world)
    s = services.suggestion_reply(suggestion=s, reply="已纳入计划", on=D(2026, 11, 2))
    s = services.suggestion_evaluate(suggestion=s, satisfaction="dissatisfied", on=D(2026, 11, 10))
    assert (s.state, s.assigned_on, s.due_date, s.due_limit) == (
        "assigned", D(2026, 11, 10), D(2027, 2, 10), D(2027, 5, 10))
    s = services.suggestion_reply(suggestion=s, reply="已建成", on=D(2026, 12, 1))
    s = services.suggestion_evaluate(suggestion=s, satisfaction="basic", on=D(2026, 12, 2))
    assert s.state == "closed" and s.get_satisfaction_display()


def test_public_page_shows_replies_unless_confidential(world, client):
    s = _assigned(world)
    services.suggestion_reply(suggestion=s, reply="公开的答复", on=D(2026, 11, 2))
    s2 = services.suggestion_submit(body=world["body"], lead=world["people"][1], title="涉密", text="x",
                                    submitted_on=D(2026, 9, 1))
    s2 = services.suggestion_assign(suggestion=s2, unit=world["main"], on=ASSIGNED)
    services.suggestion_reply(suggestion=s2, reply="不公开的答复", on=D(2026, 11, 2), confidential=True)
    page = client.get("/suggestions/replies/").content.decode()
    assert "公开的答复" in page and "不公开的答复" not in page and "涉密" not in page


def _unit_client(client, username):
    client.force_login(User.objects.get(username=username))
    return client


def test_units_see_their_queue_and_only_the_main_unit_acts(world, client):
    s = _assigned(world, on=timezone.localdate())
    _unit_client(client, "housing")  # assisting unit: sees it, cannot act
    assert "增设公交站" in client.get("/unit/suggestions/").content.decode()
    assert client.get(f"/unit/suggestions/{s.pk}/").status_code == 200
    assert client.post(f"/unit/suggestions/{s.pk}/", {"action": "reply", "reply": "x"}).status_code == 422
    _unit_client(client, "traffic")
    assert client.post(f"/unit/suggestions/{s.pk}/", {"action": "reply", "reply": ""}).status_code == 422
    assert client.post(f"/unit/suggestions/{s.pk}/", {"action": "reply", "reply": "已安排",
                                                      "confidential": "on"}).status_code == 302
    s.refresh_from_db()
    assert (s.state, s.confidential) == ("answered", True)


def test_unit_pages_refuse_everyone_else(world, client):
    s = _assigned(world, on=timezone.localdate())
    outsider = HandlingUnit.objects.create(body=world["body"], name="区民政局")
    outsider.accounts.add(User.objects.create_user("civil", password="x"))
    assert client.get("/unit/suggestions/").status_code == 302  # anonymous: to sign in
    _unit_client(client, "civil")
    assert "增设公交站" not in client.get("/unit/suggestions/").content.decode()
    assert client.get(f"/unit/suggestions/{s.pk}/").status_code == 404
    client.force_login(factories.staff(world["body"].division))
    assert client.get("/unit/suggestions/").status_code == 403
    client.force_login(User.objects.create_user("resident", password="x"))
    assert client.get(f"/unit/suggestions/{s.pk}/").status_code == 403


def test_unit_returns_over_http_within_the_deadline_and_not_after(world, client):
    late = _assigned(world, on=timezone.localdate() - datetime.timedelta(days=30))
    _unit_client(client, "traffic")
    assert client.post(f"/unit/suggestions/{late.pk}/", {"action": "return", "reason": "非本单位"}).status_code == 422
    late.refresh_from_db()
    assert late.state == "assigned"
    s = services.suggestion_submit(body=world["body"], lead=world["people"][0], title="t", text="x",
                                   submitted_on=D(2026, 9, 1))
    s = services.suggestion_assign(suggestion=s, unit=world["main"], on=timezone.localdate())
    assert client.post(f"/unit/suggestions/{s.pk}/", {"action": "return", "reason": "非本单位"}).status_code == 302
    s.refresh_from_db()
    assert s.state == "returned"
    client.force_login(factories.staff(world["body"].division))
    page = client.get(f"/staff/suggestions/{s.pk}/").content.decode()
    assert "非本单位" in page and 'id="assign-form"' in page
    resp = client.post(f"/staff/suggestions/{s.pk}/", {"action": "assign", "main_unit": world["helper"].pk})
    assert resp.status_code == 302
    s.refresh_from_db()
    assert (s.state, s.main_unit) == ("assigned", world["helper"])


def test_extension_requested_by_the_unit_and_approved_by_staff_over_http(world, client):
    s = _assigned(world, on=timezone.localdate())
    _unit_client(client, "traffic")
    too_far = (s.due_limit + datetime.timedelta(days=1)).isoformat()
    assert client.post(f"/unit/suggestions/{s.pk}/", {"action": "extend", "until": too_far,
                                                      "reason": "预算"}).status_code == 422
    assert client.post(f"/unit/suggestions/{s.pk}/", {"action": "extend", "until": s.due_limit.isoformat(),
                                                      "reason": "需跨年度预算"}).status_code == 302
    ext = SuggestionExtension.objects.get()
    client.force_login(factories.staff(world["body"].division))
    assert "需跨年度预算" in client.get(f"/staff/suggestions/{s.pk}/").content.decode()
    assert client.post(f"/staff/suggestions/{s.pk}/", {"action": "extension", "extension": ext.pk,
                                                       "decision": "refuse"}).status_code == 422
    assert client.post(f"/staff/suggestions/{s.pk}/", {"action": "extension", "extension": ext.pk,
                                                       "decision": "approve"}).status_code == 302
    s.refresh_from_db()
    assert s.due_date == s.due_limit


def test_staff_return_a_misrouted_suggestion_for_the_unit_under_its_deadline(world, client):
    from congress.models import AuditLog

    s = _assigned(world, on=timezone.localdate())
    staff = factories.staff(world["body"].division)
    client.force_login(staff)
    assert 'id="return-form"' in client.get(f"/staff/suggestions/{s.pk}/").content.decode()
    assert client.post(f"/staff/suggestions/{s.pk}/", {"action": "return", "reason": " "}).status_code == 422
    assert client.post(f"/staff/suggestions/{s.pk}/", {"action": "return",
                                                       "reason": "交通局来电：属区住建委职责"}).status_code == 302
    s.refresh_from_db()
    assert (s.state, s.return_reason) == ("returned", "交通局来电：属区住建委职责")
    entry = AuditLog.objects.filter(action="suggestion.return").get()
    assert entry.actor == staff and entry.changes["after"]["on_behalf_of"] == "区交通局"
    assert "交通局来电" in s.transitions.order_by("-pk").first().note


def test_staff_cannot_return_for_the_unit_after_its_deadline_or_outside_scope(world, client):
    late = _assigned(world, on=timezone.localdate() - datetime.timedelta(days=30))
    client.force_login(factories.staff(world["body"].division))
    assert 'id="return-form"' not in client.get(f"/staff/suggestions/{late.pk}/").content.decode()
    assert client.post(f"/staff/suggestions/{late.pk}/", {"action": "return", "reason": "非本单位"}).status_code == 422
    late.refresh_from_db()
    assert late.state == "assigned"
    client.force_login(factories.staff(factories.district()))
    assert client.post(f"/staff/suggestions/{late.pk}/", {"action": "return", "reason": "x"}).status_code == 404


def test_a_unit_account_that_is_also_a_deputy_sees_the_unit_queue_in_the_nav(world, client):
    from deputies import services as deputy_services

    account, _pw = deputy_services.deputy_account_create(person=world["people"][1])
    client.force_login(account)
    assert 'id="nav-unit-queue"' not in client.get("/me/").content.decode()
    services.handling_unit_update(unit=world["main"], name=world["main"].name,
                                  accounts=[*world["main"].accounts.all(), account])  # the nav is told at once
    page = client.get("/me/").content.decode()
    assert 'id="nav-unit-queue"' in page and "/me/suggestions/" in page  # both hats
    assert client.get("/unit/suggestions/").status_code == 200


def test_an_overdue_suggestion_says_so_in_words_not_only_in_red(world, client):
    """WCAG 1.4.1: the red row is not the only sign (a colour-blind clerk, a black-and-white printout)."""
    _assigned(world)
    services.suggestions_flag_overdue(on_date=D(2026, 12, 30))
    client.force_login(factories.staff(world["body"].division))
    html = client.get("/staff/suggestions/").content.decode()
    row = html[html.index('<tr class="table-danger">'):]
    row = row[:row.index("</tr>")]
    assert '<span class="badge text-bg-danger">逾期</span>' in row
