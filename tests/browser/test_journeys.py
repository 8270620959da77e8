"""The journey crawl: every demo role, signed in through the real login page, visits every page reachable from its
navigation and lists on the seed_demo data, in both languages (phones for deputies and residents, desktop for
staff), and the crawl fails on what the unit, fuzz and permission tests cannot see:

- any 5xx;
- horizontal overflow at phone width;
- a visible raw choice value (a model field's stored code that is not also a display label): on an English page in
  a table cell, badge or definition, on a zh-hans page anywhere in the visible text; and on a zh-hans page a
  visible English msgid of the catalogue that has a translation;
- an axe-core violation of serious or critical impact for the WCAG 2.1 A/AA rules;
- on the main forms, a field whose input is neither saved nor refused with a message, and an accepted submission
  answered with a page instead of a redirect (post/redirect/get); the resulting page and what it links to are
  checked like the crawled ones.

Then each role walks again in elderly mode (长辈版, the header's switch): deputies and residents every page they saw
in Chinese and one page of each URL pattern in English, staff one page of each URL pattern they saw (every distinct
view and template), and the residents' and deputies' forms are sent once more with their resulting pages. On every
such page the MIIT 2021 aging-friendly rules are measured (tests/browser/test_elder.py): text 24px (18pt) and up,
line-height 1.3 and up, tap targets 60 × 60 for controls and links standing alone and 24 × 24 everywhere (WCAG 2.2),
no pop-ups, no horizontal overflow at any width; axe runs with the WCAG 2.2 rules too and its enhanced contrast
rule, which in elderly mode (all text large) asks 4.5:1 of every text. The Django admin keeps its own look and is
not part of the elderly mode.

Every finding is collected and the test fails once at the end with the whole list. The number of pages crawled
per role is printed (run with -s to see it)."""

import collections
import datetime
import gettext
import os
import re
import time
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.db import models
from django.db.models import Q
from django.utils import translation
from playwright.sync_api import Error as PlaywrightError

from congress.layers import LAYERS
from tests.browser import test_elder
from tests.browser.test_sign_in import sign_in, switch_language

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
PASSWORD = "renda2026"
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1366, "height": 900}}
# (login, viewport); None is the anonymous resident.
ROLES = [("city", DESKTOP), ("district", DESKTOP), ("jiangnan", DESKTOP), ("deputy", PHONE), ("yishi", PHONE),
         (None, PHONE)]
PROJECT_APPS = LAYERS
CAP_PER_PATTERN = {"zh-hans": 3, "en": 1}
DOWNLOAD = re.compile(r"\.(pdf|xlsx|csv|zip|docx?)$|/(composition|roster|result)\.\w+$|/attachment/$", re.I)
SKIP = re.compile(r"^/(accounts/logout|i18n)/|^/static/|^/admin/.+")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
ELDER_AXE_TAGS = [*AXE_TAGS, "wcag22aa"]
ELDER_EXEMPT = re.compile(r"^/admin/")  # Django's admin: its own templates and styles, no elderly mode
AXE_RUN = """([tags, elder]) => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations'],
    rules: elder ? {'color-contrast-enhanced': {enabled: true}, 'target-size': {enabled: true}} : {}})
  .then(r => r.violations.filter(v => v.impact == 'serious' || v.impact == 'critical' || v.id == 'color-contrast-enhanced')
  .map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => [n.target.join(' '),
     (n.failureSummary || '').split('\\n').slice(1).join(' ').trim(),
     ((n.any[0] || {}).data || {}).contrastRatio || 0])})))"""

