"""Safeguards on the steps of a project ballot that cannot be undone: the confirmation pages, a reason for an early
or thin close, four eyes and the scrutineers on certification (congress/safeguards.py)."""

import datetime
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone, translation

from congress import services as congress_services
from congress.models import AuditLog, CongressBody, SecretPoll
from projects import services
from projects.models import Ballot, Project
from tests import factories
from tests.projects.conftest import Election
from tests.web import html

pytestmark = pytest.mark.django_db

SCRUTINEERS = "王监票\n赵监票"


def signed_in(user, lang="zh-hans") -> Client:
    c = Client()
    c.cookies["django_language"] = lang
    c.force_login(user)
    return c


def poll_of(e) -> SecretPoll:
    return SecretPoll.objects.get(pk=e.ballot.poll_id)


def thin_election(**kw):
    """Five deputies on the electorate, one has voted; voting closes in two hours."""
    e = Election(deputies=5, candidates=3, **kw).open()
    e.approve(e.people[0], 0)
    return e


def counted(e, closer):
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        services.ballot_close(ballot=e.ballot, acting_user=closer, reason=factories.CLOSE_REASON)
        e.unseal()  # the scrutineers open the box; eager Celery counts it
    e.ballot.refresh_from_db()
    return e.ballot


# --- 1. confirmation ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("lang,words", [
    ("zh-hans", ["5 名投票人中 1 人已投票（20.0%）", "低于本机构 50% 的最低投票率", "距截止时间还有", "未达到",
                 "监票人持各自的密钥卡共同开启密封票箱", "不能撤销"]),
    ("en", ["1 of 5 electors voted (20.0%)", "below this body's minimum of 50%", "before the end time",
            "not reached", "the scrutineers open the sealed ballot box", "cannot be undone"]),
])
def test_the_close_page_states_turnout_time_left_quorum_and_what_follows(lang, words):
    e = thin_election()
    staff = factories.staff(e.body.division.parent)
    resp = signed_in(staff, lang).get(f"/staff/ballots/{e.ballot.pk}/close/")
    assert resp.status_code == 200
    page = html(resp)
    for w in words:
        assert w in page, w
    assert 'id="reason-required"' in page and 'name="confirm"' in page and 'name="reason"' in page
    assert poll_of(e).state == SecretPoll.State.OPEN  # showing the page changes nothing


def test_the_ballot_page_links_to_the_confirmation_instead_of_closing_in_one_click():
    e = thin_election()
    staff = factories.staff(e.body.division.parent)
    page = html(signed_in(staff).get(f"/staff/ballots/{e.ballot.pk}/"))
    assert f'id="close-ballot" href="/staff/ballots/{e.ballot.pk}/close/"' in page
    assert f'action="/staff/ballots/{e.ballot.pk}/close/"' not in page


def test_a_one_click_close_without_the_confirmation_is_refused_and_changes_nothing():
    e = Election(deputies=3, candidates=2, closes_at=None).open()
    for p in e.people:
        e.approve(p, 0)  # a full turnout and no end time: only the confirmation is missing
    staff = factories.staff(e.body.division.parent)
    c = signed_in(staff, "en")
    for data in ({}, {"reason": "x"}, {"confirm": ""}):
        resp = c.post(f"/staff/ballots/{e.ballot.pk}/close/", data)
        assert resp.status_code == 422
        assert "Tick the box to confirm: nothing is closed without it." in html(resp)
    poll = poll_of(e)
    assert poll.state == SecretPoll.State.OPEN and poll.closed_at is None and poll.closed_by is None
    assert not AuditLog.objects.filter(action="poll.close").exists()
    resp = c.post(f"/staff/ballots/{e.ballot.pk}/close/", {"confirm": "on"})
    assert resp.status_code == 302
    assert poll_of(e).state in (SecretPoll.State.CLOSED, SecretPoll.State.TALLIED)


def test_a_closed_ballot_is_not_closed_again_from_its_confirmation_page():
    e = Election(deputies=3, candidates=2).open()
    e.close_and_count()
    staff = factories.staff(e.body.division.parent)
    c = signed_in(staff)
    assert c.get(f"/staff/ballots/{e.ballot.pk}/close/").status_code == 302
    assert c.post(f"/staff/ballots/{e.ballot.pk}/close/", {"confirm": "on", "reason": "x"}).status_code == 422


def test_no_confirmation_dialog_or_inline_script_in_the_confirmation_pages():
    root = Path(__file__).resolve().parents[2]
    for name in ("projects/templates/projects/ballot_close.html", "projects/templates/projects/ballot_certify.html",
                 "meetings/templates/meetings/survey_close.html", "templates/safeguards/_close_facts.html",
                 "templates/safeguards/_closing_note.html"):
        text = (root / name).read_text()
        assert "<script" not in text and "confirm(" not in text and "onclick" not in text, name


# --- 2. early or thin close --------------------------------------------------------------------------------

