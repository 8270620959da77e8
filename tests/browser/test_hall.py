"""The meeting hall in Chromium: the hall screen (1920 × 1080), the chair's console and three deputies voting on
their phones, each in its own browser context. A vote started from the console shows its countdown and the
ballots received on the screen, then the result. The live server is WSGI: the screen says push is off and
refreshes every second (the push itself is measured by `make bench`, tests/bench_hall.py)."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from deputies import services as deputy_services
from meetings import hall
from meetings import services as ms
from meetings.models import AgendaItem
from tests import factories
from tests.browser.test_sign_in import sign_in
from tests.meetings.conftest import Hall
from tests.meetings.test_views import draft_ballot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "x-Secret-123"


def context(browser, **kw):
    return browser.new_context(**kw).new_page()


def test_console_starts_a_vote_the_screen_counts_it_and_shows_the_result(live_server, browser):
    h = Hall(deputies=4, fixed=0, date=timezone.localdate())
    h.present(*h.people)
    h.convene()
    ballot, _projects = draft_ballot(h, n=3)
    ms.agenda_add(meeting=h.meeting, kind=AgendaItem.Kind.PROJECT_BALLOT, title="民生实事票决", ballot=ballot)
    for i, p in enumerate(h.people):
        deputy_services.deputy_account_create(person=p, username=f"dep{i}", password=PASSWORD)
    for name in ("chair", "teller"):
        u = factories.staff(h.body.division, username=name)
        u.set_password(PASSWORD)
        u.save()
    token = hall.screen_link_new(meeting=h.meeting).screen_token
    url = live_server.url

    screen = context(browser, viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    screen.goto(f"{url}/hall/{token}/")
    expect(screen.locator("[data-field=expected]")).to_have_text("4")
    assert screen.locator("[data-field=quorum-text]").inner_text() == "已达法定人数"
    screen.wait_for_selector("#hall-push[data-mode=polling]")  # WSGI: no push, and the screen says so
    assert screen.locator("#hall-poll").is_hidden()

    console = context(browser, viewport={"width": 1280, "height": 900}, locale="zh-CN")
    sign_in(console, url, "chair", PASSWORD)
    console.wait_for_url(f"{url}/staff/bodies/")
    console.goto(f"{url}/staff/meetings/{h.meeting.pk}/console/")
    form = console.locator(".start-form").first
    form.locator("textarea[name=scrutineers]").fill("监票人甲\n监票人乙")
    form.locator("select[name=minutes]").select_option("3")
    form.locator(".start-vote").click()
    console.wait_for_selector(".share-text")
    cards = [t.strip() for t in console.locator(".share-text").all_inner_texts()]

    # the screen: the item, a countdown from 3 minutes, no ballots yet
    screen.wait_for_selector("#hall-vote:not([hidden])", timeout=5000)
    assert screen.locator("[data-field=poll-title]").inner_text() == ballot.poll.title
    seconds = int(screen.locator("#hall-countdown").get_attribute("data-seconds"))
    assert 150 < seconds <= 180
    assert re.fullmatch(r"0[23]:\d\d", screen.locator("#hall-countdown").inner_text())
    assert screen.locator("#hall-received").inner_text() == "0"
    assert screen.locator("#hall-electors").inner_text() == "4"

    phones = []
    for i in range(3):
        phone = context(browser, viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
                        has_touch=True, locale="zh-CN")
        sign_in(phone, url, f"dep{i}", PASSWORD)
        phone.wait_for_url(f"{url}/me/")
        phones.append(phone)
    for i, phone in enumerate(phones):
        phone.goto(f"{url}/ballots/{ballot.pk}/vote/")
        phone.locator("input[name=approve]").nth(0).check()
        if i:
            phone.locator("input[name=approve]").nth(1).check()
        phone.click("#cast")
        phone.wait_for_selector("#receipt")
        expect(screen.locator("#hall-received")).to_have_text(str(i + 1), timeout=3000)
    assert "监票" not in screen.locator("#hall-poll").inner_text()  # never any content while voting

    # the chair closes early (the safeguards' page), the scrutineers open the box; the count is shown at once
    console.goto(f"{url}/staff/meetings/{h.meeting.pk}/console/")
    console.click(".close-vote")
    console.wait_for_selector("#confirm-close-form")
    console.check("input[name=confirm]")
    console.fill("textarea[name=reason]", "到会代表已全部投票")
    console.click("#confirm-close")
    console.wait_for_selector("#unseal-ballot")
    expect(screen.locator("[data-field=poll-state]")).to_contain_text("监票人")
    console.goto(f"{url}/staff/meetings/{h.meeting.pk}/console/")
    console.click(".open-box")
    console.fill("input[name=share_1]", cards[0])
    console.fill("input[name=share_2]", cards[1])
    console.click("#unseal")
    console.wait_for_url(f"{url}/staff/ballots/{ballot.pk}/")
    screen.wait_for_selector("#hall-result tr.adopted", timeout=5000)
    rows = screen.locator("#hall-result tr")
    assert rows.count() == 3 and screen.locator("#hall-result tr.adopted").count() == 2
    assert "3" in rows.nth(0).inner_text() and "★" in rows.nth(0).inner_text()
    assert screen.evaluate("document.documentElement.scrollHeight <= window.innerHeight + 1")

    # the chair announces it again from the console; and both pages read in English too
    console.goto(f"{url}/staff/meetings/{h.meeting.pk}/console/")
    console.click(".announce")
    console.wait_for_selector(".alert-success")
    english = context(browser, viewport={"width": 1920, "height": 1080}, locale="en-US")
    english.goto(f"{url}/hall/{token}/")
    english.wait_for_selector("#hall-result tr.adopted")
    assert english.locator("[data-field=quorum-text]").inner_text() == "Quorum reached"
    assert "Adopted" in english.locator("#hall-result").inner_text()
    english_console = context(browser, viewport={"width": 1280, "height": 900}, locale="en-US")
    sign_in(english_console, url, "teller", PASSWORD)
    english_console.wait_for_url(f"{url}/staff/bodies/")
    english_console.goto(f"{url}/staff/meetings/{h.meeting.pk}/console/")
    assert "Chair's console" in english_console.locator("h1").inner_text()

    # revoking the link blanks the screen within seconds
    hall.screen_link_revoke(meeting=h.meeting)
    screen.wait_for_selector("#hall-push[data-mode=gone]", timeout=15000)
    for page in (screen, console, english, english_console, *phones):
        page.context.close()


def test_the_screen_shows_ratings_verdicts_and_a_runoffs_rounds(live_server, browser):
    from congress.models import SecretPoll
    from projects import services as ps
    from tests.ballot_box import CARDS, SEAL, close_and_open_survey
    from tests.meetings.test_ratings import ITEMS, RESPONSES
    from tests.projects.test_runoff import _tied_round_one

    h = Hall(deputies=10, fixed=0, date=timezone.localdate())
    h.present(*h.people[:7])
    h.convene()
    survey = ms.survey_create(meeting=h.meeting, subject="重点工作测评", scale="ratings", items=ITEMS)
    poll = hall.hall_start_vote(meeting=h.meeting, poll_id=survey.poll_id, minutes=3, **SEAL)
    CARDS[poll.pk] = [c.text for c in poll.share_cards]
    survey.refresh_from_db()
    for person, grades in zip(h.people[:7], RESPONSES, strict=True):
        ms.survey_respond(survey=survey, person=person, value=dict(enumerate(grades)))
    close_and_open_survey(survey)
    screen = context(browser, viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    screen.goto(f"{live_server.url}/hall/{hall.screen_link_new(meeting=h.meeting).screen_token}/")
    expect(screen.locator("#hall-ratings-quorum")).to_have_text("应到 10 人，实到 7 人，符合法定人数。")
    verdicts = screen.locator("#hall-ratings td.verdict")
    expect(verdicts).to_have_text(["满意", "基本满意", "不满意"])
    assert screen.locator("#hall-mean").count() == 0

    e = _tied_round_one()
    ps.ballot_certify(ballot=e.ballot, **factories.certifying(e.body))
    runoff = ps.ballot_runoff_create(ballot=e.ballot)
    meeting = ms.meeting_create(body=e.body, kind=h.meeting.kind, title="票决会", date=timezone.localdate(),
                                place="会场")
    ms.agenda_add(meeting=meeting, kind=AgendaItem.Kind.PROJECT_BALLOT, title="另行票决", ballot=runoff)
    hall.hall_announce(meeting=meeting, poll_id=runoff.poll_id)
    screen.goto(f"{live_server.url}/hall/{hall.screen_link_new(meeting=meeting).screen_token}/")
    expect(screen.locator("#hall-round")).to_have_text(f"“{e.ballot.poll.title}”第2轮")
    expect(screen.locator("#hall-rounds .hall-round-title")).to_have_text([f"第1轮 · {e.ballot.poll.title}"])
    expect(screen.locator("#hall-rounds tr.adopted")).to_have_count(1)
    assert SecretPoll.objects.get(pk=runoff.poll_id).state == SecretPoll.State.DRAFT
