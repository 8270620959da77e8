import datetime
import re

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from deputies import liaison
from deputies.models import LiaisonStation, OpinionCategory, ResidentOpinion
from deputies.tasks import flag_overdue_resident_opinions
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def place():
    sub = factories.subdistrict()
    return sub, factories.community(parent=sub)


def receive(division, **kw):
    return liaison.opinion_receive(division=division, category=OpinionCategory.objects.first(), text="路灯不亮",
                                    channel=kw.pop("channel", "reception"), **kw)


def test_lifecycle_with_history_and_reply(place):
    sub, comm = place
    staff = factories.staff(sub)
    op = receive(comm)
    with pytest.raises(ValidationError):  # a referral names the unit and the due date
        liaison.opinion_transition(opinion=op, to="referred", acting_user=staff)
    liaison.opinion_transition(opinion=op, to="referred", unit="街道城管办", due_date=datetime.date(2026, 12, 1),
                                acting_user=staff)
    liaison.opinion_transition(opinion=op, to="in_progress", acting_user=staff)
    with pytest.raises(ValidationError):  # closing needs the reply to the resident
        liaison.opinion_transition(opinion=op, to="resolved", acting_user=staff)
    liaison.opinion_transition(opinion=op, to="resolved", reply="已更换灯具", acting_user=staff)
    op.refresh_from_db()
    assert op.state == "resolved" and op.reply == "已更换灯具"
    assert list(op.transitions.values_list("to_state", flat=True)) == ["received", "referred", "in_progress", "resolved"]
    assert op.transitions.last().by == staff
    with pytest.raises(ValidationError):
        liaison.opinion_transition(opinion=op, to="referred", unit="x", due_date=datetime.date(2027, 1, 1))


@pytest.mark.parametrize("to", ["deferred", "not_adopted"])
def test_deferred_and_not_adopted_need_a_reason(place, to):
    _sub, comm = place
    op = receive(comm)
    with pytest.raises(ValidationError):
        liaison.opinion_transition(opinion=op, to=to, reply="已答复")
    liaison.opinion_transition(opinion=op, to=to, reason="条件暂不具备", reply="纳入明年计划")
    with pytest.raises(IntegrityError), transaction.atomic():
        ResidentOpinion.objects.filter(pk=op.pk).update(state_reason="")


def test_deferred_can_be_referred_again(place):
    _sub, comm = place
    op = receive(comm)
    liaison.opinion_transition(opinion=op, to="deferred", reason="条件暂不具备", reply="暂缓")
    liaison.opinion_transition(opinion=op, to="referred", unit="区住建委", due_date=datetime.date(2027, 3, 1))
    op.refresh_from_db()
    assert (op.state, op.unit, op.due_date, op.state_reason) == ("referred", "区住建委", datetime.date(2027, 3, 1), "")
    assert [(t.from_state, t.to_state) for t in op.transitions.all()][-2:] == [
        ("received", "deferred"), ("deferred", "referred")]


def test_overdue_flag_is_idempotent(place):
    _sub, comm = place
    op = receive(comm)
    liaison.opinion_transition(opinion=op, to="referred", unit="x", due_date=datetime.date(2026, 1, 1))
    assert liaison.resident_opinions_flag_overdue(on_date=datetime.date(2026, 1, 2)) == 1
    assert liaison.resident_opinions_flag_overdue(on_date=datetime.date(2026, 1, 2)) == 0
    assert flag_overdue_resident_opinions.delay().get() == 0
    liaison.opinion_transition(opinion=op, to="resolved", reply="已办")
    op.refresh_from_db()
    assert not op.overdue


def test_resident_rates_once_after_the_reply(place, client):
    _sub, comm = place
    op = receive(comm)
    token = liaison.rating_token(op)
    with pytest.raises(ValidationError):
        liaison.opinion_rate(opinion=op, rating=5)
    liaison.opinion_transition(opinion=op, to="not_adopted", reason="不属于街道职责", reply="已转区级部门")
    resp = client.post(f"/opinions/track/{token}/", {"rating": 4})
    assert resp.status_code == 302
    op.refresh_from_db()
    assert op.rating == 4
    assert client.post(f"/opinions/track/{token}/", {"rating": 1}).status_code == 409  # the first rating stands
    op.refresh_from_db()
    assert op.rating == 4
    assert client.get("/opinions/track/forged-token/").status_code == 404
    with pytest.raises(IntegrityError), transaction.atomic():
        ResidentOpinion.objects.filter(pk=op.pk).update(rating=9)


