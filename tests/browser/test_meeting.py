"""Deputies sign in and score on a phone; staff close the survey and download the PDF, in Chromium."""

import pytest

from deputies import services as deputy_services
from meetings import services
from meetings.models import Report
from tests import factories
from tests.browser.test_sign_in import sign_in
from tests.meetings.conftest import Hall

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_deputies_sign_in_and_score_on_a_phone(live_server, phone, desktop):
    h = Hall(deputies=4, fixed=1).convene()
    for i, p in enumerate(h.people):
        deputy_services.deputy_account_create(person=p, username=f"dep{i}", password="x-Secret-123")
    staff = factories.staff(h.body.division, username="office")
    staff.set_password("x-Secret-123")
    staff.save()
    # three of four sign themselves in with their codes
    for i in range(3):
        phone.context.clear_cookies()
        sign_in(phone, live_server.url, f"dep{i}", "x-Secret-123")
        phone.wait_for_url(f"{live_server.url}/me/")
        code = h.attendee(h.people[i]).sign_in_code
        phone.goto(f"{live_server.url}/meetings/{h.meeting.pk}/sign-in/?code={code}")
        phone.click("#sign-in-button")
        phone.wait_for_url(f"{live_server.url}/meetings/")
    assert services.quorum(h.meeting).reached

    survey = services.survey_open(survey=services.survey_create(meeting=h.meeting, subject="河长制工作"),
                                  scrutineers=["监票人甲", "监票人乙", "监票人丙"], threshold=2)
    cards = [c.text for c in survey.poll.share_cards]
    # the last signed-in deputy scores on the phone
    phone.goto(f"{live_server.url}/meetings/")
    phone.click("#open-surveys a")
    phone.fill("input[name=value]", "130")
    phone.click("#submit-score")
    phone.wait_for_selector(".invalid-feedback, #score-error")
    phone.fill("input[name=value]", "87")
    phone.click("#submit-score")
    phone.wait_for_selector("#receipt")
    assert phone.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1")
    services.survey_respond(survey=survey, person=h.people[0], value=93)

    # staff close scoring and download the PDF
    sign_in(desktop, live_server.url, "office", "x-Secret-123")
    desktop.wait_for_url(f"{live_server.url}/staff/bodies/")
    desktop.goto(f"{live_server.url}/staff/meetings/{h.meeting.pk}/")
    desktop.click(".close-survey")
    desktop.wait_for_selector("#confirm-close-form")  # the confirmation: 2 of 3 present have scored
    assert "2" in desktop.locator("#fact-turnout").inner_text()
    desktop.check("input[name=confirm]")
    desktop.click("#confirm-close")
    # the scrutineers open the box; the survey is counted and its report built
    desktop.click(".unseal-survey")
    desktop.fill("input[name=share_2]", cards[1])
    desktop.fill("input[name=share_3]", cards[2])
    desktop.click("#unseal")
    desktop.wait_for_url(f"{live_server.url}/staff/meetings/{h.meeting.pk}/")
    desktop.wait_for_selector(".report-download", timeout=60000)
    with desktop.expect_download() as info:
        desktop.click(".report-download")
    path = info.value.path()
    with open(path, "rb") as f:
        assert f.read(4) == b"%PDF"
    assert Report.objects.get(survey=survey).state == "done"
