"""The scrutineers' ceremony in Chromium, on a phone (390×844) and a desktop (1366×900): the cards printed at opening,
and the opening screen, where a card is read from a photo of its QR code (or the live camera) or typed."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from congress.models import AuditLog, SealedBallot
from projects import services
from tests import factories
from tests.ballot_box import OPEN_FORM, card_texts_in
from tests.browser.conftest import CHROMIUM
from tests.browser.test_sign_in import sign_in
from tests.factories import CLOSE_REASON
from tests.projects.conftest import Election

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENS = {
    "phone": {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True},
    "desktop": {"viewport": {"width": 1366, "height": 900}},
}


def wait_until(page, expression: str, seconds: float = 10) -> None:
    """Poll a JavaScript expression from outside the page (the page's CSP forbids the eval that wait_for_function uses)."""
    import time

    end = time.monotonic() + seconds
    while not page.evaluate(expression):
        assert time.monotonic() < end, f"timed out waiting for {expression}: " + page.evaluate("(document.getElementById('scan-status') || {}).textContent")
        page.wait_for_timeout(100)


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def open_with_cards(page, base, e) -> tuple[list[str], list[bytes]]:
    """Staff open the ballot naming three scrutineers; returns the cards' texts and pictures of their QR codes."""
    page.goto(f"{base}/staff/ballots/{e.ballot.pk}/")
    page.fill("#open-form textarea[name=scrutineers]", "监票人甲\n监票人乙\n监票人丙")
    page.select_option("#open-form select[name=threshold]", "2")
    page.click("#open-ballot")
    page.wait_for_selector("#cards-once")
    assert fits(page)
    cards = page.locator(".share-card")
    assert cards.count() == 3
    texts, pictures = [], []
    for i in range(3):
        card = cards.nth(i)
        assert card.locator(".qr svg").is_visible() and card.locator(".share-note").is_visible()
        box = card.locator(".qr svg").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= page.viewport_size["width"]  # the whole code on screen
        texts.append(card.locator(".share-text").inner_text().strip())
        pictures.append(card.locator(".qr svg").screenshot())
    assert "监票人乙" in cards.nth(1).inner_text()
    return texts, pictures


def staff_election(username):
    e = Election(deputies=3, candidates=3, seats=1, max_choices=1)
    staff = factories.staff(e.body.division.parent, username=username)
    staff.set_password("x-Secret-123")
    staff.save()
    return e


@pytest.mark.parametrize("screen", sorted(SCREENS))
def test_the_ceremony_cards_then_the_opening_screen_with_a_photographed_card(live_server, browser, screen):
    context = browser.new_context(locale="zh-CN", **SCREENS[screen])
    page = context.new_page()
    e = staff_election(f"ceremony-{screen}")
    sign_in(page, live_server.url, f"ceremony-{screen}", "x-Secret-123")
    page.wait_for_url(f"{live_server.url}/staff/bodies/")
    texts, pictures = open_with_cards(page, live_server.url, e)
    e.ballot.refresh_from_db()
    for i, p in enumerate(e.people):
        services.ballot_vote(ballot=e.ballot, person=p, choices={"approve": [e.candidates[i % 3].pk]})
    services.ballot_close(ballot=e.ballot, reason=CLOSE_REASON)

    page.goto(f"{live_server.url}/staff/ballots/{e.ballot.pk}/unseal/")
    page.wait_for_selector("#share-scan")
    assert fits(page) and page.locator("label[for=scan-photo]").is_visible()
    # a photo of a card that is not a share card is refused, in the page's language, and fills nothing
    page.set_input_files("#scan-photo", {"name": "x.png", "mimeType": "image/png", "buffer": _qr_png("HELLO")})
    # the status first says the photo is being read (正在识别照片……), then what was found: wait for the verdict
    wait_until(page, "document.getElementById('scan-status').textContent.includes('不是')", 20)
    assert page.input_value("input[name=share_1]") == ""
    # the first scrutineer photographs their card: its text goes into their field
    page.click("input[name=share_1]")
    page.set_input_files("#scan-photo", {"name": "card.png", "mimeType": "image/png", "buffer": pictures[0]})
    wait_until(page, "document.querySelector('input[name=share_1]').value.length > 0")
    assert page.input_value("input[name=share_1]").replace("RENDA-SHARE:", "").split(":")[1] == texts[0].replace("-", "")
    # the same card again is said to be read already; a card of another ballot box is refused
    page.set_input_files("#scan-photo", {"name": "card.png", "mimeType": "image/png", "buffer": pictures[0]})
    wait_until(page, "document.getElementById('scan-status').textContent.includes('读入过')")
    page.set_input_files("#scan-photo", {"name": "other.png", "mimeType": "image/png",
                                         "buffer": _qr_png(f"RENDA-SHARE:{e.ballot.poll_id + 1000}:{'A' * 56}")})
    wait_until(page, "document.getElementById('scan-status').textContent.includes('其他票箱')")
    assert page.input_value("input[name=share_2]") == ""
    # the second types theirs (the main way), and the box opens
    page.fill("input[name=share_3]", texts[2])
    assert fits(page)
    page.click("#unseal")
    page.wait_for_url(f"{live_server.url}/staff/ballots/{e.ballot.pk}/")
    assert not SealedBallot.objects.filter(poll=e.ballot.poll).exists()
    assert AuditLog.objects.filter(action="poll.unseal", changes__after__cards=["监票人甲", "监票人丙"]).exists()
    context.close()


def test_a_card_is_scanned_with_the_live_camera(live_server, browser, tmp_path):
    """Chromium's fake camera shows a card's QR code; the opening screen reads it into a field."""
    e = staff_election("ceremony-camera")
    staff = Client()
    staff.force_login(get_user_model().objects.get(username="ceremony-camera"))
    cards = card_texts_in(staff.post(f"/staff/ballots/{e.ballot.pk}/open/", OPEN_FORM).content.decode())
    services.ballot_close(ballot=e.ballot, reason=CLOSE_REASON)
    video = tmp_path / "card.y4m"
    video.write_bytes(_y4m(_qr_png(f"RENDA-SHARE:{e.ballot.poll_id}:{cards[1].replace('-', '')}")))
    # a browser of its own, started with a fake camera that films the card
    camera_browser = browser.browser_type.launch(executable_path=CHROMIUM, headless=True, args=[
        "--no-sandbox", "--disable-gpu", "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={video}"])
    try:
        context = camera_browser.new_context(locale="zh-CN", permissions=["camera"], **SCREENS["phone"])
        page = context.new_page()
        sign_in(page, live_server.url, "ceremony-camera", "x-Secret-123")
        page.wait_for_url(f"{live_server.url}/staff/bodies/")
        page.goto(f"{live_server.url}/staff/ballots/{e.ballot.pk}/unseal/")
        page.click("input[name=share_2]")
        page.click("#scan-camera")
        wait_until(page, "document.querySelector('input[name=share_2]').value.length > 0", 20)
        assert page.locator("#scan-video").is_hidden()  # the camera stops once a card is read
        page.fill("input[name=share_1]", cards[0])
        page.click("#unseal")
        page.wait_for_url(f"{live_server.url}/staff/ballots/{e.ballot.pk}/")
    finally:
        camera_browser.close()
    assert not SealedBallot.objects.filter(poll=e.ballot.poll).exists()


def _qr_png(text: str) -> bytes:
    import segno

    out = io.BytesIO()
    segno.make_qr(text, error="m").save(out, kind="png", scale=8, border=4)
    return out.getvalue()


def _y4m(png: bytes, width=640, height=480, frames=20) -> bytes:
    """A short raw video (YUV4MPEG2, 4:2:0) of a picture on white, for Chromium's fake camera."""
    from PIL import Image

    picture = Image.open(io.BytesIO(png)).convert("L")
    picture.thumbnail((height - 40, height - 40))
    frame = Image.new("L", (width, height), 255)
    frame.paste(picture, ((width - picture.width) // 2, (height - picture.height) // 2))
    luma = frame.tobytes()
    chroma = bytes([128]) * (width * height // 4)
    header = f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode()
    return header + b"".join(b"FRAME\n" + luma + chroma + chroma for _ in range(frames))
