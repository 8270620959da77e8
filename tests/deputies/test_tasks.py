import datetime

import pytest

from deputies.models import Mandate
from deputies.tasks import close_mandates_of_ended_terms
from tests import factories

pytestmark = pytest.mark.django_db


def test_close_mandates_only_after_the_term(sub_body):
    body, term = sub_body
    area = factories.community(parent=body.division)
    factories.seat(factories.PersonFactory(area=area), term)
    assert close_mandates_of_ended_terms.delay(term.end_date.isoformat()).get() == 0
    day_after = (term.end_date + datetime.timedelta(days=1)).isoformat()
    assert close_mandates_of_ended_terms.delay(day_after).get() == 1
    assert Mandate.objects.get().end_reason == Mandate.EndReason.TERM_ENDED
    assert close_mandates_of_ended_terms.delay(day_after).get() == 0
