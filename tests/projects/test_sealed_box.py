"""The sealed ballot box: opening it with the scrutineers' cards, what counts when opened, void and re-run."""

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils import translation

from congress import polls, sealing
from congress.models import AuditLog, BallotSlot, SealedBallot, SecretPoll, VoteRecord
from projects import services
from projects.models import Project
from tests import factories
from tests.ballot_box import peek, stored
from tests.factories import CLOSE_REASON
from tests.projects.conftest import Election

pytestmark = pytest.mark.django_db


def voted_and_closed(deputies=4, **kw):
    e = Election(deputies=deputies, **kw).open()
    for i, p in enumerate(e.people):
        e.approve(p, i % 2)
    services.ballot_close(ballot=e.ballot, reason=CLOSE_REASON)
    return e


def test_opening_is_refused_while_voting_is_open(election):
    e = Election().open()
    e.approve(e.people[0], 0)
    for lang, words in (("zh-hans", "投票仍在进行"), ("en", "Voting is still open")):
        with translation.override(lang), pytest.raises(ValidationError, match=words):
            e.unseal()
    assert SealedBallot.objects.filter(poll=e.ballot.poll).count() == 1 and not BallotSlot.objects.exists()


def test_any_two_of_three_cards_open_the_box_typed_loosely(election):
    e = voted_and_closed()
    sloppy = e.shares[2].lower().replace("-", " ").replace("O", "0")
    assert e.unseal([sloppy, "", e.shares[0]]) == 4
    poll = SecretPoll.objects.get(pk=e.ballot.poll_id)
    assert poll.unsealed_at and not SealedBallot.objects.filter(poll=poll).exists()
    assert BallotSlot.objects.filter(poll=poll, status="valid").count() == 4
    audit = AuditLog.objects.get(action="poll.unseal")
    assert audit.changes["after"]["opened"] == 4 and set(audit.changes["after"]["cards"]) == {"监票人甲", "监票人丙"}
    with pytest.raises(ValidationError, match="已经开启|already been opened"):
        e.unseal()


@pytest.mark.parametrize("case, zh, en", [
    ("one", "需要 2 位监票人的密封卡", "2 scrutineers' cards are needed"),
    ("repeated", "输入了两次", "entered twice"),
    ("mistyped", "校验", "checksum"),
    ("short", "不完整", "incomplete"),
    ("garbage", "字符", "characters that are not on a share card"),
    ("other_poll", "校验", "checksum"),
    ("other_poll_qr", "另一个票箱", "another ballot box"),
])
def test_missing_wrong_or_repeated_cards_are_refused_with_a_clear_message(election, case, zh, en):
    e = voted_and_closed()
    other = Election(deputies=2).open()
    first = e.shares[0]
    flipped = ("B" if first[0] != "B" else "C") + first[1:]
    shares = {
        "one": [first],
        "repeated": [first, first.lower()],
        "mistyped": [flipped, e.shares[1]],
        "short": [first[:-5], e.shares[1]],
        "garbage": ["9" * sealing.SHARE_CHARS, e.shares[1]],
        "other_poll": [other.shares[0], e.shares[1]],
        "other_poll_qr": [f"{sealing.QR_PREFIX}:{other.ballot.poll_id}:{other.shares[0]}", e.shares[1]],
    }[case]
    for lang, words in (("zh-hans", zh), ("en", en)):
        with translation.override(lang), pytest.raises(ValidationError, match=words):
            e.unseal(shares)
    assert SealedBallot.objects.filter(poll=e.ballot.poll).count() == 4 and not BallotSlot.objects.exists()
    assert SecretPoll.objects.get(pk=e.ballot.poll_id).unsealed_at is None


def test_cards_that_pass_their_checksums_but_do_not_fit_the_key_are_refused(election):
    """Two well-formed cards that do not combine into this box's key (forged with the right checksum)."""
    e = voted_and_closed()
    poll_id = e.ballot.poll_id
    forged = [sealing.encode_share(poll_id, bytes([i]) + bytes(range(i, i + 32))) for i in (1, 2)]
    with pytest.raises(ValidationError, match="do not open this ballot box|不能开启这个票箱"):
        e.unseal(forged)


