import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from projects import services
from projects.models import Category, Project
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def project():
    body = factories.BodyFactory()
    return services.project_propose(body=body, year=2027, title="停车场", category=Category.objects.first(),
                                    description="新增停车位85个", source=Project.Source.RECEPTION)


def test_happy_path_records_every_move(project, django_user_model):
    staff = factories.staff(project.body.division)
    services.project_move(project=project, to=Project.State.APPRAISAL, acting_user=staff)
    services.project_move(project=project, to=Project.State.CANDIDATE, acting_user=staff)
    moves = list(project.transitions.values_list("from_state", "to_state", "by__username"))
    assert moves == [("", "solicited", None), ("solicited", "appraisal", staff.username),
                     ("appraisal", "candidate", staff.username)]


@pytest.mark.parametrize("to", ["selected", "implementation", "on_ballot", "not_selected"])
def test_ballot_moves_cannot_be_made_by_hand(project, to):
    with pytest.raises(ValidationError):
        services.project_move(project=project, to=to)
    project.refresh_from_db()
    assert project.state == "solicited"


def test_illegal_move_is_refused_with_a_clear_message(project):
    with pytest.raises(ValidationError) as exc:
        services.project_move(project=project, to=Project.State.COMPLETED)
    assert "征集" in exc.value.messages[0] or "Solicited" in exc.value.messages[0]
    assert project.transitions.count() == 1


def test_not_adopted_needs_a_reason_in_service_and_database(project):
    with pytest.raises(ValidationError):
        services.project_move(project=project, to=Project.State.NOT_ADOPTED, reason="  ")
    services.project_move(project=project, to=Project.State.NOT_ADOPTED, reason="条件暂不具备")
    project.refresh_from_db()
    assert project.state_reason == "条件暂不具备"
    with pytest.raises(IntegrityError), transaction.atomic():
        Project.objects.filter(pk=project.pk).update(state_reason="")


def test_every_state_has_a_transition_entry():
    assert set(Project.TRANSITIONS) == set(Project.State)
    for targets in Project.TRANSITIONS.values():
        assert set(targets) <= set(Project.State)


def test_implementation_milestones_progress_and_overdue_flag(project):
    import datetime

    Project.objects.filter(pk=project.pk).update(state=Project.State.IMPLEMENTATION)
    project.refresh_from_db()
    m1 = services.milestone_add(project=project, title="开工", due_date=datetime.date(2027, 3, 1))
    services.milestone_add(project=project, title="完工", due_date=datetime.date(2027, 9, 1))
    assert services.milestones_flag_overdue(on_date=datetime.date(2027, 4, 1)) == 1
    assert services.milestones_flag_overdue(on_date=datetime.date(2027, 4, 1)) == 0  # idempotent
    m1.refresh_from_db()
    assert m1.overdue
    services.milestone_done(milestone=m1, done_on=datetime.date(2027, 4, 2))
    m1.refresh_from_db()
    assert not m1.overdue
    services.progress_report(project=project, date=datetime.date(2027, 4, 2), percent=40, text="已开工")
    project.refresh_from_db()
    assert project.progress_percent == 40
    with pytest.raises(ValidationError):
        services.progress_report(project=project, date=datetime.date(2027, 4, 3), percent=140, text="x")
