"""A resident scans a project's code (民生码) on a phone, reads its progress and rates it."""

import datetime

import pytest
from django.core.cache import caches

from projects import services
from projects.models import Category, Project, ResidentRating
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_resident_rates_a_project_from_its_code(live_server, phone):
    caches["ratelimit"].clear()
    body = factories.BodyFactory()
    category = Category.objects.get_or_create(name="养老服务")[0]
    project = services.project_propose(body=body, year=2026, title="社区老年食堂", category=category,
                                       description="在桂花社区建老年食堂一处，每日供餐200人次", source=Project.Source.STATION,
                                       responsible_unit="白桃街道民政办")
    Project.objects.filter(pk=project.pk).update(state=Project.State.IMPLEMENTATION, budget=120,
                                                 planned_completion=datetime.date(2026, 12, 31))
    project.refresh_from_db()
    services.progress_report(project=project, date=datetime.date(2026, 6, 1), percent=60, text="主体装修完成",
                             public=True)

    phone.goto(f"{live_server.url}/projects/{project.pk}/")
    assert "社区老年食堂" in phone.locator("#public-title").inner_text()
    assert "60%" in phone.locator("#public-progress").inner_text()
    assert "主体装修完成" in phone.locator(".public-report").inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # fits the phone
    phone.check("input[name=stars][value='4']")
    phone.fill("textarea[name=comment]", "饭菜可口，希望增加送餐")
    phone.click("#rating-form button")
    phone.wait_for_selector("#rating-thanks")
    rating = ResidentRating.objects.get()
    assert (rating.project_id, rating.stars, rating.comment) == (project.pk, 4, "饭菜可口，希望增加送餐")
    assert "4.0" in phone.locator("#rated + p").inner_text()

    # the same page in English
    phone.goto(f"{live_server.url}/projects/{project.pk}/")
    phone.evaluate("document.cookie = 'django_language=en; path=/'")
    phone.reload()
    assert "Rate this project" in phone.locator("#rated").inner_text()