VISIBLE_TEXT = """() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!el || el.closest('script,style,noscript,template,[hidden],[aria-hidden=true]')) continue;
    const lang = el.closest('[lang]');
    if (lang && !lang.lang.toLowerCase().startsWith(document.documentElement.lang.slice(0, 2))) continue;
    if (!el.checkVisibility || !el.checkVisibility({checkOpacity: true, checkVisibilityCSS: true})) continue;
    const t = n.textContent.trim();
    if (t) out.push(t);
  }
  return out.join('\\n');
}"""
CELL_TEXTS = """() => Array.from(document.querySelectorAll('td, th, dd, .badge, li.list-group-item span'))
  .filter(el => el.checkVisibility())
  .map(el => el.innerText.trim()).filter(Boolean)"""
LINKS = "() => Array.from(document.querySelectorAll('a[href]')).map(a => a.getAttribute('href'))"


def choice_codes():
    """Every stored choice value of the project's models, and every display label in both languages."""
    raw, labels = set(), set()
    for app in PROJECT_APPS:
        for model in apps.get_app_config(app).get_models():
            for field in model._meta.get_fields():
                for value, label in getattr(field, "flatchoices", None) or []:
                    if isinstance(value, str) and re.search(r"[a-z]", value):
                        raw.add(value)
                    for code, _ in settings.LANGUAGES:
                        with translation.override(code):
                            labels.add(str(label))
    return {v for v in raw if v not in labels}, labels


def translated_msgids():
    """English msgids of the project's catalogue that have a (different) zh-hans translation, as whole phrases."""
    mo = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.mo"
    with mo.open("rb") as fh:
        catalog = gettext.GNUTranslations(fh)._catalog
    phrases = set()
    for key, msgstr in catalog.items():
        msgid = key[0] if isinstance(key, tuple) else key
        msgid = msgid.split("\x04")[-1]
        if not msgid or not msgstr or msgstr == msgid:
            continue
        # Only the literal parts of a msgid with placeholders, when long enough to be unmistakable.
        for part in re.split(r"%\(\w+\)[sdif]|%[sdif]|\{[^}]*\}", msgid):
            part = part.strip(" .,:;")
            if re.search(r"[A-Za-z]{3}", part) and (len(part) >= 4 or part == msgid):
                phrases.add(part)
    return phrases


def signed_in(page):
    """Wait until the sign-in form has sent us on (every role is redirected away from the login page)."""
    page.wait_for_url(lambda url: "/accounts/login/" not in url, wait_until="load", timeout=15000)


def pattern_of(url):
    parts = urlsplit(url)
    path = re.sub(r"/\d+(?=[/.]|$)", "/<id>", parts.path)
    path = re.sub(r"/[A-Za-z0-9_:.-]{20,}(?=/|$)", "/<token>", path)
    keys = sorted({kv.split("=")[0] for kv in parts.query.split("&") if kv})
    return path + ("?" + "&".join(keys) if keys else "")


