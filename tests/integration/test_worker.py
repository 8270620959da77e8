"""Tasks through Redis to a real Celery worker process on PostgreSQL (not eager mode)."""

import datetime

import pytest

from deputies.models import Mandate
from deputies.tasks import close_mandates_of_ended_terms
from tests import factories

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_worker_closes_mandates_of_ended_terms(celery_worker_process):
    body = factories.BodyFactory(seats=80)
    term = factories.TermFactory(body=body, start_date=datetime.date(2018, 1, 1))
    area = factories.community(parent=body.division)
    for _ in range(3):
        factories.seat(factories.PersonFactory(area=area), term)
    result = close_mandates_of_ended_terms.delay("2024-01-01")
    assert result.get(timeout=60) == 3
    assert set(Mandate.objects.values_list("end_reason", flat=True)) == {"term_ended"}
    # a re-run is idempotent
    assert close_mandates_of_ended_terms.delay("2024-01-01").get(timeout=60) == 0
    assert Mandate.objects.filter(end_date=term.end_date).count() == 3


def test_worker_recolours_projects_daily_and_opens_one_supervision_task(celery_worker_process):
    from projects import services
    from projects.models import Category, Project, SupervisionTask
    from projects.tasks import recolour_projects

    body = factories.BodyFactory()
    project = services.project_propose(body=body, year=2025, title="路灯补装", category=Category.objects.get_or_create(name="道路交通")[0],
                                       description="x", source=Project.Source.STATION, responsible_unit="城管办")
    Project.objects.filter(pk=project.pk).update(state=Project.State.IMPLEMENTATION,
                                                 planned_completion=datetime.date(2025, 6, 30))
    assert recolour_projects.delay().get(timeout=60) == 1
    project.refresh_from_db()
    assert project.colour == "red"
    task = SupervisionTask.objects.get(project=project)
    assert task.notified_at is not None  # sent by the worker (or by the daily job when queued notices failed)
    assert recolour_projects.delay().get(timeout=60) == 0  # idempotent
    assert SupervisionTask.objects.count() == 1
