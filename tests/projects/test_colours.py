"""Five-colour supervision: the colour at every boundary, the red task, the daily job and the progress report."""

import datetime

import pytest
from django.core import mail
from django.db import IntegrityError, transaction

from projects import colours, services, supervision
from projects.models import Category, Colour, ColourChange, Project, SupervisionTask
from tests import factories

T = colours.Thresholds(yellow_below=90, orange_below=60, red_below=30)


def colour(progress, planned=100, overdue=0, state=Project.State.IMPLEMENTATION, thresholds=T):
    return colours.colour_for(state=state, progress=progress, planned=planned, overdue_milestones=overdue,
                              thresholds=thresholds).colour


@pytest.mark.parametrize(("progress", "expected"), [
    (100, Colour.BLUE), (99, Colour.GREEN), (90, Colour.GREEN), (89, Colour.YELLOW), (60, Colour.YELLOW),
    (59, Colour.ORANGE), (30, Colour.ORANGE), (29, Colour.RED), (0, Colour.RED),
])
def test_colour_at_each_threshold_of_a_full_plan(progress, expected):
    assert colour(progress) == expected


@pytest.mark.parametrize(("progress", "expected"), [
    # half the plan by now: 45 is 90% of it, 44 is 88%; 15 is 30%, 14 is 28%
    (50, Colour.GREEN), (45, Colour.GREEN), (44, Colour.YELLOW), (30, Colour.YELLOW), (29, Colour.ORANGE),
    (15, Colour.ORANGE), (14, Colour.RED),
])
def test_colour_is_a_share_of_the_planned_progress(progress, expected):
    assert colour(progress, planned=50) == expected


def test_a_milestone_overdue_is_red_whatever_the_progress():
    assert colour(95, overdue=1) == Colour.RED
    assert colour(95, overdue=0) == Colour.GREEN


def test_completed_is_blue_and_before_implementation_no_colour():
    assert colour(10, state=Project.State.COMPLETED) == Colour.BLUE
    assert colour(10, state=Project.State.EVALUATED, overdue=2) == Colour.BLUE
    assert colour(0, state=Project.State.SELECTED) == ""
    assert colour(0, planned=0) == Colour.GREEN  # nothing planned yet
    assert colour(0, planned=None) == Colour.GREEN  # no planned completion to measure against


def test_thresholds_are_the_bodys():
    strict = colours.Thresholds(yellow_below=100, orange_below=80, red_below=50)
    assert colour(95, thresholds=strict) == Colour.YELLOW
    assert colour(49, thresholds=strict) == Colour.RED


@pytest.mark.parametrize(("on", "planned"), [
    (datetime.date(2027, 1, 1), 0), (datetime.date(2026, 12, 1), 0), (datetime.date(2027, 1, 11), 10),
    (datetime.date(2027, 4, 10), 99), (datetime.date(2027, 4, 11), 100), (datetime.date(2027, 6, 1), 100),
])
def test_planned_progress_runs_from_start_to_completion(on, planned):
    assert colours.planned_percent(start=datetime.date(2027, 1, 1), end=datetime.date(2027, 4, 11), on=on) == planned
    assert colours.planned_percent(start=datetime.date(2027, 1, 1), end=None, on=on) is None


@pytest.mark.django_db
def test_the_database_keeps_the_thresholds_in_order():
    body = factories.BodyFactory()
    for bad in ({"colour_red_below": 60, "colour_orange_below": 60}, {"colour_orange_below": 95},
                {"colour_red_below": 0}, {"colour_yellow_below": 101}):
        with pytest.raises(IntegrityError), transaction.atomic():
            type(body).objects.filter(pk=body.pk).update(**bad)


# --- what a colour change does --------------------------------------------------------------

