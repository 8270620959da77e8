"""Staff and deputies sign in through the real pages in Chromium, in both languages."""

import pytest

from deputies import services
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, base, username, password):
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("main form button[type=submit]")  # the header holds other forms (language, elderly mode)


def switch_language(page, code):
    # On a phone the switcher sits in the collapsed menu.
    toggler = page.locator(".navbar-toggler")
    if toggler.is_visible():
        toggler.click()
    page.click(f"#language-switcher button[value={code}]")


def test_staff_signs_in_and_works_in_both_languages(live_server, desktop):
    body = factories.BodyFactory(name="江南街道议事代表会议", seats=80)
    term = factories.TermFactory(body=body)
    for _ in range(3):
        factories.seat(factories.PersonFactory(area=factories.community(parent=body.division)), term)
    factories.staff(body.division.parent, username="district")
    from congress.models import User

    u = User.objects.get(username="district")
    u.set_password("x-Secret-123")
    u.save()

    sign_in(desktop, live_server.url, "district", "x-Secret-123")
    desktop.wait_for_url(f"{live_server.url}/staff/bodies/")
    assert desktop.locator("h1").inner_text() == "人大机构"
    desktop.click("text=江南街道议事代表会议")
    assert desktop.locator("#seats-filled").inner_text().startswith("3")

    switch_language(desktop, "en")
    desktop.wait_for_selector("html[lang=en]")
    assert "Composition" in desktop.content()
    desktop.goto(f"{live_server.url}/admin/")
    assert "People's Congress Work Platform" in desktop.content()
    switch_language(desktop, "zh-hans")
    desktop.wait_for_selector("html[lang=zh-hans]")
    assert "人大工作管理平台" in desktop.content()


def test_deputy_signs_in_on_a_phone_in_both_languages(live_server, phone):
    body = factories.BodyFactory(name="龙湾街道议事代表会议", seats=80)
    term = factories.TermFactory(body=body)
    person = factories.PersonFactory(area=factories.community(parent=body.division), name="刘代表")
    factories.seat(person, term)
    services.deputy_account_create(person=person, username="liu", password="x-Secret-123")

    sign_in(phone, live_server.url, "liu", "x-Secret-123")
    phone.wait_for_url(f"{live_server.url}/me/")
    assert "刘代表" in phone.locator("h1").inner_text()
    assert "龙湾街道议事代表会议" in phone.locator("#my-mandates").inner_text()
    assert "议事代表" in phone.locator("#my-mandates").inner_text()
    # nothing overflows sideways on a phone
    assert phone.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1")

    switch_language(phone, "en")
    phone.wait_for_selector("html[lang=en]")
    assert "Deliberation deputy" in phone.locator("#my-mandates").inner_text()
    assert "My mandates" in phone.content()


def test_wrong_password_gets_a_clear_message(live_server, phone):
    sign_in(phone, live_server.url, "nobody", "wrong")
    assert phone.locator(".alert-danger, .invalid-feedback, .alert").first.is_visible()
    assert "/accounts/login/" in phone.url
