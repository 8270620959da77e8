"""On a phone: a deputy reports a duty activity; a handling unit's account opens its queue, returns a misrouted
suggestion with its reason, and sees its project's supervision task (issue 15)."""

import datetime
import os
from pathlib import Path

import pytest
from django.utils import timezone

from congress.models import User
from deputies import services as deputy_services
from deputies import suggestions
from deputies.models import DutyReport, Suggestion
from projects import services as project_services
from projects import supervision
from projects.models import Category, Project, SupervisionTask
from tests import factories
from tests.browser.test_sign_in import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "x-Secret-123"


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= 390


def _shot(page, name, tmp_path):
    path = Path(os.environ.get("UNIT_SHOTS") or tmp_path) / f"{name}.png"
    page.screenshot(path=path, full_page=True)
    assert path.stat().st_size > 5000


def test_deputy_reports_and_unit_returns_a_suggestion_on_a_phone(live_server, phone, tmp_path):
    body = factories.BodyFactory(seats=80)
    term = factories.TermFactory(body=body, start_date=datetime.date(2024, 1, 10))
    deputy = factories.PersonFactory(area=factories.community(parent=body.division), name="陈代表")
    factories.seat(deputy, term)
    account, password = deputy_services.deputy_account_create(person=deputy)
    unit = suggestions.handling_unit_create(body=body, name="区交通局")
    suggestions.handling_unit_account_create(unit=unit, username="jtj", password=PASSWORD)
    s = suggestions.suggestion_submit(body=body, lead=deputy, title="增设公交站", text="建议在桂花路口增设公交站",
                                      submitted_on=timezone.localdate())
    suggestions.suggestion_assign(suggestion=s, unit=unit, on=timezone.localdate())
    project = project_services.project_propose(body=body, year=timezone.localdate().year, title="背街小巷路灯改造",
                                               category=Category.objects.get_or_create(name="道路交通")[0], description="更换路灯40盏",
                                               source=Project.Source.STATION, handling_unit=unit)
    Project.objects.filter(pk=project.pk).update(state=Project.State.IMPLEMENTATION,
                                                 planned_start=timezone.localdate() - datetime.timedelta(days=200),
                                                 planned_completion=timezone.localdate() + datetime.timedelta(days=10))
    supervision.project_recolour(project=project)
    assert SupervisionTask.objects.get().handling_unit == unit

    # the deputy reports an activity from the phone
    sign_in(phone, live_server.url, account.username, password)
    phone.wait_for_url(lambda url: "/accounts/login/" not in url)
    phone.goto(f"{live_server.url}/me/points/")
    phone.select_option("select[name=body]", str(body.pk))
    phone.select_option("select[name=kind]", "inspection")
    phone.fill("textarea[name=description]", "视察桂花路口交通秩序")
    assert _fits(phone)
    phone.click("#report-form button")
    phone.wait_for_selector("#my-reports .report-state")
    report = DutyReport.objects.get()
    assert (report.person, report.state, report.description) == (deputy, "pending", "视察桂花路口交通秩序")
    phone.context.clear_cookies()

    # the unit's account opens its queue and returns the suggestion
    sign_in(phone, live_server.url, "jtj", PASSWORD)
    phone.wait_for_url(lambda url: "/accounts/login/" not in url)
    phone.goto(f"{live_server.url}/unit/suggestions/")
    assert "增设公交站" in phone.locator("#unit-queue").inner_text() and _fits(phone)
    phone.click("#unit-queue a")
    phone.fill("#return-form textarea[name=reason]", "公交站设置属区公交集团，不属本单位职责")
    phone.click("#return-form button")
    phone.wait_for_selector(".alert-success")
    s.refresh_from_db()
    assert (s.state, s.return_reason) == (Suggestion.State.RETURNED, "公交站设置属区公交集团，不属本单位职责")
    phone.goto(f"{live_server.url}/unit/suggestions/")
    _shot(phone, "unit-queue", tmp_path)
    phone.click("#unit-tabs a[href='/unit/supervision/']")
    phone.wait_for_selector("#unit-tasks")
    assert "背街小巷路灯改造" in phone.locator("#unit-tasks").inner_text() and _fits(phone)
    _shot(phone, "unit-tasks", tmp_path)
    assert User.objects.get(username="jtj").handling_units.get() == unit
