"""Elderly mode (长辈版) measured in Chromium on a phone, on the pages residents and deputies use.

Thresholds (MIIT 2021 aging-friendly rules, WCAG 2.2 2.5.8): body text 24px (18pt) or more; line-height 1.3 or
more; every visible button, form control and link standing alone (navigation, lists, tables, cards, a paragraph of
its own) 60 × 60px or more; a link inside running text keeps the height of its line, which must still be 24 × 24px
or more (WCAG 2.2 target size; a 60px link would break the line of text it sits in). Text contrast 4.5:1 or more
over the background behind it. No pop-ups: no dialog, toast, tooltip or popover in the page, no link opening a new
window, no alert / confirm / prompt / window.open. The journey crawl (test_journeys.py) checks the same on every
page of the demo district."""

import os

import pytest
from django.core.cache import cache

from deputies import services as deputy_services
from tests import factories
from tests.browser.test_sign_in import sign_in
from tests.projects.conftest import Election

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MEASURE = r"""() => {
  const out = {text: [], targets: [], popups: [], overflow: document.documentElement.scrollWidth > document.documentElement.clientWidth + 1,
               elder: document.documentElement.classList.contains('elder')};
  // visible and bigger than the 1px box of a screen-reader-only text (.visually-hidden)
  const visible = (el) => { const r = el.getBoundingClientRect(); const cs = getComputedStyle(el);
    return r.width > 1 && r.height > 1 && cs.visibility !== 'hidden' && cs.display !== 'none'
      && (!el.checkVisibility || el.checkVisibility({checkOpacity: true, checkVisibilityCSS: true})); };
  const rgba = (c) => { const m = c.match(/[\d.]+/g).map(Number); return [m[0], m[1], m[2], m.length > 3 ? m[3] : 1]; };
  const lum = ([r, g, b]) => { const f = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
    + (typeof el.className == 'string' && el.className.trim() ? '.' + el.className.trim().split(/\s+/).slice(0, 3).join('.') : '');
  // text colour over the first opaque background behind it (layers of translucent ones composited)
  function contrast(el) {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const bg = rgba(getComputedStyle(e).backgroundColor);
      if (bg[3] > 0) { layers.push(bg); if (bg[3] >= 1) break; }
    }
    let back = [255, 255, 255];
    for (const [r, g, b, a] of layers.reverse()) back = [r * a + back[0] * (1 - a), g * a + back[1] * (1 - a), b * a + back[2] * (1 - a)];
    const [r, g, b, a] = rgba(getComputedStyle(el).color);
    const fore = [r * a + back[0] * (1 - a), g * a + back[1] * (1 - a), b * a + back[2] * (1 - a)];
    const [hi, lo] = [lum(fore), lum(back)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
  }
  // body text: every element whose own text nodes hold visible characters
  for (const el of document.querySelectorAll('body *')) {
    if (!visible(el) || el.closest('svg')) continue;
    const own = [...el.childNodes].filter(n => n.nodeType === 3).map(n => n.textContent).join('').trim();
    if (!own) continue;
    const cs = getComputedStyle(el); const size = parseFloat(cs.fontSize);
    let lh = cs.lineHeight === 'normal' ? 1.2 * size : parseFloat(cs.lineHeight);
    // an option of a list box keeps the line-height normal in Chrome; its line is the option's own box
    if (el.tagName === 'OPTION') lh = Math.max(lh, el.getBoundingClientRect().height);
    out.text.push({el: name(el), text: own.slice(0, 30), size, ratio: lh / size, contrast: contrast(el)});
  }
  for (const el of document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, summary, '
      + 'select[multiple] option, select[size] option')) {
    if (!visible(el)) continue;
    const r = el.getBoundingClientRect();
    let inline = false;
    if (el.tagName === 'A' && getComputedStyle(el).display === 'inline') {
      const block = el.parentElement;
      inline = block.textContent.trim().length > el.textContent.trim().length;
    }
    out.targets.push({el: name(el), text: (el.textContent || el.name || '').trim().slice(0, 30),
                      height: r.height, width: r.width, inline});
  }
  // pop-ups: dialogs, toasts, tooltips and popovers in the page, links that open a new window, and the calls to
  // alert / confirm / prompt / window.open / showModal that POPUP_TRAP recorded
  for (const el of document.querySelectorAll('.modal, .toast, .tooltip, .popover, dialog, [role=dialog], '
      + '[role=alertdialog], [role=tooltip], [popover], [data-bs-toggle=modal], [data-bs-toggle=tooltip], '
      + '[data-bs-toggle=popover], a[target]:not([target=_self]), form[target]:not([target=_self])'))
    out.popups.push(name(el));
  out.popups.push(...(window.__popups || []));
  return out;
}"""
# Before any script of the page: the calls that open a pop-up are recorded (and do nothing).
POPUP_TRAP = """(() => {
  window.__popups = [];
  for (const fn of ['alert', 'confirm', 'prompt', 'open'])
    window[fn] = function () { window.__popups.push('window.' + fn + '()'); return fn === 'confirm' ? true : null; };
  if (window.HTMLDialogElement)
    HTMLDialogElement.prototype.showModal = function () { window.__popups.push('dialog.showModal()'); };
})()"""
PRIMARY, ANYWHERE = 60, 24