def test_an_early_close_without_a_reason_is_refused_and_nothing_changes():
    e = Election(deputies=3, candidates=2).open()  # closes in two hours
    for p in e.people:
        e.approve(p, 0)
    # full turnout: only the end time is in the way
    staff = factories.staff(e.body.division.parent)
    resp = signed_in(staff, "en").post(f"/staff/ballots/{e.ballot.pk}/close/", {"confirm": "on", "reason": "  "})
    assert resp.status_code == 422
    assert "Write the reason for closing now: its end time" in html(resp) and "Nothing was closed." in html(resp)
    poll = poll_of(e)
    assert poll.state == SecretPoll.State.OPEN and poll.close_reason == "" and poll.closed_by is None
    assert Ballot.objects.get(pk=e.ballot.pk).tally_state == ""
    assert not AuditLog.objects.filter(action="poll.close").exists()
    with pytest.raises(ValidationError):
        services.ballot_close(ballot=e.ballot, acting_user=staff)
    with pytest.raises(ValidationError):  # the rule holds whoever calls: no acting user is no way round it
        services.ballot_close(ballot=e.ballot)


def test_a_thin_close_after_the_end_time_still_needs_a_reason_from_staff():
    e = thin_election()
    SecretPoll.objects.filter(pk=e.ballot.poll_id).update(closes_at=timezone.now() - datetime.timedelta(minutes=5))
    staff = factories.staff(e.body.division.parent)
    resp = signed_in(staff, "en").post(f"/staff/ballots/{e.ballot.pk}/close/", {"confirm": "on"})
    assert resp.status_code == 422
    assert "turnout is 1 of 5 (20.0%), below this body&#x27;s minimum of 50%" in html(resp)
    assert poll_of(e).state == SecretPoll.State.OPEN


def test_the_reason_is_stored_audited_and_printed_on_the_result(django_capture_on_commit_callbacks):
    e = thin_election()
    closer = factories.staff(e.body.division.parent)
    with django_capture_on_commit_callbacks(execute=True):
        resp = signed_in(closer).post(f"/staff/ballots/{e.ballot.pk}/close/",
                                      {"confirm": "on", "reason": "  暴雨红色预警，  会议提前结束 "})
    assert resp.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        e.unseal()  # the scrutineers open the box; eager Celery counts it
    poll = poll_of(e)
    assert poll.state == SecretPoll.State.TALLIED
    assert poll.close_reason == "暴雨红色预警， 会议提前结束" and poll.closed_by == closer
    row = AuditLog.objects.get(action="poll.close", object_id=str(poll.pk))
    assert row.actor == closer
    after = row.changes["after"]
    assert after["reason"] == poll.close_reason and after["early"] is True and after["thin"] is True
    assert (after["voted"], after["electorate"], after["min_turnout_percent"]) == (1, 5, 50)
    assert after["seconds_left"] > 3600
    certifier = factories.staff(e.body.division.parent)
    services.ballot_certify(ballot=e.ballot, acting_user=certifier, scrutineers=["王监票", "赵监票"])
    client = Client()
    client.cookies["django_language"] = "en"
    for url in (f"/ballots/{e.ballot.pk}/result/", f"/ballots/{e.ballot.pk}/result/print/"):
        page = html(client.get(url))
        assert "暴雨红色预警， 会议提前结束" in page and 'id="closed-early"' in page, url
        assert "Turnout was 1 of 5 (20.0%), below this body's minimum of 50% for closing." in page, url
    staff_page = html(signed_in(closer).get(f"/staff/ballots/{e.ballot.pk}/"))
    assert 'id="close-reason"' in staff_page


def test_the_scheduler_closes_at_the_end_time_without_a_reason_and_the_result_says_so():
    from django.test import TestCase

    from projects.tasks import close_due_ballots

    e = thin_election()
    SecretPoll.objects.filter(pk=e.ballot.poll_id).update(closes_at=timezone.now() - datetime.timedelta(minutes=1))
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert close_due_ballots.delay().get() == 1
    poll = poll_of(e)
    assert poll.state == SecretPoll.State.CLOSED and poll.close_reason == "" and poll.closed_by is None
    with TestCase.captureOnCommitCallbacks(execute=True):
        e.unseal()  # the scrutineers open the box; eager Celery counts it
    assert poll_of(e).state == SecretPoll.State.TALLIED
    services.ballot_certify(ballot=e.ballot, **factories.certifying(e.body))
    c = Client()
    c.cookies["django_language"] = "en"
    page = html(c.get(f"/ballots/{e.ballot.pk}/result/"))
    assert "Closed automatically at the end time." in page and 'id="closed-thin"' in page
    assert 'id="closed-early"' not in page