class Crawl:
    def __init__(self, base):
        self.base = base
        self.findings = []
        self.raw_codes, labels = choice_codes()
        self.msgids = translated_msgids()
        # Words of the labels and of every translated English sentence: "present" in "... were present when it
        # opened" is English, not a stored code; the whole cell or a snake_case code is still one.
        self.label_words = {w for text in (*labels, *self.msgids) for w in re.findall(r"[A-Za-z]+", text)}
        self.msgid_re = [(m, re.compile(r"(?<![A-Za-z'])" + re.escape(m) + r"(?![A-Za-z'])")) for m in self.msgids]
        self.axe_source = AXE.read_text(encoding="utf-8")
        self.axe_done = set()
        self.pages = collections.Counter()
        self.elder_pages = collections.Counter()
        self.elder_seconds = 0.0
        self.urls = collections.defaultdict(list)  # (role, lang): [(url, pattern)] in the order visited
        self.visited = []
        self.forms = []

    def add(self, role, lang, url, what):
        self.findings.append(f"[{role}/{lang}] {url.removeprefix(self.base)}: {what}")

    def same_origin(self, href, current):
        if not href or href.startswith(("#", "mailto:", "tel:", "javascript:")):
            return None
        url = urljoin(current, href).split("#")[0]
        if not url.startswith(self.base + "/"):
            return None
        path = urlsplit(url).path
        if SKIP.search(path) or DOWNLOAD.search(path) or re.search(r"(^|&)format=", urlsplit(url).query):
            return None
        return url

    def check_page(self, page, role, lang, url, phone, elder=False):
        if elder:  # the texts were checked in the standard mode already
            self.check_elder(page, role, lang, url)
            self.axe(page, role, lang, url, phone, elder)
            return
        if phone:
            # The layout viewport's width: on a phone (is_mobile) window.innerWidth grows with a page too wide.
            width = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
            if width[0] > width[1] + 1:
                wide = page.evaluate("""() => Array.from(document.querySelectorAll('body *'))
                  .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
                  .slice(-3).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                     + (e.className && typeof e.className == 'string' ? '.' + e.className.split(' ').join('.') : ''))""")
                self.add(role, lang, url, f"horizontal overflow {width[0]}px > {width[1]}px ({', '.join(wide)})")
        for cell in page.evaluate(CELL_TEXTS) if lang != "zh-hans" else []:
            tokens = [cell.strip()] + re.split(r"[\s,;:/()·|，、：；（）]+", cell)
            for i, token in enumerate(tokens):
                # A stored code shown as is: the whole cell, a snake_case code or a code that is no word of any label.
                if token in self.raw_codes and (i == 0 or "_" in token or token not in self.label_words):
                    self.add(role, lang, url, f"raw choice value {token!r} in {cell[:60]!r}")
                    break
        if lang == "zh-hans":
            text = re.sub(r"\b(https?://|/)[\w./:?=&%#~+-]*", " ", page.evaluate(VISIBLE_TEXT))  # links are no words
            # On a Chinese page any stored code in the visible text is one (no English word belongs there).
            for token in sorted(set(re.findall(r"[A-Za-z_]+", text)) & self.raw_codes):
                found = re.search(r"(?<![A-Za-z_])" + token + r"(?![A-Za-z_])", text)
                around = text[max(0, found.start() - 20):found.end() + 20].replace("\n", " ")
                self.add(role, lang, url, f"raw choice value {token!r} in {around!r}")
            for msgid, rx in self.msgid_re:
                found = msgid in text and rx.search(text)
                if found:
                    around = text[max(0, found.start() - 20):found.end() + 20].replace("\n", " ")
                    self.add(role, lang, url, f"untranslated {msgid!r} in {around!r}")
                    text = text.replace(found.group(), " ")
            # English sentences that never went through the catalogue: three or more English words in a row.
            for run in re.findall(r"[A-Za-z][a-z']+(?:[ -][A-Za-z][a-z']*){2,}", text):
                self.add(role, lang, url, f"English text on a Chinese page {run[:80]!r}")
        self.axe(page, role, lang, url, phone, elder)

    def axe(self, page, role, lang, url, phone, elder):
        # axe on every distinct page in Chinese (the same URL seen by two roles is one), once per pattern in English;
        # on every elderly-mode page (they are a sample already).
        key = (urlsplit(url).path + "?" + urlsplit(url).query if lang == "zh-hans" or elder else pattern_of(url),
               phone, lang, elder)
        if key not in self.axe_done:
            self.axe_done.add(key)
            page.evaluate(self.axe_source)
            result = page.evaluate(AXE_RUN, [ELDER_AXE_TAGS if elder else AXE_TAGS, elder])
            for v in result:
                # One finding per distinct failure (the same failure on many nodes of a page is one).
                by_failure = collections.defaultdict(list)
                for target, summary, ratio in v["nodes"]:
                    # The enhanced rule asks 7:1 of small text, which elderly mode has none of (the size rule says
                    # so); of large text it asks 4.5:1, the elderly mode's threshold.
                    if v["id"] == "color-contrast-enhanced" and ratio >= 4.5:
                        continue
                    by_failure[re.sub(r"\s+", " ", summary)[:150]].append(target)
                for summary, targets in by_failure.items():
                    self.add(role, lang, url, f"axe {v['impact']} {v['id']} ×{len(targets)} at {targets[:3]}: {summary}")

    def check_elder(self, page, role, lang, url):
        measured = page.evaluate(test_elder.MEASURE)
        for problem in test_elder.problems(measured):
            self.add(role, lang, url, f"elderly mode {problem}")

    def elder_walk(self, page, role, phone):
        """The pages of the normal walk again, in elderly mode: for a phone every Chinese page and one page per URL
        pattern in English, at the desktop one page per pattern in Chinese."""
        label = role or "resident"
        page.goto(self.base + "/")
        switch_language(page, "zh-hans")
        page.wait_for_selector("html[lang=zh-hans]")
        page.locator("#elder-switch button").click()
        page.wait_for_selector("html.elder")
        for lang in ("zh-hans", "en") if phone else ("zh-hans",):
            if lang == "en":
                page.goto(self.base + "/")
                switch_language(page, "en")
                page.wait_for_selector("html[lang=en]")
            if phone:  # the collapsed menu, opened: its links and buttons are tap targets too
                page.goto(self.base + "/")
                page.locator(".navbar-toggler").click()
                page.wait_for_selector("#mainnav.show")
                page.wait_for_timeout(400)
                self.check_elder(page, role, f"{lang}/elderly", page.url + " (menu open)")
            urls, patterns = [], set()
            for url, pattern in self.urls[(label, lang)]:
                if ELDER_EXEMPT.search(urlsplit(url).path) or (pattern in patterns and (lang == "en" or not phone)):
                    continue
                patterns.add(pattern)
                urls.append(url)
            for url in urls:
                response = page.goto(url, wait_until="load")
                if response and response.status >= 500:
                    self.add(role, f"{lang}/elderly", url, f"HTTP {response.status}")
                    continue
                self.elder_pages[label] += 1
                self.visited.append(f"{label} {lang} elderly {url.removeprefix(self.base)}")
                self.check_page(page, role, f"{lang}/elderly", page.url, phone, elder=True)

    def crawl(self, page, role, lang, start, phone):
        cap = CAP_PER_PATTERN[lang]
        seen_urls, per_pattern = set(), collections.Counter()
        queue = collections.deque([start])
        seen_urls.add(start)
        while queue:
            url = queue.popleft()
            try:
                response = page.goto(url, wait_until="load")
            except PlaywrightError as exc:  # a link that answers with a file, not a page
                if "Download is starting" in str(exc):
                    continue
                raise
            status = response.status if response else 0
            if status >= 500:
                self.add(role, lang, url, f"HTTP {status}")
                continue
            if status >= 400 or "text/html" not in (response.headers.get("content-type") or ""):
                continue
            self.pages[role or "resident"] += 1
            self.visited.append(f"{role or 'resident'} {lang} {url.removeprefix(self.base)}")
            self.urls[(role or "resident", lang)].append((url, pattern_of(url)))
            if page.url.split("#")[0] != url and not page.url.startswith(self.base):
                continue
            self.check_page(page, role, lang, page.url, phone)
            for href in page.evaluate(LINKS):
                nxt = self.same_origin(href, page.url)
                if not nxt or nxt in seen_urls:
                    continue
                pattern = pattern_of(nxt)
                if per_pattern[pattern] >= cap:
                    continue
                per_pattern[pattern] += 1
                seen_urls.add(nxt)
                queue.append(nxt)