def test_public_form_privacy_rate_limit_and_bad_input(place, client, settings):
    _sub, comm = place
    cache.clear()
    settings.PUBLIC_FORM_RATE = "2/h"
    page = client.get("/opinions/new/")
    assert 'id="privacy-notice"' in page.content.decode()
    cat = OpinionCategory.objects.first()
    good = {"division": comm.pk, "category": cat.pk, "text": "小区门口积水严重", "consent": "on"}
    assert client.post("/opinions/new/", {**good, "text": ""}).status_code == 422
    resp = client.post("/opinions/new/", good)
    assert resp.status_code == 302
    assert 'id="track-link"' in client.get(resp["Location"]).content.decode()
    assert ResidentOpinion.objects.filter(channel="online").count() == 1
    assert client.post("/opinions/new/", good).status_code == 429
    assert ResidentOpinion.objects.count() == 1


def test_honeypot_and_missing_consent_are_refused(place, client):
    _sub, comm = place
    cache.clear()
    cat = OpinionCategory.objects.first()
    good = {"division": comm.pk, "category": cat.pk, "text": "小区门口积水严重", "consent": "on"}
    assert client.post("/opinions/new/", {**good, "website": "spam"}).status_code == 422
    assert client.post("/opinions/new/", {k: v for k, v in good.items() if k != "consent"}).status_code == 422
    assert not ResidentOpinion.objects.exists()


def test_staff_scope_on_opinions(place, client):
    sub, comm = place
    mine = receive(comm)
    other = receive(factories.community())
    client.force_login(factories.staff(sub))
    listing = client.get("/staff/opinions/").content.decode()
    assert mine.reference in listing and other.reference not in listing
    assert client.get(f"/staff/opinions/{other.pk}/").status_code == 404
    resp = client.post(f"/staff/opinions/{other.pk}/act/", {"to": "not_adopted", "reason": "x", "reply": "y"})
    assert resp.status_code == 404
    other.refresh_from_db()
    assert other.state == "received"


def test_staff_handle_an_opinion_over_http(place, client):
    sub, comm = place
    op = receive(comm)
    client.force_login(factories.staff(sub))
    resp = client.post(f"/staff/opinions/{op.pk}/act/", {"to": "referred", "unit": "街道城管办", "due_date": "2026-12-01"})
    assert resp.status_code == 302
    op.refresh_from_db()
    assert op.state == "referred"
    resp = client.post(f"/staff/opinions/{op.pk}/act/", {"to": "resolved"}, follow=True)
    op.refresh_from_db()
    assert op.state == "referred" and any(m.level_tag == "error" for m in resp.context["messages"])


def test_opinion_becomes_a_project_and_the_link_is_kept_both_ways(place, client):
    from congress.models import CongressBody
    from projects.models import Category, Project

    sub, comm = place
    body = factories.BodyFactory(kind=CongressBody.Kind.DELIBERATION_CONGRESS, division=sub)
    op = receive(comm)
    client.force_login(factories.staff(sub))
    resp = client.post(f"/staff/opinions/{op.pk}/to-project/", {
        "body": body.pk, "year": 2027, "title": "路灯改造", "category": Category.objects.first().pk})
    assert resp.status_code == 302
    project = Project.objects.get(opinion=op)
    assert project.source == "opinion" and project.state == "solicited"
    assert list(op.projects.all()) == [project]
    assert op.reference in client.get(f"/staff/projects/{project.pk}/").content.decode()
    assert "路灯改造" in client.get(f"/staff/opinions/{op.pk}/").content.decode()


def test_reception_days_by_rule_and_records(place):
    sub, comm = place
    deputies = [factories.PersonFactory(area=comm) for _ in range(2)]
    home = liaison.station_create(kind="home", name="白桃代表之家", division=sub, address="x路1号", deputies=deputies,
                                   reception_day=20, reception_months=LiaisonStation.Months.EVEN)
    days = home.reception_dates(datetime.date(2026, 1, 1), datetime.date(2026, 12, 31))
    assert days == [datetime.date(2026, m, 20) for m in (2, 4, 6, 8, 10, 12)]
    liaison.reception_record(station=home, date=datetime.date(2026, 2, 20), on_duty=deputies, residents=37)
    with pytest.raises(ValidationError):
        liaison.reception_record(station=home, date=datetime.date(2026, 2, 20), on_duty=deputies, residents=5)
    with pytest.raises(ValidationError):
        liaison.reception_record(station=home, date=datetime.date(2026, 4, 20), on_duty=deputies, residents=-1)
    with pytest.raises(ValidationError):
        liaison.station_create(kind="station", name="x", division=sub, address="y", reception_day=31,
                                reception_months="even")


