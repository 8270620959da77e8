"""A deputy rates 21 items in 10 areas on a phone, one tap per item, and gets a receipt; the response is sealed."""

import pytest

from congress.models import SealedBallot
from deputies import services as deputy_services
from meetings import services
from tests.ballot_box import SEAL, filled, sealed
from tests.browser.test_sign_in import sign_in
from tests.meetings.conftest import Hall
from tests.meetings.test_ratings import TWENTY_ONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_deputy_rates_21_items_on_a_phone(live_server, phone):
    h = Hall(deputies=3, fixed=0)
    h.present(*h.people)
    h.convene()
    survey = services.survey_create(meeting=h.meeting, subject="年度重点工作测评", scale="ratings",
                                    items=sorted(TWENTY_ONE))
    sealed(services.survey_open(survey=survey, **SEAL))
    deputy_services.deputy_account_create(person=h.people[0], username="dep0", password="x-Secret-123")
    sign_in(phone, live_server.url, "dep0", "x-Secret-123")
    phone.wait_for_url(f"{live_server.url}/me/")
    phone.goto(f"{live_server.url}/surveys/{survey.pk}/")
    assert phone.locator(".rating-area").count() == 10
    # every button of a three-level choice fits the phone's width
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    for i in range(20):
        phone.click(f"label[for=id_item_{i}_0]")  # 满意
    phone.click("#submit-score")
    assert phone.locator(".rating-error").count() == 1  # the one item left out, named; nothing stored
    assert not SealedBallot.objects.filter(poll=survey.poll).exists()
    phone.click("label[for=id_item_20_1]")  # 基本满意
    phone.click("#submit-score")
    phone.wait_for_selector("#receipt")
    box = filled(survey.poll).get()
    assert (box.approvals, box.abstentions, box.rejections) == ((1 << 20) - 1, 1 << 20, 0)
