"""Elderly mode (长辈版): one switch in the header, remembered in a cookie, a class on <html>."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from congress.layers import LAYERS

pytestmark = pytest.mark.django_db


def test_the_switch_is_in_the_header_of_every_page_signed_out(client):
    for url in ("/", "/opinions/new/", "/projects/propose/", "/accounts/login/"):
        html = client.get(url).content.decode()
        assert 'id="elder-switch"' in html, url
        assert '<html lang="zh-hans">' in html, url  # no class: standard mode


def test_switching_on_sets_the_cookie_and_the_class_and_goes_back(client):
    response = client.post("/elder/", {"elder": "1", "next": "/opinions/new/"})
    assert response.status_code == 302 and response["Location"] == "/opinions/new/"
    cookie = response.cookies["elder"]
    assert cookie.value == "1" and cookie["max-age"] > 30 * 24 * 3600 and cookie["samesite"] == "Lax"
    html = client.get("/opinions/new/").content.decode()
    assert '<html lang="zh-hans" class="elder">' in html
    assert 'name="elder" value="0"' in html  # the switch now offers the standard mode back

    response = client.post("/elder/", {"elder": "0", "next": "/"})
    assert response.cookies["elder"].value == ""
    assert 'class="elder"' not in client.get("/").content.decode()


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)", ""])
def test_the_switch_goes_back_only_to_this_site(client, target):
    response = client.post("/elder/", {"elder": "1", "next": target})
    assert response.status_code == 302 and response["Location"] == "/"


@pytest.mark.parametrize("target", ["0", "home"])
def test_a_bare_word_is_a_relative_address_not_a_view_name(client, target):
    response = client.post("/elder/", {"elder": "1", "next": target})
    assert response.status_code == 302 and response["Location"] == target


def test_the_switch_takes_no_get(client):
    assert client.get("/elder/?elder=1").status_code == 405


def test_the_home_page_leads_with_the_residents_entry_points(client):
    html = client.get("/").content.decode()
    main = html[html.index("<main"):]
    first_link = main.index("<a ")
    assert main.index('id="entry-opinion"') < main.index('id="entry-propose"') < main.index('href="/accounts/login/"')
    assert main[first_link:].startswith('<a class="btn btn-congress btn-lg py-3" id="entry-opinion" href="/opinions/new/"')
    assert 'href="/propose/"' in main and 'id="entry-track"' in main


POPUP = re.compile(r"\b(alert|confirm|prompt)\s*\(|window\.open\s*\(|\.showModal\s*\(|new\s+bootstrap\.(Modal|Toast|Tooltip|"
                   r"Popover)\b|data-bs-toggle=[\"']?(modal|tooltip|popover)|target=[\"']?_blank|<dialog\b")


def test_no_pop_ups_in_the_project_s_templates_and_scripts():
    """No pop-ups (MIIT 2021 aging-friendly rules): no alert / confirm / prompt, no new window, no modal dialog,
    toast, tooltip or popover. Irreversible steps ask on a page of their own (congress/safeguards.py). The journey
    crawl measures the pages; this looks at what only a click would open."""
    root = Path(settings.BASE_DIR)
    files = [*(root / "static" / "js").rglob("*.js"), *(root / "templates").rglob("*.html"),
             *(p for app in LAYERS for p in (root / app).rglob("*.html"))]
    assert len(files) > 20
    found = [f"{path.relative_to(root)}: {m.group()}" for path in files
             for m in POPUP.finditer(path.read_text(encoding="utf-8"))]
    assert found == []
