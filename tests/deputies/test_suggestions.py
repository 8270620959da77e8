import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from deputies import suggestions as services
from deputies.models import Suggestion
from deputies.tasks import flag_overdue_suggestions
from tests import factories

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 3, 1)


@pytest.fixture
def body_people(sub_body):
    body, term = sub_body
    area = factories.community(parent=body.division)
    people = [factories.PersonFactory(area=area) for _ in range(3)]
    for p in people:
        factories.seat(p, term)
    return body, people


def test_joint_suggestion_assigned_with_default_three_months(body_people):
    body, people = body_people
    s = services.suggestion_submit(body=body, lead=people[0], co_authors=people[1:], title="增设公交站",
                                   text="建议在桂花社区增设公交站", submitted_on=DAY)
    assert set(s.co_authors.all()) == set(people[1:])
    s = services.suggestion_assign(suggestion=s, unit="区交通局", on=DAY)
    # three calendar months after assignment (the rule was 90 days after submission before issue 15)
    assert s.due_date == datetime.date(2026, 6, 1) and s.due_limit == datetime.date(2026, 9, 1)


def test_only_deputies_of_the_body_can_submit(body_people):
    body, people = body_people
    with pytest.raises(ValidationError):
        services.suggestion_submit(body=body, lead=factories.PersonFactory(), title="x", text="y", submitted_on=DAY)


def test_dissatisfied_reopens_and_satisfied_closes(body_people):
    body, people = body_people
    s = services.suggestion_submit(body=body, lead=people[0], title="增设公交站", text="…", submitted_on=DAY)
    with pytest.raises(ValidationError):
        services.suggestion_reply(suggestion=s, reply="已办理", on=DAY)
    s = services.suggestion_assign(suggestion=s, unit="区交通局")
    s = services.suggestion_reply(suggestion=s, reply="已纳入计划", on=datetime.date(2026, 4, 1))
    s = services.suggestion_evaluate(suggestion=s, satisfaction="dissatisfied")
    assert s.state == "assigned" and s.times_reopened == 1
    s = services.suggestion_reply(suggestion=s, reply="已建成", on=datetime.date(2026, 6, 1))
    s = services.suggestion_evaluate(suggestion=s, satisfaction="satisfied")
    assert s.state == "closed"
    assert list(s.transitions.values_list("to_state", flat=True)) == [
        "submitted", "assigned", "answered", "assigned", "answered", "closed"]
    with pytest.raises(IntegrityError), transaction.atomic():
        Suggestion.objects.filter(pk=s.pk).update(satisfaction="dissatisfied")


def test_overdue_flag(body_people):
    body, people = body_people
    s = services.suggestion_submit(body=body, lead=people[0], title="t", text="x", submitted_on=DAY)
    services.suggestion_assign(suggestion=s, unit="u", due_date=datetime.date(2026, 4, 1), on=DAY)
    assert services.suggestions_flag_overdue(on_date=datetime.date(2026, 4, 2)) == 1
    assert flag_overdue_suggestions.delay().get() == 0


def test_supervision_groups(body_people):
    body, people = body_people
    g = services.supervision_group_create(body=body, name="城市建设与环境保护监督组", members=people[:2],
                                          matters="老旧小区改造进度")
    assert g.members.count() == 2
    with pytest.raises(ValidationError):
        services.supervision_group_create(body=body, name="城市建设与环境保护监督组")


def test_deputy_submits_and_evaluates_staff_assign_and_reply_over_http(body_people, client):
    from deputies import services as ds

    body, people = body_people
    user, _pw = ds.deputy_account_create(person=people[0])
    client.force_login(user)
    resp = client.post("/me/suggestions/new/", {"body": body.pk, "title": "增设公交站", "text": "建议增设",
                                                "co_authors": [people[1].pk]})
    assert resp.status_code == 302
    s = Suggestion.objects.get()
    assert s.lead == people[0] and list(s.co_authors.all()) == [people[1]]
    assert client.get("/staff/suggestions/").status_code == 403
    staff = factories.staff(body.division)
    client.force_login(staff)
    assert client.post(f"/staff/suggestions/{s.pk}/", {"action": "assign", "unit": ""}).status_code == 422
    s.refresh_from_db()
    assert s.state == "submitted"
    client.post(f"/staff/suggestions/{s.pk}/", {"action": "assign", "unit": "区交通局"})
    client.post(f"/staff/suggestions/{s.pk}/", {"action": "reply", "reply": "已纳入明年计划"})
    s.refresh_from_db()
    assert s.state == "answered"
    other_staff = factories.staff(factories.district())
    client.force_login(other_staff)
    assert client.get(f"/staff/suggestions/{s.pk}/").status_code == 404
    client.force_login(user)
    client.post(f"/me/suggestions/{s.pk}/evaluate/", {"satisfaction": "satisfied"})
    s.refresh_from_db()
    assert s.state == "closed"


def test_suggestion_submitted_at_a_convening_meeting(body_people, client):
    from deputies import services as ds
    from meetings import services as ms

    body, people = body_people
    meeting = ms.meeting_create(body=body, kind="deliberation_midyear", title="议事会", date=timezone.localdate(),
                                place="x")
    meeting = ms.meeting_transition(meeting=meeting, to="convening")
    user, _pw = ds.deputy_account_create(person=people[0])
    client.force_login(user)
    resp = client.post("/me/suggestions/new/", {"body": body.pk, "title": "t", "text": "x", "meeting": meeting.pk})
    assert resp.status_code == 302
    assert Suggestion.objects.get().meeting == meeting
