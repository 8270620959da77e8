"""The secret-ballot core (congress/polls.py, congress/sealing.py) on its own, without a project ballot or a
survey on top: open and seal, cast, close, open the box with the scrutineers' cards, count, void."""

import pytest
from django.core.exceptions import ValidationError

from congress import polls, sealing
from congress.models import BallotSlot, Elector, SealedBallot, SecretPoll, VoteRecord
from tests import factories

pytestmark = pytest.mark.django_db
SCRUTINEERS = ["王监票", "李监票", "赵监票"]


@pytest.fixture
def opened(sub_body):
    body, term = sub_body
    area = factories.community(parent=body.division)
    people = [factories.PersonFactory(area=area) for _ in range(4)]
    poll = SecretPoll.objects.create(body=body, purpose=SecretPoll.Purpose.SURVEY, title="核心")
    poll = polls.poll_open(poll=poll, electors=people[:3], seated_count=3, scrutineers=SCRUTINEERS, threshold=2)
    return poll, people


def cards(poll):
    return [c.text for c in poll.share_cards]


def test_a_poll_is_sealed_cast_opened_with_two_cards_and_counted(opened):
    poll, people = opened
    assert (poll.state, poll.electorate_size, len(poll.share_cards)) == ("open", 3, 3)
    assert Elector.objects.filter(poll=poll).count() == 3
    first = polls.poll_cast_web(poll=poll, person=people[0], contents=polls.Contents(approvals=0b01))
    second = polls.poll_cast_web(poll=poll, person=people[1], contents=polls.Contents(approvals=0b11))
    assert SealedBallot.objects.filter(poll=poll).count() == 2 and BallotSlot.objects.filter(poll=poll).count() == 0
    assert polls.reconciliation(poll).sealed == 2
    poll = polls.poll_close(poll=poll)
    assert polls.poll_unseal(poll=poll, shares=cards(opened[0])[1:], check=lambda c: True) == 2
    poll.refresh_from_db()
    assert SealedBallot.objects.filter(poll=poll).count() == 0  # the sealed ballots are destroyed once opened
    assert polls.count_positions(poll, 2) == [{"for": 2, "against": 0, "abstain": 0},
                                               {"for": 1, "against": 0, "abstain": 0}]
    assert polls.receipts(poll) == sorted([first, second])
    rec = polls.reconciliation(poll)
    assert (rec.web_voters, rec.ballots_stored, rec.valid, rec.invalid) == (2, 2, 2, 0)


def test_one_ballot_per_elector_and_only_electors_vote(opened):
    poll, people = opened
    polls.poll_cast_web(poll=poll, person=people[0], contents=polls.Contents(approvals=1))
    with pytest.raises(polls.CastRefused) as again:
        polls.poll_cast_web(poll=poll, person=people[0], contents=polls.Contents(rejections=1))
    assert again.value.reason == polls.CastRefused.ALREADY_VOTED
    with pytest.raises(polls.CastRefused) as outsider:
        polls.poll_cast_web(poll=poll, person=people[3], contents=polls.Contents(approvals=1))
    assert outsider.value.reason == polls.CastRefused.NOT_ELECTOR
    assert (VoteRecord.objects.filter(poll=poll).count(), SealedBallot.objects.filter(poll=poll).count()) == (1, 1)
    polls.poll_close(poll=poll)
    with pytest.raises(polls.CastRefused) as late:
        polls.poll_cast_web(poll=poll, person=people[1], contents=polls.Contents(approvals=1))
    assert late.value.reason == polls.CastRefused.CLOSED


def test_the_box_opens_only_after_closing_with_enough_cards_and_a_broken_rule_counts_invalid(opened):
    poll, people = opened
    polls.poll_cast_web(poll=poll, person=people[0], contents=polls.Contents(approvals=0b1))
    polls.poll_cast_web(poll=poll, person=people[1], contents=polls.Contents(approvals=0b111))
    with pytest.raises(polls.PollError):
        polls.poll_unseal(poll=poll, shares=cards(poll), check=lambda c: True)
    closed = polls.poll_close(poll=poll)
    with pytest.raises(ValidationError):
        polls.poll_unseal(poll=closed, shares=cards(poll)[:1], check=lambda c: True)
    assert SealedBallot.objects.filter(poll=poll).count() == 2  # a refused opening destroys nothing
    assert polls.poll_unseal(poll=closed, shares=cards(poll)[:2], check=lambda c: c.approvals < 0b100) == 2
    assert polls.reconciliation(closed).invalid == 1
    with pytest.raises(polls.PollError):
        polls.poll_unseal(poll=closed, shares=cards(poll), check=lambda c: True)


def test_a_closed_poll_whose_cards_are_lost_is_voided_back_to_a_draft(opened):
    poll, people = opened
    polls.poll_cast_web(poll=poll, person=people[0], contents=polls.Contents(approvals=1))
    with pytest.raises(polls.PollError):
        polls.poll_void(poll=poll, reason="卡片遗失")  # still open
    polls.poll_close(poll=poll)
    with pytest.raises(polls.PollError):
        polls.poll_void(poll=poll, reason="  ")
    poll = polls.poll_void(poll=poll, reason="卡片遗失")
    assert (poll.state, poll.public_key, poll.electorate_size) == ("draft", None, 0)
    assert not (Elector.objects.filter(poll=poll).exists() or VoteRecord.objects.filter(poll=poll).exists()
                or SealedBallot.objects.filter(poll=poll).exists())


@pytest.mark.parametrize("names,threshold", [(["甲"], 2), (["甲", "甲"], 2), (["甲", "乙"], 3), (["甲", "乙"], "x")])
def test_scrutineers_are_two_to_five_distinct_names_with_a_threshold_they_can_reach(names, threshold):
    with pytest.raises(polls.PollError):
        polls.clean_scrutineers(names, threshold)


def test_a_sealed_ballot_opens_only_with_the_poll_key_and_its_tracker_is_stable():
    public, shares = sealing.new_key(poll_id=7, scrutineers=["甲", "乙", "丙"], threshold=2)
    sealed = sealing.seal(public, {"st": "valid", "a": 1, "r": 0, "x": 0, "s": None})
    key, used = sealing.rebuild_private_key(poll_id=7, public_key=public, threshold=2,
                                            texts=[shares[0].text, shares[2].text])
    assert sorted(used) == [1, 3]
    assert sealing.unseal(key, sealed) == {"st": "valid", "a": 1, "r": 0, "x": 0, "s": None}
    assert sealing.tracker(sealed) == sealing.tracker(bytes(sealed))
    _other_public, other_shares = sealing.new_key(poll_id=8, scrutineers=["甲", "乙"], threshold=2)
    with pytest.raises(sealing.ShareError):  # another box's cards
        sealing.rebuild_private_key(poll_id=7, public_key=public, threshold=2, texts=[c.text for c in other_shares])