def test_a_ballot_that_breaks_the_rules_or_cannot_be_read_counts_as_invalid_never_dropped(election):
    """Ballots put into the box with its public key behind the service's back are opened and counted invalid."""
    e = Election(deputies=6, candidates=4, max_choices=2).open()
    e.approve(e.people[0], 0, 1)
    e.approve(e.people[1])  # blank
    pk = bytes(e.ballot.poll.public_key)
    bad = [
        {"st": "valid", "a": 0b0111, "r": 0, "x": 0, "s": None},   # three chosen, N = 2
        {"st": "valid", "a": 1 << 9, "r": 0, "x": 0, "s": None},   # not a candidate position
        {"st": "valid", "a": 1, "r": 1, "x": 0, "s": None},        # rejections on an approval ballot
        {"st": "blank", "a": 1, "r": 0, "x": 0, "s": None},        # blank yet with a choice
        {"st": "valid", "a": 1, "r": 0, "x": 0, "s": 50},          # a score on a project ballot
        {"st": "invalid", "a": 0, "r": 0, "x": 0, "s": None},      # not a web ballot's status
        {"a": 1},                                                  # malformed
    ]
    for contents in bad:
        blob = sealing.seal(pk, contents)
        SealedBallot.objects.create(poll=e.ballot.poll, sealed=blob, tracker=sealing.tracker(blob))
    junk = bytes(sealing.SEALED_SIZE)
    SealedBallot.objects.create(poll=e.ballot.poll, sealed=junk, tracker=sealing.tracker(junk))
    services.ballot_close(ballot=e.ballot, reason=CLOSE_REASON)
    assert e.unseal() == 2 + len(bad) + 1
    counted = dict(BallotSlot.objects.filter(poll=e.ballot.poll).values_list("status").annotate(n=Count("pk")))
    assert counted == {"valid": 1, "blank": 1, "invalid": len(bad) + 1}
    assert len(SecretPoll.objects.get(pk=e.ballot.poll_id).trackers) == 2 + len(bad) + 1


def test_the_result_publishes_the_sorted_trackers_and_the_receipts_are_among_them(election):
    e = Election(deputies=5).open()
    receipts = [e.approve(p, 0) for p in e.people[:4]]
    before = [t for t, _c in peek(e.ballot.poll)]
    assert sorted(before) == sorted(receipts)
    result = e.close_and_count()
    assert result.data["receipts"] == sorted(receipts)
    rec = result.data["reconciliation"]
    assert rec["web_voters"] == 4 == rec["ballots_stored"] == len(result.data["receipts"])


def test_paper_ballots_go_straight_to_the_counting_table(election):
    e = Election(deputies=3).open()
    polls.poll_mark_paper_voters(poll=e.ballot.poll, people=e.people[:1])
    services.ballot_enter_paper(ballot=e.ballot, status="valid", choices={"approve": [e.candidates[0].pk]})
    assert BallotSlot.objects.filter(poll=e.ballot.poll).count() == 1
    assert not SealedBallot.objects.filter(poll=e.ballot.poll).exists()


def test_lost_cards_void_and_run_again_audited(election):
    e = voted_and_closed(deputies=3)
    with pytest.raises(ValidationError, match="原因|reason"):
        services.ballot_void(ballot=e.ballot, reason="  ")
    services.ballot_void(ballot=e.ballot, reason="两位监票人的密封卡遗失")
    poll = SecretPoll.objects.get(pk=e.ballot.poll_id)
    assert poll.state == "draft" and poll.public_key is None and poll.scrutineers == []
    assert stored(poll) == 0 and not VoteRecord.objects.filter(poll=poll).exists() and not poll.electors.exists()
    audit = AuditLog.objects.get(action="poll.void")
    assert audit.changes["before"]["web_voters"] == 3 and audit.changes["before"]["sealed"] == 3
    assert audit.changes["after"]["reason"] == "两位监票人的密封卡遗失"
    assert set(Project.objects.filter(pk__in=[p.pk for p in e.projects]).values_list("state", flat=True)) == {"candidate"}
    old_cards = e.shares
    # run again: new scrutineers, new key; everyone votes again; the old cards open nothing
    e.open(scrutineers=["新监票人甲", "新监票人乙"], threshold=2)
    assert set(Project.objects.filter(pk__in=[p.pk for p in e.projects]).values_list("state", flat=True)) == {"on_ballot"}
    for p in e.people:
        e.approve(p, 1)
    services.ballot_close(ballot=e.ballot, reason=CLOSE_REASON)
    with pytest.raises(ValidationError):
        e.unseal(old_cards[:2])
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        e.unseal()
    e.ballot.refresh_from_db()
    assert e.ballot.poll.state == "tallied"
    assert {r["position"]: r["for"] for r in e.ballot.result.data["candidates"]}[1] == 3


def test_void_is_refused_while_open_and_after_opening(election):
    e = Election().open()
    with pytest.raises(ValidationError):
        services.ballot_void(ballot=e.ballot, reason="x")
    e.close_and_count()
    with pytest.raises(ValidationError):
        services.ballot_void(ballot=e.ballot, reason="x")
    assert not AuditLog.objects.filter(action="poll.void").exists()


