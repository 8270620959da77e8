"""Test helpers for the sealed ballot box: the scrutineers, their cards, and looking inside a box with them."""

from congress import polls, sealing
from congress.models import BallotSlot, SealedBallot, SecretPoll

SCRUTINEERS = ["监票人甲", "监票人乙", "监票人丙"]
OPEN_FORM = {"scrutineers": "\n".join(SCRUTINEERS), "threshold": "2"}
# the scrutineers' cards of every poll opened in this test process, by poll id (tests only: the app keeps none)
CARDS: dict[int, list] = {}


def remember(poll: SecretPoll) -> SecretPoll:
    CARDS[poll.pk] = [c.text for c in poll.share_cards]
    return poll


def shares(poll, k: int = 2) -> list[str]:
    return CARDS[poll.pk if hasattr(poll, "pk") else poll][:k]


def stored(poll) -> int:
    """Ballots in the box: still sealed, plus those in the counting table."""
    return SealedBallot.objects.filter(poll=poll).count() + BallotSlot.objects.filter(poll=poll).count()


def peek(poll, texts=None) -> list[tuple[str, polls.Contents]]:
    """(tracker, contents) of each sealed ballot, opened with the scrutineers' cards without touching the box."""
    poll = SecretPoll.objects.get(pk=poll.pk)
    key, _used = sealing.rebuild_private_key(poll_id=poll.pk, public_key=bytes(poll.public_key),
                                             threshold=poll.share_threshold, texts=texts or shares(poll))
    out = []
    for tracker, blob in SealedBallot.objects.filter(poll=poll).values_list("tracker", "sealed"):
        out.append((tracker, polls.contents_from_sealed(sealing.unseal(key, bytes(blob)))))
    return out


def card_texts_in(html: str) -> list[str]:
    """The typed form of the cards on a cards page."""
    import re

    return re.findall(r'class="share-text"[^>]*>([A-Z2-7-]+)<', html)


class Box(list):
    """Ballots in a poll's box, sealed ones opened with the cards (`receipt` is the tracker; None on paper)."""

    def get(self):
        assert len(self) == 1, f"{len(self)} ballots in the box"
        return self[0]

    def exists(self) -> bool:
        return bool(self)

    def count(self) -> int:
        return len(self)

    def values_list(self, name, flat=True):
        assert flat
        return [getattr(b, name) for b in self]


def filled(poll, texts=None) -> Box:
    from types import SimpleNamespace

    out = Box()
    if SealedBallot.objects.filter(poll=poll).exists():
        for tracker, c in peek(poll, texts):
            out.append(SimpleNamespace(receipt=tracker, status=c.status, approvals=c.approvals,
                                       rejections=c.rejections, abstentions=c.abstentions, score=c.score))
    for s in BallotSlot.objects.filter(poll=poll):
        s.receipt = None
        out.append(s)
    return out


TRACKER = r"[A-Z2-7]{5}(?:-[A-Z2-7]{5}){3}"


SEAL = {"scrutineers": SCRUTINEERS, "threshold": 2}


def sealed(opened):
    """A ballot or survey just opened by its service: its cards are remembered for the test to open the box."""
    remember(opened.poll)
    return opened


def close_and_open_survey(survey, k: int = 2):
    """Close scoring and open the box with k cards: the survey is counted and its report queued (returned)."""
    from meetings import services
    from tests.factories import CLOSE_REASON

    services.survey_close(survey=survey, reason=CLOSE_REASON)
    return services.survey_unseal(survey=survey, shares=shares(survey.poll, k))


def close_and_open_ballot(ballot, k: int = 2):
    """Close voting and open the box with k cards: the count is queued."""
    from projects import services
    from tests.factories import CLOSE_REASON

    services.ballot_close(ballot=ballot, reason=CLOSE_REASON)
    return services.ballot_unseal(ballot=ballot, shares=shares(ballot.poll, k))
