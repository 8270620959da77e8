"""deputies/forms.py: what a deputy's forms offer them."""

import pytest

from deputies.forms import DutyReportForm
from deputies.models import Mandate
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_deputy_of_one_congress_reports_without_picking_it():
    term = factories.TermFactory()
    me = factories.seated_deputy(term)
    field = DutyReportForm(person=me).fields["body"]
    assert field.initial == term.body.pk and field.empty_label is None
    assert [pk for pk, _label in field.choices] == [term.body.pk]  # no "---------" to pick on the phone


def test_a_deputy_of_two_congresses_picks_one():
    terms = [factories.TermFactory(), factories.TermFactory()]
    me = factories.seated_deputy(terms[0])
    factories.seat(me, terms[1], role=Mandate.Role.FIXED_ATTENDEE)  # a district deputy attending a second one
    field = DutyReportForm(person=me).fields["body"]
    assert field.initial is None and field.empty_label
    assert len(list(field.choices)) == 3  # the empty choice and both bodies