@pytest.mark.parametrize("names, threshold", [([], 2), (["甲"], 2), (["甲", "甲"], 2), (list("甲乙丙丁戊己"), 2),
                                              (["甲", "乙"], 3), (["甲", "乙"], 1), (["甲", "乙"], "x")])
def test_opening_needs_two_to_five_named_scrutineers_and_a_fitting_threshold(election, names, threshold):
    e = Election()
    with pytest.raises(ValidationError, match="监票人|scrutineers"):
        e.open(scrutineers=names, threshold=threshold)
    assert SecretPoll.objects.get(pk=e.ballot.poll_id).state == "draft"


# --- the ceremony over HTTP ------------------------------------------------------------------

def _staff(division):
    from django.test import Client

    from tests import factories

    c = Client()
    c.force_login(factories.staff(division))
    return c


def _errors(resp):
    return [str(m) for m in resp.context["messages"] if m.level_tag == "error"]


def test_the_opening_screen_refuses_bad_cards_with_422_and_clear_messages(election):
    e = voted_and_closed()
    staff = _staff(e.body.division)
    url = f"/staff/ballots/{e.ballot.pk}/unseal/"
    page = staff.get(url)
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    assert page.content.decode().count('class="font-monospace share-input') == 3  # one field per scrutineer
    resp = staff.post(url, {"share_1": e.shares[0]})
    assert resp.status_code == 422 and any("需要 2 位监票人的密封卡" in m for m in _errors(resp))
    resp = staff.post(url, {"share_1": e.shares[0], "share_2": e.shares[0]})
    assert resp.status_code == 422 and any("输入了两次" in m for m in _errors(resp))
    resp = staff.post(url, {"share_1": "X" + e.shares[0][1:], "share_2": e.shares[1]},
                      headers={"accept-language": "en"})
    assert resp.status_code == 422 and any("checksum" in m for m in _errors(resp))
    assert SealedBallot.objects.filter(poll=e.ballot.poll).count() == 4
    resp = staff.post(url, {"share_2": e.shares[1], "share_3": e.shares[2]})
    assert resp.status_code == 302 and not SealedBallot.objects.filter(poll=e.ballot.poll).exists()
    page = staff.get(url)
    assert 'id="already-opened"' in page.content.decode() and 'id="unseal-form"' not in page.content.decode()


def test_the_opening_screen_says_voting_is_still_open(election):
    e = Election().open()
    staff = _staff(e.body.division)
    page = staff.get(f"/staff/ballots/{e.ballot.pk}/unseal/").content.decode()
    assert 'id="still-open"' in page and 'id="unseal-form"' not in page
    resp = staff.post(f"/staff/ballots/{e.ballot.pk}/unseal/", {"share_1": e.shares[0], "share_2": e.shares[1]})
    assert resp.status_code == 422 and any("投票仍在进行" in m for m in _errors(resp))


def test_the_cards_cannot_be_fetched_again(election):
    """The cards are in the open action's response only: every page of the ballot afterwards lacks them."""
    from tests.ballot_box import OPEN_FORM, card_texts_in

    e = Election()
    staff = _staff(e.body.division)
    resp = staff.post(f"/staff/ballots/{e.ballot.pk}/open/", OPEN_FORM)
    cards = card_texts_in(resp.content.decode())
    assert resp.status_code == 200 and len(cards) == 3 and 'id="cards-once"' in resp.content.decode()
    for url in (f"/staff/ballots/{e.ballot.pk}/", f"/staff/ballots/{e.ballot.pk}/unseal/",
                f"/staff/ballots/{e.ballot.pk}/paper/"):
        body = staff.get(url).content.decode()
        assert not any(c in body or c.replace("-", "") in body for c in cards), url
    again = staff.post(f"/staff/ballots/{e.ballot.pk}/open/", OPEN_FORM)
    assert again.status_code == 422 and not card_texts_in(again.content.decode())
    # and they open the box
    for p in e.people:
        services.ballot_vote(ballot=e.ballot, person=p, choices={"approve": [e.candidates[0].pk]})
    services.ballot_close(ballot=e.ballot, reason=CLOSE_REASON)
    assert services.ballot_unseal(ballot=e.ballot, shares=cards[1:]) == len(e.people)


