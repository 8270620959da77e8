"""The cast path's reading of a posted ballot (projects.forms.vote_choices), without building the form."""

from types import SimpleNamespace

import pytest
from django.http import QueryDict

from projects.forms import vote_choices
from projects.models import Ballot

APPROVE = SimpleNamespace(method=Ballot.Method.APPROVE_UP_TO)


def posted(*values):
    q = QueryDict(mutable=True)
    q.setlist("approve", list(values))
    return q


def test_ids_are_read():
    assert vote_choices(APPROVE, posted("3", "12")) == {"approve": [3, 12]}


@pytest.mark.parametrize("value", ["9" * 5000, "9" * 19, "²", "١٢", "x", ""])
def test_what_is_not_an_id_is_not_well_formed(value):
    # a 5000-digit id raised ValueError in int() (a 500); "²" is a digit to str.isdigit() but not to int()
    assert vote_choices(APPROVE, posted("3", value)) is None
