"""A refused action of a meeting's pages (the meeting page, the chair's console, a deputy's pages) shows that page
again, with 422 and every message of the refusal in the user's language (congress.responses.act); an accepted one
redirects back with its message."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy

from meetings import hall, services
from meetings.models import Attendee, Meeting
from tests import factories
from tests.meetings.conftest import Hall
from tests.web import deputy_client, error_messages, html, signed_in, success_messages

pytestmark = pytest.mark.django_db

TWO_REASONS = [gettext_lazy("Unknown stage."), gettext_lazy("Only an open survey can be closed.")]
BOTH_LANGUAGES = pytest.mark.parametrize("lang, expected", [
    (None, ["未知的会议阶段。", "只有进行中的测评才能结束。"]),  # zh-hans, the default
    ("en", ["Unknown stage.", "Only an open survey can be closed."]),
])


@pytest.fixture
def h(db):
    return Hall(deputies=4, fixed=0, date=timezone.localdate())


def texts(resp):
    return [str(m) for m in error_messages(resp)]


def refuse_twice(**_kw):
    raise ValidationError(TWO_REASONS)


@pytest.mark.parametrize("lang, expected", [
    (None, ["类型: 选择一个有效的选项。 nonsense 不在可用的选项中。", "名称: 这个字段是必填项。"]),
    ("en", ["Kind: Select a valid choice. nonsense is not one of the available choices.",
            "Title: This field is required."]),
])
def test_a_refused_agenda_item_shows_the_meeting_page_with_every_error_of_its_form(h, lang, expected):
    client = signed_in(factories.staff(h.body.division), lang)
    resp = client.post(f"/staff/meetings/{h.meeting.pk}/agenda/", {"kind": "nonsense", "title": ""})
    assert resp.status_code == 422
    assert "meetings/meeting_detail.html" in [t.name for t in resp.templates]
    assert texts(resp) == expected and all(m in html(resp) for m in expected)
    assert not h.meeting.agenda.exists()


def test_an_accepted_agenda_item_redirects_to_the_meeting_page_with_its_message(h):
    client = signed_in(factories.staff(h.body.division), "en")
    resp = client.post(f"/staff/meetings/{h.meeting.pk}/agenda/", {"kind": "work_report", "title": "区政府工作报告"})
    assert resp.status_code == 302 and resp["Location"] == f"/staff/meetings/{h.meeting.pk}/"
    assert [str(m) for m in success_messages(client.get(resp["Location"]))] == ["Agenda item added."]
    assert h.meeting.agenda.get().title == "区政府工作报告"


@BOTH_LANGUAGES
def test_a_stage_refused_for_two_reasons_shows_both_on_the_meeting_page(h, monkeypatch, lang, expected):
    monkeypatch.setattr(services, "meeting_transition", refuse_twice)
    resp = signed_in(factories.staff(h.body.division), lang).post(f"/staff/meetings/{h.meeting.pk}/stage/",
                                                                  {"to": "convening"})
    assert resp.status_code == 422
    assert "meetings/meeting_detail.html" in [t.name for t in resp.templates]
    assert texts(resp) == expected and all(m in html(resp) for m in expected)
    h.meeting.refresh_from_db()
    assert h.meeting.state == Meeting.State.PREPARATION


@BOTH_LANGUAGES
def test_a_console_action_refused_for_two_reasons_shows_the_console_with_both(h, monkeypatch, lang, expected):
    monkeypatch.setattr(hall, "screen_link_new", refuse_twice)
    resp = signed_in(factories.staff(h.body.division), lang).post(
        f"/staff/meetings/{h.meeting.pk}/console/screen-link/", {"what": "new"})
    assert resp.status_code == 422
    assert "meetings/hall/console.html" in [t.name for t in resp.templates]
    assert texts(resp) == expected and all(m in html(resp) for m in expected)


def test_a_vote_started_with_a_bad_form_says_each_error_on_the_console(h):
    """The console's start form and the scrutineers' fields are one form: all of its errors are said at once."""
    client = signed_in(factories.staff(h.body.division), "en")
    resp = client.post(f"/staff/meetings/{h.meeting.pk}/console/start/", {"poll": "1", "minutes": "999"})
    assert resp.status_code == 422
    assert "meetings/hall/console.html" in [t.name for t in resp.templates]
    said = texts(resp)
    assert len(said) >= 2 and any(m.startswith("Duration: ") for m in said)
    assert all(m in html(resp) for m in said)


def test_a_wrong_sign_in_code_is_said_beside_the_code(h):
    person = h.people[0]
    client = deputy_client(person)
    resp = client.post(f"/meetings/{h.meeting.pk}/sign-in/", {"code": "WRONG123"})
    assert resp.status_code == 422
    form = resp.context["form"]
    assert form.errors["code"] and form.non_field_errors() == []
    assert h.attendee(person).status == Attendee.Status.EXPECTED


@BOTH_LANGUAGES
def test_a_refused_leave_request_shows_my_meetings_with_every_message(h, monkeypatch, lang, expected):
    person = h.people[1]
    client = deputy_client(person)
    if lang:
        client.cookies["django_language"] = lang
    monkeypatch.setattr(services, "attendee_request_leave", refuse_twice)
    resp = client.post(f"/meetings/{h.meeting.pk}/leave/", {"reason": "出差"})
    assert resp.status_code == 422
    assert "meetings/my_meetings.html" in [t.name for t in resp.templates]
    assert texts(resp) == expected
