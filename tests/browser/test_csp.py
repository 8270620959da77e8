"""The Content-Security-Policy in a real browser: the pages work and Chromium reports no violation."""

import pytest

from deputies import services as deputy_services
from projects.models import Project
from tests import factories
from tests.browser.test_sign_in import sign_in
from tests.projects.conftest import Election

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _watch(page):
    violations = []
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    page.on("pageerror", lambda exc: violations.append(str(exc)))
    page.add_init_script("document.addEventListener('securitypolicyviolation',"
                         " e => console.error('Content Security Policy violation: ' + e.violatedDirective))")
    return violations


def test_pages_run_under_the_policy_without_violations(live_server, phone, desktop):
    e = Election(deputies=2, candidates=3, seats=2, max_choices=2).open()
    deputy_services.deputy_account_create(person=e.people[0], username="dep0", password="x-Secret-123")
    staff = factories.staff(e.body.division.parent, username="district")
    staff.set_password("x-Secret-123")
    staff.save()
    project = e.projects[0]
    Project.objects.filter(pk=project.pk).update(state="implementation", progress_percent=40)  # test data

    seen = _watch(phone)
    sign_in(phone, live_server.url, "dep0", "x-Secret-123")
    phone.wait_for_url(f"{live_server.url}/me/")
    phone.goto(f"{live_server.url}/ballots/{e.ballot.pk}/vote/")
    phone.locator("input[name=approve]").nth(0).check()
    assert "1" in phone.locator("#chosen-count").inner_text()  # the nonce'd inline script ran

    office = _watch(desktop)
    sign_in(desktop, live_server.url, "district", "x-Secret-123")
    desktop.goto(f"{live_server.url}/staff/bodies/{e.body.pk}/")
    desktop.evaluate("window.print = () => { window.__printed = true; }")
    desktop.click("[data-action=print]")
    assert desktop.evaluate("window.__printed === true")  # the print button works from site.js
    desktop.goto(f"{live_server.url}/staff/projects/{project.pk}/")
    bar = desktop.locator(".progress-bar")
    assert bar.evaluate("el => el.style.width") == "40%"
    desktop.goto(f"{live_server.url}/admin/")
    assert desktop.locator("#header").evaluate("el => getComputedStyle(el).backgroundColor") == "rgb(176, 18, 27)"
    assert seen == [] and office == [], seen + office