def test_a_reply_typed_while_referring_is_refused_not_dropped(place, client):
    """The page used to say "updated" and drop the reply; now it refuses, keeps the text in the form, saves nothing."""
    sub, comm = place
    op = receive(comm)
    client.force_login(factories.staff(sub))
    resp = client.post(f"/staff/opinions/{op.pk}/act/", {"to": "referred", "unit": "街道城管办",
                                                         "due_date": "2026-12-01", "reply": "已联系城管"})
    assert resp.status_code == 422
    html = resp.content.decode()
    assert "已联系城管" in html  # what was typed is still there
    errors = [str(m) for m in resp.context["messages"] if m.level_tag == "error"]
    assert errors and "答复" in errors[0]
    assert not any(m.level_tag == "success" for m in resp.context["messages"])
    op.refresh_from_db()
    assert (op.state, op.reply, op.unit) == ("received", "", "")
    # the same through the service, for any caller
    with pytest.raises(ValidationError):
        liaison.opinion_transition(opinion=op, to="referred", unit="x", due_date=datetime.date(2027, 1, 1),
                                    reply="已联系")
    # a unit typed with a closing step is refused too
    with pytest.raises(ValidationError):
        liaison.opinion_transition(opinion=op, to="not_adopted", reason="不属于职责", reply="已答复", unit="区住建委")
    # the reply goes with the closing step, and is kept
    liaison.opinion_transition(opinion=op, to="referred", unit="x", due_date=datetime.date(2027, 1, 1))
    resp = client.post(f"/staff/opinions/{op.pk}/act/", {"to": "resolved", "reply": "已更换灯具"})
    assert resp.status_code == 302
    op.refresh_from_db()
    assert (op.state, op.reply) == ("resolved", "已更换灯具")


def test_public_opinion_post_redirect_get_with_a_receipt(place, client):
    """The thank-you page is a GET after a redirect (a reload sends nothing), with reference, wrapping link and QR."""
    _sub, comm = place
    cache.clear()
    good = {"division": comm.pk, "category": OpinionCategory.objects.first().pk, "text": "小区门口积水严重",
            "consent": "on"}
    resp = client.post("/opinions/new/", good)
    assert resp.status_code == 302 and resp["Location"].startswith("/opinions/thanks/")
    opinion = ResidentOpinion.objects.get()
    for _reload in range(2):
        thanks = client.get(resp["Location"])
        assert thanks.status_code == 200
    assert ResidentOpinion.objects.count() == 1
    page = thanks.content.decode()
    assert opinion.reference in page
    token = re.search(r'id="track-link" class="track-link" href="[^"]*/opinions/track/([^/"]+)/"', page).group(1)
    assert liaison.opinion_for_token(token) == opinion  # the link leads to this opinion
    assert 'class="track-link"' in page and "<svg" in page and 'id="track-qr"' in page
    # the copy button is hidden until the static script (no inline script: CSP) finds a clipboard
    assert 'data-copy="#track-link"' in page and "js/copy.js" in page
    assert "<script>" not in page and "onclick" not in page
    assert client.get("/opinions/thanks/forged/").status_code == 404


def test_the_tracking_link_wraps_on_a_phone():
    from pathlib import Path

    css = (Path(__file__).resolve().parents[2] / "static" / "css" / "site.css").read_text()
    rule = css[css.index(".track-link"):]
    rule = rule[:rule.index("}")]
    assert "overflow-wrap: anywhere" in rule and "word-break: break-all" in rule


def test_a_refused_form_shows_every_message_of_the_refusal(place, client, monkeypatch):
    """A service that refuses for two reasons shows both, on the form, with 422 (not only the first)."""
    sub, comm = place
    client.force_login(factories.staff(sub))

    def refuse(**_kw):
        raise ValidationError(["第一个原因", "第二个原因"])

    monkeypatch.setattr(liaison, "opinion_receive", refuse)
    resp = client.post("/staff/opinions/new/", {"division": comm.pk, "channel": "reception", "text": "路灯不亮了",
                                                "category": OpinionCategory.objects.first().pk})
    assert resp.status_code == 422
    assert resp.context["form"].non_field_errors() == ["第一个原因", "第二个原因"]
    page = resp.content.decode()
    assert "第一个原因" in page and "第二个原因" in page