def problems(m):
    """What breaks the elderly mode's rules on a measured page, as short sentences (empty: all is well)."""
    found = []
    if not m["elder"]:
        found.append("not in elderly mode (no html.elder)")
    for what, bad in (
            ("text under 24px", [t for t in m["text"] if t["size"] < 24 - 1e-6]),
            ("line-height under 1.3", [t for t in m["text"] if t["ratio"] < 1.3 - 1e-6]),
            ("contrast under 4.5:1", [t for t in m["text"] if t["contrast"] < 4.5])):
        if bad:
            found.append(f"{what} ×{len(bad)}: " + "; ".join(
                f"{t['el']} {t['text']!r} {t['size']:.0f}px/{t['ratio']:.2f}/{t['contrast']:.1f}:1" for t in bad[:3]))
    # a control or a link standing alone: 60 × 60; a link inside running text: its line, 24 × 24 (WCAG 2.2 2.5.8)
    low = [t for t in m["targets"] if min(t["height"], t["width"]) < (ANYWHERE if t["inline"] else PRIMARY) - 0.5]
    if low:
        found.append(f"tap targets too small ×{len(low)}: " + "; ".join(
            f"{t['el']} {t['text']!r} {t['width']:.0f}×{t['height']:.0f}{' (inline)' if t['inline'] else ''}"
            for t in low[:4]))
    if m["popups"]:
        found.append("pop-ups: " + ", ".join(sorted(set(m["popups"]))[:5]))
    if m["overflow"]:
        found.append("horizontal overflow")
    return found


def check(page, where):
    if os.environ.get("ELDER_SHOTS"):  # to look at the pages: ELDER_SHOTS=/tmp/dir
        page.screenshot(path=f"{os.environ['ELDER_SHOTS']}/{where.replace('/', '').replace(' ', '_')}.png", full_page=True)
    m = page.evaluate(MEASURE)
    assert m["targets"] and not problems(m), (where, problems(m))
    return m


def elder_on(page):
    # the switch sits in the header, outside the collapsed menu
    page.locator("#elder-switch button").click()
    page.wait_for_selector("html.elder")


def test_elderly_mode_on_a_phone(live_server, phone):
    cache.clear()
    phone.context.add_init_script(POPUP_TRAP)
    e = Election(deputies=3, candidates=4, seats=2, max_choices=2).open()
    deputy_services.deputy_account_create(person=e.people[0], username="dep0", password="x-Secret-123")
    factories.community(parent=e.body.division, name="桂花社区")
    from deputies.models import OpinionCategory
    OpinionCategory.objects.get_or_create(name="城市建设管理")

    phone.goto(f"{live_server.url}/")
    assert phone.locator("#elder-switch button").is_visible()
    # the residents' entry points are the first thing on the phone's home page, above the fold
    for sel in ("#entry-opinion", "#entry-propose"):
        box = phone.locator(sel).bounding_box()
        assert phone.locator(sel).is_visible() and box["y"] + box["height"] <= 844, sel
    assert phone.locator("#entry-track").is_visible()
    # before: the standard mode is smaller than the elderly mode asks, so the measurement can fail
    m = phone.evaluate(MEASURE)
    assert any(t["size"] < 24 for t in m["text"])
    elder_on(phone)
    assert phone.url == f"{live_server.url}/"
    check(phone, "home")
    # the residents' entry points come first, big, without scrolling
    for sel in ("#entry-opinion", "#entry-propose"):
        box = phone.locator(sel).bounding_box()
        assert box["height"] >= 60 and box["y"] + box["height"] <= 844, sel

    phone.goto(f"{live_server.url}/opinions/new/")  # remembered: the cookie, signed out
    check(phone, "opinion form")

    sign_in(phone, live_server.url, "dep0", "x-Secret-123")
    phone.wait_for_url(f"{live_server.url}/me/")
    check(phone, "/me/")
    phone.goto(f"{live_server.url}/ballots/{e.ballot.pk}/vote/")
    phone.wait_for_selector("#vote-form")
    check(phone, "ballot")
    # the collapsed menu, opened: its links are tap targets too
    phone.locator(".navbar-toggler").click()
    phone.wait_for_selector("#mainnav.show")
    phone.wait_for_timeout(400)
    check(phone, "ballot, menu open")

    # and off again
    phone.locator("#elder-switch button").click()
    phone.wait_for_selector("#vote-form")
    assert not phone.evaluate("document.documentElement.classList.contains('elder')")