# The main forms: (login, viewport, page). Every visible field gets a distinctive value; after the submission each
# text value is either shown on the resulting page or stored (any text column of the project's tables), or the
# page shows a refusal message.
FORMS = [(None, PHONE, "/opinions/new/"), (None, PHONE, "/propose/"), ("deputy", PHONE, "/me/suggestions/new/"),
         ("jiangnan", DESKTOP, "/staff/opinions/new/"), ("jiangnan", DESKTOP, "/staff/projects/new/"),
         ("jiangnan", DESKTOP, "/staff/meetings/new/"), ("jiangnan", DESKTOP, "/staff/ballots/new/"),
         ("jiangnan", DESKTOP, "/staff/opinions/<first>/")]
# Sent again in elderly mode: the residents' and deputies' forms, whose resulting pages (thanks, tracking) the crawl
# does not reach.
ELDER_FORMS = [(None, PHONE, "/opinions/new/"), (None, PHONE, "/propose/"), ("deputy", PHONE, "/me/suggestions/new/")]
REFUSAL = ".invalid-feedback, .errorlist, .alert-danger, #form-refused"
FILL = """(form) => {
  const filled = [];
  let n = 0;
  for (const el of form.elements) {
    if (!el.name || el.disabled || el.type === 'hidden' || !el.checkVisibility()) continue;
    n += 1;
    const tag = el.tagName.toLowerCase(), type = (el.type || '').toLowerCase();
    const mark = 'QA' + n + 'z' + el.name.replace(/[^A-Za-z0-9]/g, '');
    if (tag === 'select') {
      const opts = Array.from(el.options).filter(o => o.value);
      if (opts.length) { opts[opts.length - 1].selected = true; }
      if (el.multiple && opts.length > 1) { opts[0].selected = true; }
    } else if (type === 'checkbox') { el.checked = true;
    } else if (type === 'radio') { if (!form.querySelector(`[name="${el.name}"]:checked`)) el.checked = true;
    } else if (type === 'date') { el.value = '2026-12-' + (10 + n);
    } else if (type === 'datetime-local') { el.value = '2026-12-' + (10 + n) + 'T09:30';
    } else if (type === 'time') { el.value = '09:30';
    } else if (type === 'number') { el.value = /year/.test(el.name) ? '2026' : (el.min && +el.min > 3 ? el.min : '3');
    } else if (type === 'email') { el.value = mark.toLowerCase() + '@example.com'; filled.push([el.name, el.value]);
    } else if (type === 'tel') { el.value = '139' + String(70000000 + n); filled.push([el.name, el.value]);
    } else if (type === 'file' || type === 'submit' || type === 'button') { continue;
    } else if (tag === 'textarea' || ['text', 'search', 'url', ''].includes(type)) {
      el.value = type === 'url' ? 'https://example.com/' + mark : mark;
      if (el.maxLength > 0 && el.value.length > el.maxLength) el.value = el.value.slice(0, el.maxLength);
      filled.push([el.name, el.value]);
    }
    el.dispatchEvent(new Event('change', {bubbles: true}));
  }
  return filled;
}"""


