"""A resident raises an opinion on a phone; staff refer it and reply; the resident reads the reply and rates it."""

import pytest
from django.core.cache import cache

from deputies.models import ResidentOpinion
from tests import factories
from tests.browser.test_sign_in import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_resident_opinion_to_reply(live_server, phone, desktop):
    from deputies.models import OpinionCategory

    cache.clear()
    OpinionCategory.objects.get_or_create(name="城市建设管理")
    sub = factories.subdistrict(name="白桃街道")
    comm = factories.community(parent=sub, name="桂花社区")
    staff = factories.staff(sub, username="baitao")
    staff.set_password("x-Secret-123")
    staff.save()

    phone.goto(f"{live_server.url}/opinions/new/")
    assert phone.locator("#privacy-notice").is_visible()
    phone.select_option("select[name=division]", str(comm.pk))
    phone.select_option("select[name=category]", label="城市建设管理")
    phone.fill("textarea[name=text]", "桂花社区3栋门口路灯坏了一个月")
    phone.check("input[name=consent]")
    phone.click("#opinion-form button[type=submit]")
    phone.wait_for_selector("#track-link")
    track = phone.locator("#track-link").get_attribute("href")
    opinion = ResidentOpinion.objects.get()
    assert opinion.channel == "online" and opinion.state == "received"
    # the receipt fits the phone (the long tracking link wraps) and a reload sends nothing again
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    assert phone.locator("#track-qr svg").is_visible()
    phone.reload()
    phone.wait_for_selector("#track-link")
    assert ResidentOpinion.objects.count() == 1

    sign_in(desktop, live_server.url, "baitao", "x-Secret-123")
    desktop.wait_for_url(f"{live_server.url}/staff/bodies/")
    desktop.goto(f"{live_server.url}/staff/opinions/")
    desktop.click(f"text={opinion.reference}")
    desktop.select_option("#id_to", "referred")
    desktop.fill("input[name=unit]", "白桃街道城管办")
    desktop.fill("input[name=due_date]", "2026-12-20")
    desktop.click("#opinion-action button")
    desktop.wait_for_selector("#opinion-state")
    opinion.refresh_from_db()
    assert opinion.state == "referred"
    desktop.select_option("#id_to", "resolved")
    desktop.fill("textarea[name=reply]", "已更换路灯，感谢反映")
    desktop.click("#opinion-action button")
    desktop.wait_for_selector("#history li:nth-child(3)")
    opinion.refresh_from_db()
    assert opinion.state == "resolved"

    phone.goto(track)
    assert "已更换路灯" in phone.locator("#opinion-reply").inner_text()
    phone.check("input[name=rating][value='5']")
    phone.click("#rating-form button")
    phone.wait_for_selector("#opinion-rating")
    opinion.refresh_from_db()
    assert opinion.rating == 5
