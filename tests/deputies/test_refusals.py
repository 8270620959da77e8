"""A refused action of the deputies' pages shows its page again, with 422 and every message of the refusal in the
user's language (congress.responses.act); an accepted one redirects with its message."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy

from deputies import liaison, suggestions
from deputies import services as ds
from deputies.models import OpinionCategory, Suggestion
from tests import factories
from tests.web import error_messages, html, signed_in, success_messages

pytestmark = pytest.mark.django_db


def texts(resp):
    return [str(m) for m in error_messages(resp)]


@pytest.fixture
def answered(sub_body):
    body, term = sub_body
    lead = factories.PersonFactory(area=factories.community(parent=body.division))
    factories.seat(lead, term)
    s = suggestions.suggestion_submit(body=body, lead=lead, title="增设公交站", text="建议增设",
                                      submitted_on=datetime.date(2026, 3, 2))
    s = suggestions.suggestion_assign(suggestion=s, unit="区交通局", on=datetime.date(2026, 3, 2))
    s = suggestions.suggestion_reply(suggestion=s, reply="已纳入明年计划", on=datetime.date(2026, 4, 1))
    user, _password = ds.deputy_account_create(person=lead)
    return s, user


@pytest.mark.parametrize("lang, expected", [
    (None, ["您对办理情况是否满意？: 这个字段是必填项。"]),
    ("en", ["Are you satisfied with the handling?: This field is required."]),
])
def test_an_evaluation_without_an_answer_shows_my_suggestions_with_the_forms_error(answered, lang, expected):
    s, user = answered
    client = signed_in(user, lang)
    resp = client.post(f"/me/suggestions/{s.pk}/evaluate/", {})
    assert resp.status_code == 422
    assert "deputies/my_suggestions.html" in [t.name for t in resp.templates]
    assert texts(resp) == expected and expected[0] in html(resp)
    s.refresh_from_db()
    assert s.state == Suggestion.State.ANSWERED


def test_an_evaluation_redirects_to_my_suggestions_with_thanks(answered):
    s, user = answered
    client = signed_in(user, "en")
    resp = client.post(f"/me/suggestions/{s.pk}/evaluate/", {"satisfaction": "satisfied"})
    assert resp.status_code == 302 and resp["Location"] == "/me/suggestions/"
    assert [str(m) for m in success_messages(client.get("/me/suggestions/"))] == ["Thank you for your evaluation."]
    s.refresh_from_db()
    assert s.state == Suggestion.State.CLOSED


@pytest.fixture
def opinion(db):
    sub = factories.subdistrict()
    op = liaison.opinion_receive(division=factories.community(parent=sub), category=OpinionCategory.objects.first(),
                                  text="路灯不亮", channel="reception")
    return op, factories.staff(sub)


@pytest.mark.parametrize("lang, expected", [
    (None, ["变更为: 选择一个有效的选项。 bogus 不在可用的选项中。", "计划完成日期: 输入一个有效的日期。"]),
    ("en", ["Move to: Select a valid choice. bogus is not one of the available choices.", "Due: Enter a valid date."]),
])
def test_a_refused_step_on_an_opinion_says_every_error_after_its_label(opinion, lang, expected):
    op, staff = opinion
    resp = signed_in(staff, lang).post(f"/staff/opinions/{op.pk}/act/",
                                       {"to": "bogus", "due_date": "soon", "reason": "已电话联系"})
    assert resp.status_code == 422
    assert texts(resp) == expected
    assert "已电话联系" in html(resp)  # what was typed is still in the form
    op.refresh_from_db()
    assert op.state == "received"


@pytest.mark.parametrize("lang, expected", [
    (None, ["该答复已经评价过。", "请按1至5分评价。"]),
    ("en", ["This reply has already been rated.", "Rate from 1 to 5."]),
])
def test_a_service_refusing_a_step_for_two_reasons_shows_both(opinion, monkeypatch, lang, expected):
    op, staff = opinion

    def refuse(**_kw):
        raise ValidationError([gettext_lazy("This reply has already been rated."), gettext_lazy("Rate from 1 to 5.")])

    monkeypatch.setattr(liaison, "opinion_transition", refuse)
    resp = signed_in(staff, lang).post(f"/staff/opinions/{op.pk}/act/",
                                       {"to": "referred", "unit": "街道城管办", "due_date": "2026-12-01"})
    assert resp.status_code == 422
    assert "deputies/opinion_detail.html" in [t.name for t in resp.templates]
    assert texts(resp) == expected and all(m in html(resp) for m in expected)
