"""Nothing links a deputy to what they chose: schema, data, audit and logs are inspected here."""

import logging
import uuid

import pytest
from django.apps import apps
from django.db import models

from congress.models import AuditLog, BallotSlot, Elector, VoteRecord
from tests.projects.conftest import Election

pytestmark = pytest.mark.django_db
IDENTITY_MODELS = {"deputies.person", "congress.user", "congress.elector", "congress.voterecord", "deputies.mandate"}


def test_ballot_box_schema_has_no_link_to_voters():
    fields = BallotSlot._meta.get_fields()
    for f in fields:
        if f.is_relation and f.related_model is not None:
            assert f.related_model._meta.label_lower not in IDENTITY_MODELS, f.name
    # no timestamps, no sequential key
    assert not any(isinstance(f, (models.DateTimeField, models.DateField)) for f in fields if hasattr(f, "column"))
    assert isinstance(BallotSlot._meta.pk, models.UUIDField)
    # and nothing about voters points at the ballot box
    for label in IDENTITY_MODELS:
        model = apps.get_model(label)
        for f in model._meta.get_fields():
            if f.is_relation and not f.auto_created:
                assert f.related_model is not BallotSlot, f"{label}.{f.name}"


def test_voter_records_carry_no_time_or_order_of_contents():
    for model in (Elector, VoteRecord):
        assert not any(isinstance(f, (models.DateTimeField, models.DateField)) for f in model._meta.fields)


def test_filled_slots_are_not_in_voting_order(election):
    """Slots are drawn at random: the order of the box says nothing about the order of voting."""
    e = Election(deputies=40, candidates=2, seats=1, max_choices=1).open()
    # every deputy votes for candidate 0 except the first ten, who vote for candidate 1
    for i, p in enumerate(e.people):
        e.approve(p, 1 if i < 10 else 0)
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
    slot = BallotSlot.objects.get(receipt=receipt)
    assert str(record.pk) != str(slot.pk)
    values = {f.attname: getattr(record, f.attname) for f in VoteRecord._meta.fields}
    assert str(slot.pk) not in {str(v) for v in values.values()}
