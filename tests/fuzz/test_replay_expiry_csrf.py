"""Replayed and expired submissions, and submissions without a CSRF token: each is refused with a clear 4xx and a
message, and changes nothing."""

import datetime
import io

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from congress.models import BallotSlot, SealedBallot, VoteRecord
from deputies import liaison
from deputies.models import Mandate, Person, ResidentOpinion
from deputies.views import IMPORT_MAX_AGE
from meetings.models import Attendee
from projects.models import Project
from tests.ballot_box import filled
from tests.fuzz import harness
from tests.fuzz.endpoints import HEADERS, pools, roster_row
from tests.web import html

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db]


def box(poll):
    """Everything stored about a poll's ballots."""
    return (list(VoteRecord.objects.filter(poll=poll).values_list("elector_id", "channel").order_by("elector_id")),
            sorted((bytes(b), t) for b, t in SealedBallot.objects.filter(poll=poll).values_list("sealed", "tracker")),
            sorted(BallotSlot.objects.filter(poll=poll).values_list("status", "approvals", "rejections", "abstentions",
                                                                   "score")))


# --- replayed submissions ---------------------------------------------------------------

def test_a_ballot_sent_twice_is_a_conflict_and_the_first_stands(world, clients):
    p = pools(world)
    deputy, url = clients["deputy"], f"/ballots/{p.e.ballot.pk}/vote/"
    first = deputy.post(url, {"approve": [p.ballot_cands[0]]})
    assert first.status_code == 200 and 'id="receipt"' in html(first)
    stored = box(p.e.ballot.poll)
    for again in ({"approve": [p.ballot_cands[0]]}, {"approve": [p.ballot_cands[1]]}, {}):
        resp = deputy.post(url, again)
        assert resp.status_code == 409
        assert 'id="already-voted"' in html(resp) and harness.page_message(html(resp))
        assert 'id="receipt"' not in html(resp)
        assert box(p.e.ballot.poll) == stored
    harness.check_ballot_boxes()
    assert deputy.get(url).status_code == 200  # looking again is not a conflict


def test_a_score_sent_twice_is_a_conflict_and_the_first_stands(world, clients):
    p = pools(world)
    deputy, url = clients["deputy"], f"/surveys/{p.h.survey.pk}/"
    assert deputy.post(url, {"value": "88"}).status_code == 200
    stored = box(p.h.survey.poll)
    resp = deputy.post(url, {"value": "10"})
    assert resp.status_code == 409 and 'id="already-voted"' in html(resp) and harness.page_message(html(resp))
    assert box(p.h.survey.poll) == stored
    assert [s.score for s in filled(p.h.survey.poll) if s.receipt] == [88]


def test_the_rating_link_rates_once(world, client):
    p = pools(world)
    url = f"/opinions/track/{liaison.rating_token(p.h.answered)}/"
    assert client.post(url, {"rating": "4"}).status_code == 302
    resp = client.post(url, {"rating": "1"})
    assert resp.status_code == 409 and 'id="rating-refused"' in html(resp)
    assert "已经评价" in html(resp) or "already been rated" in html(resp)
    assert ResidentOpinion.objects.get(pk=p.h.answered.pk).rating == 4


def test_an_opinion_without_a_reply_cannot_be_rated(world, client):
    p = pools(world)
    resp = client.post(f"/opinions/track/{liaison.rating_token(p.h.opinion)}/", {"rating": "5"})
    assert resp.status_code == 422 and 'id="rating-refused"' in html(resp)
    assert ResidentOpinion.objects.get(pk=p.h.opinion.pk).rating is None


def test_a_sign_in_code_is_used_once(world, clients):
    p = pools(world)
    me = Attendee.objects.get(meeting=p.h.preparing, person=p.h.people[0])
    url = f"/meetings/{p.h.preparing.pk}/sign-in/"
    assert clients["deputy"].post(url, {"code": me.sign_in_code}).status_code == 302
    before = list(Attendee.objects.filter(meeting=p.h.preparing).values())
    for code in (me.sign_in_code, me.sign_in_code.lower(), "WRONG1", ""):
        resp = clients["deputy"].post(url, {"code": code})
        assert resp.status_code == 409 and 'id="code-used"' in html(resp) and harness.page_message(html(resp))
    assert list(Attendee.objects.filter(meeting=p.h.preparing).values()) == before


def test_a_roster_import_confirmed_twice_imports_once(world, clients):
    p = pools(world)
    payload = _preview(clients["staff"], p)
    url = f"/staff/bodies/{p.h.body.pk}/import/"
    assert clients["staff"].post(url, {"payload": payload}).status_code == 302
    mandates = Mandate.objects.count()
    resp = clients["staff"].post(url, {"payload": payload})
    assert resp.status_code == 422 and harness.page_message(html(resp))
    assert Mandate.objects.count() == mandates


# --- expired submissions ----------------------------------------------------------------