def test_void_and_run_again_over_http_is_confirmed_with_a_reason(election):
    e = voted_and_closed(deputies=2)
    staff = _staff(e.body.division)
    url = f"/staff/ballots/{e.ballot.pk}/void/"
    resp = staff.post(url, {"reason": "密封卡遗失"})  # not confirmed
    assert resp.status_code == 422 and _errors(resp)
    assert SecretPoll.objects.get(pk=e.ballot.poll_id).state == "closed"
    resp = staff.post(url, {"reason": "密封卡遗失", "confirm": "on"})
    assert resp.status_code == 302
    assert SecretPoll.objects.get(pk=e.ballot.poll_id).state == "draft"
    assert AuditLog.objects.filter(action="poll.void", actor__isnull=False).count() == 1


def test_a_survey_is_sealed_opened_and_voided_the_same_way(db):
    """Surveys use the same box: sealed scores, opened by the scrutineers; statistics exact from the opened scores."""
    import statistics

    from django.test import TestCase

    from meetings import selectors
    from meetings import services as ms
    from tests.ballot_box import SEAL, sealed
    from tests.meetings.conftest import Hall

    h = Hall(deputies=6)
    h.convene()
    h.present(*h.people[:5])
    survey = sealed(ms.survey_open(survey=ms.survey_create(meeting=h.meeting, subject="河长制工作"), **SEAL))
    scores = [73, 88, 91, 60, 100]
    for p, v in zip(h.people, scores, strict=False):
        ms.survey_respond(survey=survey, person=p, value=v)
    assert not BallotSlot.objects.filter(poll=survey.poll).exists()
    assert SealedBallot.objects.filter(poll=survey.poll).count() == 5
    ms.survey_close(survey=survey, reason=CLOSE_REASON)
    with pytest.raises(ValidationError):
        ms.survey_unseal(survey=survey, shares=[])
    from tests.ballot_box import shares

    with TestCase.captureOnCommitCallbacks(execute=True):
        ms.survey_unseal(survey=survey, shares=shares(survey.poll))
    stats = selectors.survey_stats([survey])[survey.pk]
    assert stats.mean == round(statistics.mean(scores), 2) and stats.responded == 5
    assert sorted(BallotSlot.objects.filter(poll=survey.poll).values_list("score", flat=True)) == sorted(scores)
    # another survey whose cards are lost: voided and set up to run again
    lost = sealed(ms.survey_open(survey=ms.survey_create(meeting=h.meeting, subject="法院工作"), **SEAL))
    ms.survey_respond(survey=lost, person=h.people[0], value=50)
    ms.survey_close(survey=lost, reason=CLOSE_REASON)
    ms.survey_void(survey=lost, reason="监票人密封卡遗失")
    lost.refresh_from_db()
    assert lost.poll.state == "draft" and lost.quorum_present is None and stored(lost.poll) == 0
    assert AuditLog.objects.filter(action="poll.void", object_id=str(lost.poll_id)).exists()


# --- verify_poll ---------------------------------------------------------------------------

def _verify(poll_id):
    import io
    import json

    from django.core.management import call_command

    out = io.StringIO()
    try:
        call_command("verify_poll", str(poll_id), stdout=out)
        failed = None
    except Exception as exc:  # noqa: BLE001 - CommandError, reported with the JSON
        failed = exc
    return json.loads(out.getvalue()), failed


def test_verify_poll_recounts_and_catches_tampering(election):
    e = Election(deputies=5).open()
    polls.poll_mark_paper_voters(poll=e.ballot.poll, people=e.people[4:])
    for p in e.people[:4]:
        e.approve(p, 0, 1)
    services.ballot_enter_paper(ballot=e.ballot, status="blank")
    e.close_and_count()
    report, failed = _verify(e.ballot.poll_id)
    assert failed is None and report["ok"], report
    assert report["checks"]["trackers_match_web_voters"] == {"ok": True, "trackers": 4, "web_voters": 4}
    assert report["checks"]["ballots_counted_match_voters"]["ballots_counted"] == 5
    assert [c["for"] for c in report["recount"]["candidates"]][:2] == [4, 4]
    # a ballot slipped into the counting table is caught by the recount and the count of ballots
    BallotSlot.objects.create(poll=e.ballot.poll, status="valid", approvals=0b100)
    report, failed = _verify(e.ballot.poll_id)
    assert failed is not None and not report["ok"]
    assert not report["checks"]["recount_matches_result"]["ok"]
    assert not report["checks"]["ballots_counted_match_voters"]["ok"]
    # an edited stored result is caught by its checksum
    BallotSlot.objects.filter(poll=e.ballot.poll, approvals=0b100).delete()
    from projects.models import TallyResult

    r = TallyResult.objects.get(ballot=e.ballot)
    r.data = {**r.data, "seats": 3}
    r.save(update_fields=["data"])
    report, failed = _verify(e.ballot.poll_id)
    assert failed is not None and not report["checks"]["stored_checksum"]["ok"]


