"""Pages that broke on the demo district's data though they passed on fixture worlds."""

import re

import pytest

pytestmark = pytest.mark.django_db

STAFF = ["city", "district", "jiangnan"]


@pytest.mark.parametrize("username", STAFF)
def test_station_list_answers_for_every_staff_role(login, username):
    # two demo stations share a reception day: sorting (date, station) pairs used to compare stations (500)
    page = login(username).get("/staff/stations/")
    assert page.status_code == 200


def _links(html):
    import re

    return sorted({href for href in re.findall(r'href="(/[^"#?]*)"', html)
                   if not href.startswith(("/static/", "/admin/", "/i18n/", "/accounts/logout"))
                   and not href.endswith((".csv", ".xlsx", ".pdf"))})


@pytest.mark.parametrize("username", [*STAFF, "deputy", "yishi"])
def test_every_page_two_clicks_from_the_navigation_answers(login, username):
    """A small crawl on the demo data: the navigation's pages and the pages they link to, none a 5xx."""
    client = login(username)
    home = client.get("/", follow=True)
    assert home.status_code == 200
    seen, failures = set(), []
    frontier = _links(home.content.decode())
    for depth in range(2):
        following = []
        for url in frontier:
            if url in seen:
                continue
            seen.add(url)
            page = client.get(url)
            if page.status_code >= 500:
                failures.append((url, page.status_code))
            elif depth == 0 and page.status_code == 200 and page.get("Content-Type", "").startswith("text/html"):
                following.extend(_links(page.content.decode())[:40])
        frontier = following
    assert not failures, failures
    assert len(seen) > 5


def test_an_overdue_opinion_says_so_in_words_not_only_in_red(login):
    """WCAG 1.4.1: on seed_demo's opinions the one past its due date is marked 逾期, not only by its red row."""
    html = login("district").get("/staff/opinions/").content.decode()
    rows = re.findall(r"<tr[^>]*>.*?</tr>", html[html.index("<tbody>"):], re.S)
    red = [r for r in rows if 'class="table-danger"' in r]
    assert len(red) == 1 and '<span class="badge text-bg-danger">逾期</span>' in red[0]
    assert not any("逾期" in r for r in rows if r not in red)
