"""A refused action on a project's or a ballot's page shows that same page again, with 422 and every message of the
refusal in the user's language (congress.responses.act); an accepted one redirects back with its message."""

import pytest
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy

from projects import services
from projects.models import Category, Project
from tests import factories
from tests.projects.conftest import Election
from tests.web import error_messages, html, signed_in, success_messages

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(db):
    body = factories.BodyFactory()
    return services.project_propose(body=body, year=2027, title="老旧小区加装电梯", category=Category.objects.first(),
                                    description="为多层住宅加装电梯", source=Project.Source.RECEPTION)


def texts(resp):
    return [str(m) for m in error_messages(resp)]


@pytest.mark.parametrize("lang, expected", [
    (None, ["节点: 这个字段是必填项。", "计划完成日期: 这个字段是必填项。"]),  # zh-hans, the default
    ("en", ["Milestone: This field is required.", "Due: This field is required."]),
])
def test_a_refused_milestone_shows_the_project_page_with_every_error_of_its_form(project, lang, expected):
    """Once one summary message stood in for the form's errors: now each of them, after its field's label."""
    client = signed_in(factories.staff(project.body.division), lang)
    resp = client.post(f"/staff/projects/{project.pk}/milestone/", {"title": "", "due_date": ""})
    assert resp.status_code == 422
    assert "projects/project_detail.html" in [t.name for t in resp.templates]
    assert texts(resp) == expected
    assert all(message in html(resp) for message in expected)
    assert not project.milestones.exists()


def test_an_accepted_move_redirects_to_the_project_page_with_its_message(project):
    client = signed_in(factories.staff(project.body.division), "en")
    resp = client.post(f"/staff/projects/{project.pk}/move/", {"to": "appraisal", "reason": "初审"})
    assert resp.status_code == 302 and resp["Location"] == f"/staff/projects/{project.pk}/"
    assert [str(m) for m in success_messages(client.get(resp["Location"]))] == ["Project moved."]
    project.refresh_from_db()
    assert project.state == Project.State.APPRAISAL


TWO_REASONS = [gettext_lazy("Only an open ballot can be closed."), gettext_lazy("Only a counted ballot can be certified.")]


@pytest.mark.parametrize("lang, expected", [
    (None, ["只有进行中的票决才能结束。", "只有已计票的票决才能确认公布结果。"]),
    ("en", ["Only an open ballot can be closed.", "Only a counted ballot can be certified."]),
])
def test_a_service_refusal_on_the_ballot_page_shows_every_message(monkeypatch, lang, expected):
    e = Election()
    kept = list(e.ballot.candidates.values_list("project_id", flat=True))

    def refuse(**_kw):
        raise ValidationError(TWO_REASONS)

    monkeypatch.setattr(services, "ballot_set_candidates", refuse)
    client = signed_in(factories.staff(e.body.division), lang)
    resp = client.post(f"/staff/ballots/{e.ballot.pk}/candidates/", {"projects": [e.projects[0].pk]})
    assert resp.status_code == 422
    assert "projects/ballot_detail.html" in [t.name for t in resp.templates]
    assert texts(resp) == expected and all(m in html(resp) for m in expected)
    assert list(e.ballot.candidates.values_list("project_id", flat=True)) == kept


@pytest.mark.parametrize("lang, expected", [
    (None, ["理由: 这个字段是必填项。", "我已知悉：本次投票的所有选票将被销毁，并重新组织投票。: 这个字段是必填项。"]),
    ("en", ["Reason: This field is required.",
            "I understand: every ballot of this poll is destroyed and it is run again.: This field is required."]),
])
def test_a_refused_void_shows_the_opening_screen_with_every_error(lang, expected):
    """The opening screen is drawn by the ceremony's own page function, not by calling its view with a changed
    request."""
    e = Election().open()
    services.ballot_close(ballot=e.ballot, reason=factories.CLOSE_REASON)
    client = signed_in(factories.staff(e.body.division), lang)
    resp = client.post(f"/staff/ballots/{e.ballot.pk}/void/", {"reason": ""})
    assert resp.status_code == 422
    assert "ballot_box/unseal.html" in [t.name for t in resp.templates]
    assert f'action="/staff/ballots/{e.ballot.pk}/void/"' in html(resp)
    assert "no-store" in resp["Cache-Control"] and "camera=(self)" in resp["Permissions-Policy"]
    assert texts(resp) == expected
    e.ballot.poll.refresh_from_db()
    assert e.ballot.poll.state == "closed"