def test_verify_poll_on_a_sealed_poll_says_the_box_is_not_opened(election):
    e = voted_and_closed(deputies=2)
    report, failed = _verify(e.ballot.poll_id)
    assert failed is not None and not report["checks"]["box_opened"]["ok"]


def test_the_result_page_says_blank_and_invalid_ballots_count_as_cast(election, client):
    e = Election(deputies=3).open()
    e.approve(e.people[0], 0)
    e.approve(e.people[1])  # blank
    e.close_and_count()
    services.ballot_certify(ballot=e.ballot, **factories.certifying(e.body))
    page = client.get(f"/ballots/{e.ballot.pk}/result/").content.decode()
    assert 'id="ballots-cast-rule"' in page and "空白票和无效票计入投票数" in page
    assert e.ballot.result.data["receipts"][0] in page


# --- the scrutineers' verification bundle -------------------------------------------------------------------

def test_staff_in_scope_download_the_verification_bundle_audited_others_are_refused(election):
    import json

    from django.test import Client

    e = Election(deputies=5).open()
    chosen = {0: [0], 1: [0, 1], 2: [], 3: [1], 4: [0]}
    for i, p in enumerate(e.people):
        e.approve(p, *chosen[i])
    url = f"/staff/ballots/{e.ballot.pk}/verification.json"
    staff = _staff(e.body.division)
    assert staff.get(url).status_code == 404  # nothing to verify while the box is sealed
    e.close_and_count()
    resp = staff.get(url)
    assert resp.status_code == 200 and resp["Content-Type"].startswith("application/json")
    assert "attachment" in resp["Content-Disposition"] and "no-store" in resp["Cache-Control"]
    bundle = json.loads(resp.content)
    assert bundle["ok"] and bundle["checks"]["trackers_match_web_voters"]["trackers"] == 5
    assert bundle["checks"]["stored_checksum"]["checksum"] == e.ballot.result.checksum
    assert bundle["checks"]["recount_matches_result"]["ok"]
    assert [c["for"] for c in bundle["recount"]["candidates"]][:2] == [3, 2]
    # the opened ballots, sorted, without trackers: the scrutineers can recount them outside the server
    assert len(bundle["ballots"]) == 5 and bundle["ballots"] == sorted(
        bundle["ballots"], key=lambda b: (b["status"], b["approvals"], b["rejections"], b["abstentions"]))
    assert sorted(b["approvals"] for b in bundle["ballots"]) == sorted(sum(1 << k for k in c) for c in chosen.values())
    assert not any("tracker" in b or "id" in b for b in bundle["ballots"])
    row = AuditLog.objects.get(action="poll.verification_download")
    assert row.actor is not None and row.object_id == str(e.ballot.poll_id) and row.changes["after"]["ok"] is True
    # the same check as verify_poll
    report, failed = _verify(e.ballot.poll_id)
    assert failed is None and report["checks"] == bundle["checks"]
    # a tampered counting table shows in the bundle too
    BallotSlot.objects.create(poll=e.ballot.poll, status="valid", approvals=0b100)
    bundle = json.loads(staff.get(url).content)
    assert not bundle["ok"] and not bundle["checks"]["recount_matches_result"]["ok"]
    # staff of another district, a deputy and an anonymous visitor get nothing, and nothing is audited for them
    other = _staff(factories.district(code="500199"))
    assert other.get(url).status_code == 404
    deputy = Client()
    deputy.force_login(_deputy_user(e))
    assert deputy.get(url).status_code in (302, 403, 404)
    assert Client().get(url).status_code == 302
    assert AuditLog.objects.filter(action="poll.verification_download").count() == 2


def _deputy_user(e):
    from deputies import services as deputy_services

    deputy_services.deputy_account_create(person=e.people[0], username="dep-verify", password="x-Secret-123")
    e.people[0].refresh_from_db()
    return e.people[0].user


def test_the_ballot_pages_link_the_bundle_for_staff_only(election, client):
    e = Election(deputies=2).open()
    e.approve(e.people[0], 0)
    e.close_and_count()
    services.ballot_certify(ballot=e.ballot, **factories.certifying(e.body))
    link = f"/staff/ballots/{e.ballot.pk}/verification.json"
    assert link in _staff(e.body.division).get(f"/ballots/{e.ballot.pk}/result/").content.decode()
    assert link in _staff(e.body.division).get(f"/staff/ballots/{e.ballot.pk}/").content.decode()
    assert link not in client.get(f"/ballots/{e.ballot.pk}/result/").content.decode()  # the public result