def stored_anywhere(value):
    for app in PROJECT_APPS:
        for model in apps.get_app_config(app).get_models():
            query = Q()
            for field in model._meta.concrete_fields:
                if isinstance(field, models.CharField | models.TextField):
                    query |= Q(**{f"{field.attname}__contains": value})
            if query and model._default_manager.filter(query).exists():
                return True
    return False


def new_page(crawl, browser, role, **viewport):
    """A fresh browser context whose pop-ups (a new window, alert, confirm...) are findings."""
    context = browser.new_context(locale="zh-CN", **viewport)
    context.add_init_script(test_elder.POPUP_TRAP)
    page = context.new_page()
    page.on("popup", lambda popup: crawl.add(role or "resident", "-", popup.url, "opened a new window"))
    return context, page


def check_forms(crawl, browser, base):
    for role, viewport, path, elder in [(*form, False) for form in FORMS] + [(*form, True) for form in ELDER_FORMS]:
        cache.clear()
        context, page = new_page(crawl, browser, role, **viewport)
        if elder:
            context.add_cookies([{"name": "elder", "value": "1", "url": base}])
        lang = "zh-hans/elderly" if elder else "zh-hans"
        if role:
            sign_in(page, base, role, PASSWORD)
            signed_in(page)
        if "<first>" in path:
            page.goto(base + path.split("<first>")[0])
            path = page.locator("main table a[href*='/staff/opinions/']").first.get_attribute("href")
        url = base + path
        page.goto(url)
        form = page.locator("main form[method=post]:has(button:not([type=button]))").last
        filled = form.evaluate(FILL)
        with page.expect_navigation(wait_until="load") as nav:
            form.locator("button:not([type=button])").last.click()
        status = nav.value.status if nav.value else 0
        if status >= 500:
            crawl.add(role or "resident", lang, url, f"form answered HTTP {status}")
            context.close()
            continue
        crawl.check_page(page, role or "resident", lang, page.url, viewport is PHONE, elder)
        refused = [t for t in page.locator(REFUSAL).all_inner_texts() if t.strip()]
        if not refused:
            shown = page.evaluate(VISIBLE_TEXT)
            for name, value in filled:
                if value not in shown and not stored_anywhere(value):
                    crawl.add(role or "resident", lang, url,
                              f"form field {name!r} was neither saved nor refused with a message (HTTP {status})")
        if not refused and nav.value and nav.value.request.redirected_from is None:
            crawl.add(role or "resident", lang, url, "an accepted form answered its POST with a page, not a "
                      "redirect (a reload sends it again)")
        # What the resulting page links to (a tracking page, the new record) is checked too.
        after = [u for u in (crawl.same_origin(h, page.url) for h in page.locator("main a[href]").evaluate_all(
            "els => els.map(a => a.getAttribute('href'))")) if u][:3]
        for link in after:
            response = page.goto(link)
            if response and response.status >= 500:
                crawl.add(role or "resident", lang, link, f"HTTP {response.status}")
            elif response and "text/html" in (response.headers.get("content-type") or ""):
                crawl.check_page(page, role or "resident", lang, page.url, viewport is PHONE, elder)
        crawl.forms.append(f"{path}{' (elderly)' if elder else ''}: {status}, {'refused: ' + refused[0][:80] if refused else 'accepted'}")
        context.close()


