"""Staff open a ballot and print the scrutineers' cards; a deputy votes on a phone; the scrutineers open the box on a
phone; staff count and certify, in Chromium."""

import re

import pytest

from congress.models import SealedBallot, VoteRecord
from deputies import services as deputy_services
from tests import factories
from tests.browser.test_sign_in import sign_in
from tests.projects.conftest import Election

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_deputy_votes_on_a_phone_and_staff_certify(live_server, phone, desktop):
    e = Election(deputies=4, candidates=5, seats=2, max_choices=2)
    for i, p in enumerate(e.people):
        deputy_services.deputy_account_create(person=p, username=f"dep{i}", password="x-Secret-123")
    for username in ("district", "district2"):  # whoever closes the ballot, another certifies it
        staff = factories.staff(e.body.division.parent, username=username)
        staff.set_password("x-Secret-123")
        staff.save()

    # staff open the ballot, naming three scrutineers: the answer is their cards, printed once
    sign_in(desktop, live_server.url, "district", "x-Secret-123")
    desktop.wait_for_url(f"{live_server.url}/staff/bodies/")
    desktop.goto(f"{live_server.url}/staff/ballots/{e.ballot.pk}/")
    desktop.fill("#open-form textarea[name=scrutineers]", "监票人甲\n监票人乙\n监票人丙")
    desktop.select_option("#open-form select[name=threshold]", "2")
    desktop.click("#open-ballot")
    desktop.wait_for_selector("#cards-once")
    cards = [t.strip() for t in desktop.locator(".share-text").all_inner_texts()]
    assert len(cards) == 3 and desktop.locator(".share-card svg").count() == 3
    assert "监票人乙" in desktop.locator(".share-card").nth(1).inner_text()
    desktop.goto(f"{live_server.url}/staff/ballots/{e.ballot.pk}/")
    assert not any(c in desktop.content() for c in cards)  # not shown again

    # a deputy on a phone: too many choices are refused whole
    sign_in(phone, live_server.url, "dep0", "x-Secret-123")
    phone.wait_for_url(f"{live_server.url}/me/")
    phone.goto(f"{live_server.url}/ballots/")
    phone.click("#open-ballots a")
    phone.wait_for_selector("#vote-form")
    boxes = phone.locator("input[name=approve]")
    assert boxes.count() == 5
    for i in range(3):
        boxes.nth(i).check()
    assert "3" in phone.locator("#chosen-count").inner_text()
    phone.click("#cast")
    phone.wait_for_selector("#vote-error, .alert-danger")
    assert VoteRecord.objects.count() == 0
    # now a proper ballot
    boxes = phone.locator("input[name=approve]")
    for i in range(5):
        boxes.nth(i).uncheck()
    boxes.nth(1).check()
    boxes.nth(3).check()
    phone.click("#cast")
    phone.wait_for_selector("#receipt")
    receipt = phone.locator("#receipt").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-7]{5}(-[A-Z2-7]{5}){3}", receipt)
    assert phone.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1")
    # going back and voting again changes nothing
    phone.goto(f"{live_server.url}/ballots/{e.ballot.pk}/vote/")
    phone.wait_for_selector("#already-voted")
    assert VoteRecord.objects.count() == 1
    assert SealedBallot.objects.count() == 1

    e.approve(e.people[1], 1)

    # staff close voting
    desktop.goto(f"{live_server.url}/staff/ballots/{e.ballot.pk}/")
    desktop.click("#close-ballot")
    desktop.wait_for_selector("#confirm-close-form")  # the confirmation: turnout, time left, quorum, what follows
    assert "2" in desktop.locator("#fact-turnout").inner_text() and desktop.locator("#fact-early").count() == 1
    from congress.models import SecretPoll

    desktop.click("#confirm-close")  # neither ticked nor a reason for closing early: refused, nothing closed
    desktop.wait_for_selector("#confirm-close-form .invalid-feedback, #confirm-close-form .alert-danger")
    assert SecretPoll.objects.get(pk=e.ballot.poll.pk).state == "open"
    desktop.check("input[name=confirm]")
    desktop.fill("textarea[name=reason]", "全体代表已投票，提前结束")
    desktop.click("#confirm-close")
    desktop.wait_for_selector("#unseal-ballot")
    # two scrutineers open the box on a phone: a mistyped card is refused with a message, then it opens
    phone.context.clear_cookies()
    sign_in(phone, live_server.url, "district", "x-Secret-123")
    phone.wait_for_url(f"{live_server.url}/staff/bodies/")
    phone.goto(f"{live_server.url}/staff/ballots/{e.ballot.pk}/unseal/")
    phone.fill("input[name=share_1]", cards[0][:-1] + ("A" if cards[0][-1] != "A" else "B"))
    phone.fill("input[name=share_3]", cards[2])
    phone.click("#unseal")
    phone.wait_for_selector(".alert-danger")
    assert "校验" in phone.locator(".alert-danger").first.inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1")
    phone.fill("input[name=share_1]", cards[0].lower().replace("-", " "))
    phone.fill("input[name=share_3]", cards[2])
    phone.click("#unseal")
    phone.wait_for_url(f"{live_server.url}/staff/ballots/{e.ballot.pk}/")
    assert SealedBallot.objects.count() == 0

    # staff see the count (the task ran) and certify
    desktop.goto(f"{live_server.url}/staff/ballots/{e.ballot.pk}/")
    desktop.wait_for_selector("#certify-ballot")
    assert desktop.locator(".result-table tbody tr").count() == 5
    desktop.context.clear_cookies()
    sign_in(desktop, live_server.url, "district2", "x-Secret-123")
    desktop.wait_for_url(f"{live_server.url}/staff/bodies/")
    desktop.goto(f"{live_server.url}/staff/ballots/{e.ballot.pk}/")
    desktop.click("#certify-ballot")
    desktop.wait_for_selector("#confirm-certify-form")
    desktop.check("input[name=confirm]")
    desktop.fill("textarea[name=scrutineers]", "王监票\n赵监票")
    desktop.click("#confirm-certify")
    desktop.wait_for_selector("#ballot-state")

    assert SecretPoll.objects.get(pk=e.ballot.poll.pk).state == "certified"
    assert desktop.locator("#ballot-state").inner_text() == str(SecretPoll.State.CERTIFIED.label)

    # the deputy finds their receipt among those counted
    phone.goto(f"{live_server.url}/ballots/{e.ballot.pk}/result/")
    assert receipt in phone.locator("#receipts").inner_text()