def _preview(staff, p):
    f = io.BytesIO((",".join(HEADERS) + "\n" + ",".join(roster_row(p)) + "\n").encode())
    f.name = "roster.csv"
    resp = staff.post(f"/staff/bodies/{p.h.body.pk}/import/", {"term": p.h.term.pk, "file": f})
    assert resp.status_code == 200, harness.page_message(html(resp))
    return resp.context["confirm_form"].initial["payload"]


@pytest.mark.parametrize("later", [datetime.timedelta(seconds=IMPORT_MAX_AGE + 1), datetime.timedelta(days=30)])
def test_an_expired_roster_preview_imports_nothing(world, clients, later):
    p = pools(world)
    url = f"/staff/bodies/{p.h.body.pk}/import/"
    with time_machine.travel(timezone.now(), tick=False) as clock:
        payload = _preview(clients["staff"], p)
        clock.shift(later)
        clients["staff"].force_login(p.h.staff)  # the session may have expired as well
        people, mandates = Person.objects.count(), Mandate.objects.count()
        resp = clients["staff"].post(url, {"payload": payload})
    assert resp.status_code == 400
    assert "过期" in harness.page_message(html(resp)) or "expired" in harness.page_message(html(resp))
    assert (Person.objects.count(), Mandate.objects.count()) == (people, mandates)


def test_a_roster_preview_within_the_hour_still_imports(world, clients):
    p = pools(world)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        payload = _preview(clients["staff"], p)
        clock.shift(datetime.timedelta(seconds=IMPORT_MAX_AGE - 60))
        resp = clients["staff"].post(f"/staff/bodies/{p.h.body.pk}/import/", {"payload": payload})
    assert resp.status_code == 302 and Person.objects.filter(name="居民甲").exists()


def test_the_tracking_link_does_not_expire(world, client):
    """By design: a resident may come back for the reply and rate it months later; the one rating limits the link."""
    p = pools(world)
    url = f"/opinions/track/{liaison.rating_token(p.h.answered)}/"
    with time_machine.travel(timezone.now() + datetime.timedelta(days=800), tick=False):
        assert client.get(url).status_code == 200
        assert client.post(url, {"rating": "5"}).status_code == 302


def test_voting_after_the_window_closed_is_refused(world, clients):
    p = pools(world)
    url = f"/ballots/{p.e.ballot.pk}/vote/"
    stored = box(p.e.ballot.poll)
    with time_machine.travel(p.e.ballot.poll.closes_at + datetime.timedelta(minutes=1), tick=False):
        resp = clients["deputy"].post(url, {"approve": [p.ballot_cands[0]]})
    assert resp.status_code == 403 and harness.page_message(html(resp))
    assert box(p.e.ballot.poll) == stored


# --- missing CSRF token -----------------------------------------------------------------

def _csrf_client(user=None):
    c = Client(enforce_csrf_checks=True)
    if user is not None:
        c.force_login(user)
    return c


def _refused_for_csrf(resp):
    assert resp.status_code == 403
    assert "本站" in html(resp) or "not sent from this site" in html(resp)
    assert harness.page_message(html(resp))


def test_public_form_without_csrf_token(world):
    p = pools(world)
    data = {"division": p.h.community.pk, "category": p.h.category.pk, "text": "小区门口的路灯坏了很久", "consent": "on"}
    c = _csrf_client()
    n = ResidentOpinion.objects.count()
    _refused_for_csrf(c.post("/opinions/new/", data))
    _refused_for_csrf(c.post("/opinions/new/", {**data, "csrfmiddlewaretoken": "forged" * 8}))
    assert ResidentOpinion.objects.count() == n
    # the same form with the token from the page goes through: the 403 was the token's doing
    c.get("/opinions/new/")
    accepted = c.post("/opinions/new/", {**data, "csrfmiddlewaretoken": c.cookies["csrftoken"].value})
    assert accepted.status_code == 302 and accepted["Location"].startswith("/opinions/thanks/")  # POST, redirect, GET
    assert ResidentOpinion.objects.count() == n + 1


def test_deputy_form_without_csrf_token(world):
    p = pools(world)
    stored = box(p.e.ballot.poll)
    _refused_for_csrf(_csrf_client(p.h.deputy).post(f"/ballots/{p.e.ballot.pk}/vote/", {"approve": [p.ballot_cands[0]]}))
    assert box(p.e.ballot.poll) == stored


def test_staff_form_without_csrf_token(world):
    p = pools(world)
    n = Project.objects.count()
    _refused_for_csrf(_csrf_client(p.h.staff).post("/staff/projects/new/", {
        "body": p.h.body.pk, "year": 2027, "title": "新建停车场", "category": p.h.project_category.pk,
        "description": "为居民办实事", "source": "staff"}))
    assert Project.objects.count() == n


def test_sign_in_without_csrf_token(world):
    _refused_for_csrf(_csrf_client().post("/accounts/login/", {"username": "fuzz-login", "password": "x"}))