def test_the_minimum_turnout_is_set_per_body_and_kept_between_0_and_100():
    e = Election(deputies=5, candidates=2, closes_at=None).open()
    e.approve(e.people[0], 0)  # 1 of 5
    staff = factories.staff(e.body.division.parent)
    with pytest.raises(ValidationError):
        services.ballot_close(ballot=e.ballot, acting_user=staff)
    congress_services.body_update(body=CongressBody.objects.get(pk=e.body.pk), acting_user=staff,
                                  min_close_turnout_percent=20)  # as the admin saves it: audited
    assert AuditLog.objects.get(action="body.update").changes["after"]["min_close_turnout_percent"] == 20
    with pytest.raises(ValidationError):
        congress_services.body_update(body=CongressBody.objects.get(pk=e.body.pk), min_close_turnout_percent=101)
    services.ballot_close(ballot=e.ballot, acting_user=staff)  # 20% >= 20%, no end time: no reason needed
    assert poll_of(e).close_reason == ""
    for bad in (101, 250):
        with pytest.raises(IntegrityError), transaction.atomic():
            CongressBody.objects.filter(pk=e.body.pk).update(min_close_turnout_percent=bad)
    assert CongressBody._meta.get_field("min_close_turnout_percent").default == 50


# --- 3. four eyes and scrutineers --------------------------------------------------------------------------

def test_whoever_closed_a_ballot_cannot_certify_it(django_capture_on_commit_callbacks):
    e = thin_election()
    closer = factories.staff(e.body.division.parent)
    counted(e, closer)
    with translation.override("en"), pytest.raises(ValidationError, match="another staff member"):
        services.ballot_certify(ballot=e.ballot, acting_user=closer, scrutineers=["王监票", "赵监票"])
    c = signed_in(closer, "en")
    page = c.get(f"/staff/ballots/{e.ballot.pk}/certify/")
    assert page.status_code == 200
    assert 'id="four-eyes"' in html(page) and "You closed this ballot, so you cannot also certify it" in html(page)
    assert 'id="confirm-certify-form"' not in html(page)
    resp = c.post(f"/staff/ballots/{e.ballot.pk}/certify/", {"confirm": "on", "scrutineers": SCRUTINEERS})
    assert resp.status_code == 422 and "Nothing was certified." in html(resp)
    assert poll_of(e).state == SecretPoll.State.TALLIED
    assert not AuditLog.objects.filter(action="poll.certify").exists()
    assert set(Project.objects.filter(pk__in=[p.pk for p in e.projects]).values_list("state", flat=True)) == {"on_ballot"}


@pytest.mark.parametrize("data,message", [
    ({}, "Tick the box to confirm: nothing is certified without it."),
    ({"confirm": "on"}, "Name the scrutineers present at the count."),
    ({"confirm": "on", "scrutineers": "王监票"}, "at least 2"),
    ({"confirm": "on", "scrutineers": "王监票\n王监票"}, "王监票 is named twice among the scrutineers."),
    ({"confirm": "on", "scrutineers": "王监票\n" + "长" * 51}, "at most 50 characters"),
])
def test_a_certification_without_confirmation_or_two_scrutineers_is_refused(data, message):
    e = thin_election()
    counted(e, factories.staff(e.body.division.parent))
    certifier = factories.staff(e.body.division.parent)
    resp = signed_in(certifier, "en").post(f"/staff/ballots/{e.ballot.pk}/certify/", data)
    assert resp.status_code == 422 and message in html(resp)
    assert poll_of(e).state == SecretPoll.State.TALLIED


def test_a_second_staff_member_certifies_with_the_scrutineers_audited_and_printed():
    e = thin_election()
    closer = factories.staff(e.body.division.parent)
    counted(e, closer)
    certifier = factories.staff(e.body.division.parent)
    c = signed_in(certifier, "en")
    page = html(c.get(f"/staff/ballots/{e.ballot.pk}/certify/"))
    assert 'id="confirm-certify-form"' in page and 'id="four-eyes"' not in page
    assert "1 of 5 electors voted (20.0%)" in page and factories.CLOSE_REASON in page
    assert "projects are adopted and go into implementation" in page or "project is adopted" in page
    resp = c.post(f"/staff/ballots/{e.ballot.pk}/certify/", {"confirm": "on", "scrutineers": "王监票、赵监票\n钱监票"})
    assert resp.status_code == 302
    e.ballot.refresh_from_db()
    assert poll_of(e).state == SecretPoll.State.CERTIFIED
    assert e.ballot.result.certified_by == certifier and e.ballot.result.scrutineers == ["王监票", "赵监票", "钱监票"]
    row = AuditLog.objects.get(action="poll.certify")
    assert row.actor == certifier and row.changes["after"]["scrutineers"] == ["王监票", "赵监票", "钱监票"]
    public = Client()
    for url in (f"/ballots/{e.ballot.pk}/result/", f"/ballots/{e.ballot.pk}/result/print/"):
        assert "王监票、赵监票、钱监票" in html(public.get(url)), url


def test_a_certification_is_made_by_a_signed_in_staff_member():
    e = thin_election()
    counted(e, factories.staff(e.body.division.parent))
    with pytest.raises(ValidationError):
        services.ballot_certify(ballot=e.ballot, acting_user=None, scrutineers=["王监票", "赵监票"])
    assert poll_of(e).state == SecretPoll.State.TALLIED