def test_journeys(live_server, browser):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    crawl = Crawl(live_server.url)
    started = time.monotonic()
    for role, viewport in ROLES:
        phone = viewport is PHONE
        cache.clear()  # the public rate limits count per address; every role starts afresh
        context, page = new_page(crawl, browser, role, **viewport)
        if role:
            sign_in(page, live_server.url, role, PASSWORD)
            signed_in(page)
        else:
            page.goto(live_server.url + "/")
        start = page.url.split("#")[0]
        for lang in ("zh-hans", "en"):
            if lang == "en":
                page.goto(start)
                switch_language(page, "en")
                page.wait_for_selector("html[lang=en]")
            if os.environ.get("JOURNEY_SHOTS"):  # screenshots of each role's first page, e.g. for the README
                page.goto(start)
                page.screenshot(path=Path(os.environ["JOURNEY_SHOTS"]) / f"{role or 'resident'}-{lang}.png")
            crawl.crawl(page, role, lang, start, phone)
        elder_started = time.monotonic()
        crawl.elder_walk(page, role, phone)
        crawl.elder_seconds += time.monotonic() - elder_started
        context.close()
    check_forms(crawl, browser, live_server.url)
    elapsed = time.monotonic() - started
    if os.environ.get("JOURNEY_LOG"):
        Path(os.environ["JOURNEY_LOG"]).write_text("\n".join(crawl.visited + crawl.findings) + "\n", encoding="utf-8")
    print("\nJourney crawl, pages crawled per role (both languages; then in elderly mode):")
    for role, _ in ROLES:
        print(f"  {role or 'resident':<10} {crawl.pages[role or 'resident']:>4} {crawl.elder_pages[role or 'resident']:>4}")
    print("Forms submitted:\n  " + "\n  ".join(crawl.forms))
    print(f"  total {sum(crawl.pages.values())} pages and {sum(crawl.elder_pages.values())} in elderly mode in "
          f"{elapsed:.0f} s (the elderly-mode walk {crawl.elder_seconds:.0f} s)")
    kinds = collections.Counter(re.match(r"axe \w+ [\w-]+|[A-Za-z ]+", f.split("] ", 1)[1].split(": ", 1)[1])
                                .group().strip() for f in crawl.findings)
    print("Findings by kind: " + (", ".join(f"{k} {n}" for k, n in kinds.most_common()) or "none"))
    assert not crawl.findings, f"{len(crawl.findings)} findings:\n" + "\n".join(crawl.findings)


