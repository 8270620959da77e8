"""Nothing links a deputy to what they chose: schema, data, audit and logs are inspected here."""

import logging
import uuid

import pytest
from django.apps import apps
from django.db import models

from congress import sealing
from congress.models import AuditLog, BallotSlot, Elector, SealedBallot, VoteRecord
from tests.factories import CLOSE_REASON
from tests.projects.conftest import Election

pytestmark = pytest.mark.django_db
IDENTITY_MODELS = {"deputies.person", "congress.user", "congress.elector", "congress.voterecord", "deputies.mandate"}


@pytest.mark.parametrize("box", [SealedBallot, BallotSlot])
def test_ballot_box_schema_has_no_link_to_voters(box):
    fields = box._meta.get_fields()
    for f in fields:
        if f.is_relation and f.related_model is not None:
            assert f.related_model._meta.label_lower not in IDENTITY_MODELS, f.name
    # no timestamps, no sequential key
    assert not any(isinstance(f, (models.DateTimeField, models.DateField)) for f in fields if hasattr(f, "column"))
    assert isinstance(box._meta.pk, models.UUIDField)
    # and nothing about voters points at the ballot box
    for label in IDENTITY_MODELS:
        model = apps.get_model(label)
        for f in model._meta.get_fields():
            if f.is_relation and not f.auto_created:
                assert f.related_model is not box, f"{label}.{f.name}"


def test_voter_records_carry_no_time_or_order_of_contents():
    for model in (Elector, VoteRecord):
        assert not any(isinstance(f, (models.DateTimeField, models.DateField)) for f in model._meta.fields)


def test_counted_ballots_are_not_in_voting_order(election):
    """Opened ballots are written in random order: the order of the counting table says nothing about voting."""
    e = Election(deputies=40, candidates=2, seats=1, max_choices=1).open()
    # every deputy votes for candidate 0 except the first ten, who vote for candidate 1
    for i, p in enumerate(e.people):
        e.approve(p, 1 if i < 10 else 0)
    from projects import services

    services.ballot_close(ballot=e.ballot, reason=CLOSE_REASON)
    e.unseal()
    assert not SealedBallot.objects.filter(poll=e.ballot.poll).exists()  # the sealed ballots are destroyed
    box = list(BallotSlot.objects.filter(poll=e.ballot.poll).order_by("id").values_list("approvals", flat=True))
    stored_order = list(BallotSlot.objects.filter(poll=e.ballot.poll).values_list("approvals", flat=True))
    for order in (box, stored_order):
        first_ten = order[:10]
        # if slots were filled in order, the first ten would all be candidate 1 (mask 2)
        assert first_ten.count(2) < 10
    assert all(isinstance(pk, uuid.UUID) for pk in BallotSlot.objects.values_list("id", flat=True))


def test_voting_writes_no_audit_row_and_no_log_line_with_the_choice(election, caplog):
    e = Election(deputies=3).open()
    audit_before = AuditLog.objects.count()
    with caplog.at_level(logging.DEBUG):
        receipt = e.approve(e.people[0], 1)
    assert AuditLog.objects.count() == audit_before
    logged = " ".join(r.getMessage() for r in caplog.records if not r.name.startswith("django.db"))
    assert receipt not in logged and e.people[0].name not in logged


def test_no_row_shares_a_key_with_the_voters_row(election):
    e = Election(deputies=3).open()
    receipt = e.approve(e.people[0], 0)
    record = VoteRecord.objects.get(elector__person=e.people[0])
    slot = SealedBallot.objects.get(tracker=receipt)
    assert str(record.pk) != str(slot.pk)
    values = {f.attname: getattr(record, f.attname) for f in VoteRecord._meta.fields}
    assert str(slot.pk) not in {str(v) for v in values.values()}


def test_a_sealed_ballot_says_nothing_readable_and_every_one_has_the_same_length(election):
    e = Election(deputies=4, candidates=4, seats=4, max_choices=4).open()
    e.approve(e.people[0])  # blank
    e.approve(e.people[1], 0)
    e.approve(e.people[2], 0, 1, 2, 3)
    receipt = e.approve(e.people[3], 3)
    blobs = [bytes(b) for b in SealedBallot.objects.filter(poll=e.ballot.poll).values_list("sealed", flat=True)]
    assert {len(b) for b in blobs} == {sealing.SEALED_SIZE}
    for b in blobs:
        assert b'"a"' not in b and b"valid" not in b and b"blank" not in b
    assert receipt == sealing.tracker(blobs[[sealing.tracker(b) for b in blobs].index(receipt)])
    # two identical choices seal differently (a fresh ephemeral key each time)
    e2 = Election(deputies=2).open()
    e2.approve(e2.people[0], 0)
    e2.approve(e2.people[1], 0)
    a, b = SealedBallot.objects.filter(poll=e2.ballot.poll).values_list("sealed", flat=True)
    assert bytes(a) != bytes(b)


def test_the_private_key_and_the_cards_are_stored_nowhere(election, caplog):
    """Neither the private key nor any card is in any table (nor in the logs) after opening and voting."""
    from django.core.cache import cache

    with caplog.at_level(logging.DEBUG):
        e = Election(deputies=3).open()
        e.approve(e.people[0], 0)
    key, _used = sealing.rebuild_private_key(poll_id=e.ballot.poll_id, public_key=bytes(e.ballot.poll.public_key),
                                             threshold=2, texts=e.shares)
    secrets_ = [bytes(key), bytes(key).hex().encode()] + [c.payload for c in e.cards] + \
               [c.text.encode() for c in e.cards] + [c.text.replace("-", "").encode() for c in e.cards]
    seen = []
    for model in apps.get_models():
        for row in model.objects.all().values_list():
            seen.extend(v if isinstance(v, bytes | memoryview) else str(v).encode() for v in row)
    dump = b"\x00".join(bytes(v) for v in seen)
    assert bytes(e.ballot.poll.public_key) in dump  # the dump does hold the poll row...
    for s in secrets_:
        assert s not in dump  # ...but none of the secrets
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert not any(c.text in logged or c.text.replace("-", "") in logged for c in e.cards)
    assert not any(c.text in str(cache.get(k)) for k in getattr(cache, "_cache", {}) for c in e.cards)