@pytest.fixture
def world(db, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    body = factories.BodyFactory()
    term = factories.TermFactory(body=body, start_date=datetime.date(2024, 1, 10))
    area = factories.community(parent=body.division)
    people = [factories.PersonFactory(area=area) for _ in range(3)]
    for i, p in enumerate(people):
        factories.seat(p, term)
        account = factories.staff(body.division, username=f"dep{i}")
        account.email = f"dep{i}@example.cn"
        account.save()
        p.user = account
        p.save()
    project = services.project_propose(body=body, year=2027, title="老旧小区加装电梯", category=Category.objects.first(),
                                       description="加装电梯4部", source=Project.Source.STATION,
                                       responsible_unit="区住建委")
    Project.objects.filter(pk=project.pk).update(state=Project.State.IMPLEMENTATION, unit_email="zjw@example.cn",
                                                 planned_completion=datetime.date(2027, 12, 31))
    project.refresh_from_db()
    supervision.project_set_supervisors(project=project, presidium=people[0], deputies=people[1:])
    return project


def test_turning_red_opens_one_task_notifies_and_is_kept_in_history(world, django_capture_on_commit_callbacks):
    on = datetime.date(2027, 7, 2)  # about half the year: 50% planned
    with django_capture_on_commit_callbacks(execute=True):
        assert supervision.projects_recolour(on=on) == 1
    world.refresh_from_db()
    assert world.colour == Colour.RED
    task = SupervisionTask.objects.get(project=world)
    assert task.unit == "区住建委" and task.due_date == on + datetime.timedelta(days=15) and task.notified_at
    assert sorted(m.to[0] for m in mail.outbox) == ["dep0@example.cn", "dep1@example.cn", "dep2@example.cn",
                                                      "zjw@example.cn"]
    assert "老旧小区加装电梯" in mail.outbox[0].subject
    assert list(ColourChange.objects.filter(project=world).values_list("from_colour", "to_colour")) == [("", "red")]
    # the daily job again: nothing changes, nothing is sent again
    with django_capture_on_commit_callbacks(execute=True):
        assert supervision.projects_recolour(on=on) == 0
    assert SupervisionTask.objects.count() == 1 and len(mail.outbox) == 4
    assert supervision.supervision_task_notify(task_id=task.pk) == 0


def test_progress_report_recolours_at_once_and_red_again_waits_for_the_open_task(world, monkeypatch):
    import projects.colours as c
    monkeypatch.setattr(c, "planned_percent", lambda **kw: 50)
    services.progress_report(project=world, date=datetime.date(2027, 7, 1), percent=10, text="刚开工")
    world.refresh_from_db()
    assert world.colour == Colour.RED
    services.progress_report(project=world, date=datetime.date(2027, 7, 8), percent=46, text="加快")
    world.refresh_from_db()
    assert world.colour == Colour.GREEN
    services.progress_report(project=world, date=datetime.date(2027, 7, 15), percent=5, text="停工")
    world.refresh_from_db()
    assert world.colour == Colour.RED
    assert SupervisionTask.objects.filter(project=world).count() == 1  # the first task is still open
    task = SupervisionTask.objects.get()
    supervision.supervision_task_close(task=task, outcome="已督促复工")
    with pytest.raises(IntegrityError), transaction.atomic():
        SupervisionTask.objects.create(project=world, unit="u", reason="r", opened_on=task.opened_on,
                                       due_date=task.opened_on)
    assert [c.to_colour for c in world.colour_changes.all()] == ["red", "green", "red"]


def test_one_open_task_per_project_in_the_database(world):
    SupervisionTask.objects.create(project=world, unit="u", reason="r", opened_on=datetime.date(2027, 1, 1),
                                   due_date=datetime.date(2027, 1, 2))
    with pytest.raises(IntegrityError), transaction.atomic():
        SupervisionTask.objects.create(project=world, unit="u", reason="r", opened_on=datetime.date(2027, 1, 1),
                                       due_date=datetime.date(2027, 1, 2))


def test_completing_the_project_turns_it_blue(world):
    services.project_move(project=world, to=Project.State.COMPLETED)
    world.refresh_from_db()
    assert world.colour == Colour.BLUE


def test_the_beat_schedule_runs_the_daily_recolouring(settings):
    from projects.tasks import recolour_projects

    entry = settings.CELERY_BEAT_SCHEDULE["recolour-projects"]
    assert entry["task"] == recolour_projects.name


def test_a_new_plan_recolours_at_once(world):
    world.colour = ""
    services.project_update(project=world, planned_completion=datetime.date(2020, 1, 1))  # long past: 100% planned
    world.refresh_from_db()
    assert world.colour == Colour.RED
    services.project_update(project=world, planned_completion=datetime.date(2100, 1, 1),
                            planned_start=datetime.date(2099, 1, 1))  # not started: nothing planned yet
    world.refresh_from_db()
    assert world.colour == Colour.GREEN