def test_admin_index_headers_are_translated(client):
    """Django's admin index has screen-reader table headers that its own zh_Hans catalogue lacks; ours has them."""
    from congress.models import User

    client.force_login(User.objects.create_superuser("root", password="x-Secret-123"))
    text = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "模型名称" in text and "Model name" not in text and "Change or view list link" not in text


def test_tinted_table_rows_keep_their_contrast(live_server, browser):
    """An overdue opinion's row is tinted red; its link keeps a 4.5:1 contrast (axe color-contrast, main only)."""
    from deputies.models import OpinionCategory, ResidentOpinion
    from tests import factories

    sub = factories.subdistrict(name="白桃街道")
    staff = factories.staff(sub, username="baitao")
    staff.set_password("x-Secret-123")
    staff.save()
    ResidentOpinion.objects.create(
        reference="QA7TINTED1", division=factories.community(parent=sub), channel="online", text="路灯坏了",
        category=OpinionCategory.objects.get_or_create(name="城市建设管理")[0], state="referred", overdue=True,
        unit="白桃街道城管办", due_date=datetime.date(2026, 1, 5))
    context = browser.new_context(locale="zh-CN", **DESKTOP)
    page = context.new_page()
    sign_in(page, live_server.url, "baitao", "x-Secret-123")
    signed_in(page)
    page.goto(live_server.url + "/staff/opinions/")
    assert page.locator("tr.table-danger a").count() == 1
    page.evaluate(AXE.read_text(encoding="utf-8"))
    nodes = page.evaluate("() => axe.run({include: [['main']]}, {runOnly: ['color-contrast']})"
                          ".then(r => r.violations.flatMap(v => v.nodes.map(n => n.html)))")
    context.close()
    assert nodes == []


def test_the_attendance_list_scrolls_by_keyboard(live_server, browser):
    """The meeting page's attendance list scrolls inside its own box: the box takes the focus, so a keyboard can
    scroll it (axe scrollable-region-focusable, WCAG 2.1.1)."""
    from meetings import services
    from meetings.models import Meeting
    from tests.meetings.conftest import Hall

    hall = Hall(deputies=40).convene()
    services.meeting_transition(meeting=hall.meeting, to=Meeting.State.SUMMARY)  # a list without buttons
    staff = factories_staff(hall.body.division)
    context = browser.new_context(locale="zh-CN", **DESKTOP)
    page = context.new_page()
    sign_in(page, live_server.url, staff, "x-Secret-123")
    signed_in(page)
    page.goto(f"{live_server.url}/staff/meetings/{hall.meeting.pk}/")
    assert page.evaluate("() => { const b = document.querySelector('#attendance').parentElement;"
                         " return b.scrollHeight > b.clientHeight; }")
    page.evaluate(AXE.read_text(encoding="utf-8"))
    nodes = page.evaluate("() => axe.run({include: [['main']]}, {runOnly: ['scrollable-region-focusable']})"
                          ".then(r => r.violations.flatMap(v => v.nodes.map(n => n.html)))")
    context.close()
    assert nodes == []


def factories_staff(division):
    from tests import factories

    user = factories.staff(division, username="qa-staff")
    user.set_password("x-Secret-123")
    user.save()
    return user.username
