"""The board and its printed notice, the project's public page and residents' ratings, site visits, year-end."""

import datetime

import pytest
from django.core.cache import caches
from django.urls import reverse

from projects import supervision
from projects.models import Colour, Project, ResidentRating
from tests import factories
from tests.projects.test_colours import world  # noqa: F401  # the fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(world):  # noqa: F811
    return factories.staff(world.body.division.parent or world.body.division)


def test_resident_rates_without_an_account_and_is_rate_limited(world, client, settings):  # noqa: F811
    caches["ratelimit"].clear()
    settings.PUBLIC_FORM_RATE = "2/h"
    url = reverse("projects:public", args=[world.pk])
    page = client.get(url)
    assert page.status_code == 200 and "老旧小区加装电梯" in page.content.decode()
    resp = client.post(url, {"stars": "5", "comment": "<script>alert(1)</script>"})
    assert resp.status_code == 302
    assert client.post(url, {"stars": "9"}).status_code == 422  # outside the scale: nothing saved
    assert client.post(url, {"stars": "1", "comment": "=HYPERLINK(\"http://x\")"}).status_code == 429
    assert list(ResidentRating.objects.values_list("stars", flat=True)) == [5]


def test_comments_are_escaped_on_the_staff_page_and_neutralised_in_the_export(world, client, staff):  # noqa: F811
    supervision.resident_rate(project=world, stars=2, comment="<b>慢</b>")
    supervision.resident_rate(project=world, stars=4, comment="=1+1")
    client.force_login(staff)
    page = client.get(reverse("projects:project", args=[world.pk])).content.decode()
    assert "&lt;b&gt;慢&lt;/b&gt;" in page and "<b>慢</b>" not in page
    assert "3.0" in page  # the average
    csv = client.get(reverse("projects:ratings_export", args=[world.pk, "csv"])).content.decode("utf-8-sig")
    assert "'=1+1" in csv


def test_a_candidate_cannot_be_rated(world):  # noqa: F811
    Project.objects.filter(pk=world.pk).update(state=Project.State.CANDIDATE)
    world.refresh_from_db()
    with pytest.raises(supervision.SupervisionError):
        supervision.resident_rate(project=world, stars=3)


def test_the_board_shows_colour_as_words_and_prints_on_a4_and_a3(world, client, staff):  # noqa: F811
    supervision.projects_recolour(on=datetime.date(2027, 7, 2))
    client.force_login(staff)
    page = client.get(reverse("projects:board"), {"body": world.body.pk}).content.decode()
    assert str(Colour.RED.label) in page and "区住建委" in page
    for size in ("A4", "A3"):
        pdf = client.get(reverse("projects:board_print", args=[world.body.pk, size]))
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert client.get(reverse("projects:board_print", args=[world.body.pk, "A5"])).status_code == 404


def test_supervising_deputy_sees_the_project_on_me_and_records_a_visit(world, client):  # noqa: F811
    deputy = world.supervisors.get(role="presidium").person
    client.force_login(deputy.user)
    me = client.get("/me/").content.decode()
    assert "老旧小区加装电梯" in me and reverse("projects:site_visit", args=[world.pk]) in me
    resp = client.post(reverse("projects:site_visit", args=[world.pk]), {"date": "2020-01-01", "findings": "工地已围挡"})
    assert resp.status_code == 302 and world.site_visits.get().findings == "工地已围挡"
    # a deputy who does not supervise it has no such page
    other = factories.PersonFactory()
    other.user = factories.staff(world.body.division, username="nobody")
    other.save()
    client.force_login(other.user)
    assert client.get(reverse("projects:site_visit", args=[world.pk])).status_code == 404


def test_supervisors_outside_the_body_are_refused(world):  # noqa: F811
    stranger = factories.PersonFactory()
    with pytest.raises(supervision.SupervisionError):
        supervision.project_set_supervisors(project=world, presidium=stranger, deputies=[])


def test_year_end_evaluation_has_one_survey_per_project_linked_to_it(world):  # noqa: F811
    from meetings import services as ms
    from meetings.models import SatisfactionSurvey

    meeting = ms.meeting_create(body=world.body, kind="deliberation_midyear", title="年终", place="x",
                                date=datetime.date.today())
    other = Project.objects.create(body=world.body, year=world.year, title="口袋公园", category=world.category,
                                   description="x", source="staff", state=Project.State.COMPLETED)
    Project.objects.create(body=world.body, year=world.year, title="未入选", category=world.category,
                           description="x", source="staff", state=Project.State.NOT_SELECTED)
    item = ms.year_end_evaluation_create(meeting=meeting, year=world.year)
    surveys = SatisfactionSurvey.objects.filter(item=item)
    assert sorted(s.project_id for s in surveys) == sorted([world.pk, other.pk])
    assert {s.scale for s in surveys} == {"grades"} and set(item.projects.all()) == {world, other}
    with pytest.raises(ms.MeetingError):
        ms.year_end_evaluation_create(meeting=meeting, year=world.year)


def test_site_visit_photo_is_checked_by_its_content(world, client, settings, tmp_path):  # noqa: F811
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.congress.test_files import PDF, image

    settings.MEDIA_ROOT = str(tmp_path)
    deputy = world.supervisors.get(role="presidium").person
    client.force_login(deputy.user)
    url = reverse("projects:site_visit", args=[world.pk])
    refused = client.post(url, {"date": "2026-01-05", "findings": "进度慢",
                                "photo": SimpleUploadedFile("site.jpg", PDF, content_type="image/jpeg")})
    assert refused.status_code == 422 and not world.site_visits.exists()
    ok = client.post(url, {"date": "2026-01-05", "findings": "进度慢",
                           "photo": SimpleUploadedFile("site.png", image("PNG"), content_type="image/png")})
    assert ok.status_code == 302 and world.site_visits.get().photo


def test_the_public_page_sends_only_photos_of_reports_marked_public(world, client, settings, tmp_path):  # noqa: F811
    from django.core.files.uploadedfile import SimpleUploadedFile

    from projects import services
    from tests.congress.test_files import PDF, image

    settings.MEDIA_ROOT = str(tmp_path)
    photo = services.progress_report(project=world, date=datetime.date(2026, 6, 1), percent=20, text="开工", public=True,
                                     attachment=SimpleUploadedFile("a.png", image("PNG")))
    doc = services.progress_report(project=world, date=datetime.date(2026, 6, 2), percent=21, text="合同", public=True,
                                   attachment=SimpleUploadedFile("c.pdf", PDF))
    internal = services.progress_report(project=world, date=datetime.date(2026, 6, 3), percent=22, text="内部",
                                        attachment=SimpleUploadedFile("b.png", image("PNG")))
    page = client.get(reverse("projects:public", args=[world.pk])).content.decode()
    assert "开工" in page and "内部" not in page
    assert client.get(reverse("projects:public_photo", args=[world.pk, photo.pk]))["Content-Type"] == "image/png"
    assert client.get(reverse("projects:public_photo", args=[world.pk, doc.pk])).status_code == 404
    assert client.get(reverse("projects:public_photo", args=[world.pk, internal.pk])).status_code == 404


def test_the_board_reads_in_a_fixed_number_of_queries(world, client, staff, django_assert_max_num_queries):  # noqa: F811
    for i in range(12):
        Project.objects.create(body=world.body, year=2027, title=f"项目{i}", category=world.category, description="x",
                               source="staff", state="implementation")
    client.force_login(staff)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("projects:board"), {"body": world.body.pk})
    assert page.content.decode().count("data-project=") == 13


def test_the_survey_report_shows_the_residents_ratings_of_its_project(world):  # noqa: F811
    from meetings import reports, selectors
    from meetings import services as ms

    supervision.resident_rate(project=world, stars=4, comment="电梯运行平稳")
    supervision.resident_rate(project=world, stars=2)
    meeting = ms.meeting_create(body=world.body, kind="deliberation_midyear", title="年终", place="x",
                                date=datetime.date.today())
    item = ms.year_end_evaluation_create(meeting=meeting, year=world.year)
    survey = item.surveys.get()
    stats = selectors.survey_stats([survey])[survey.pk]
    assert stats.residents["count"] == 2 and stats.residents["average"] == 3
    assert stats.residents["comments"] == [(4, "电梯运行平稳")]
    html = reports.render_survey_report(stats)
    assert "电梯运行平稳" in html


def test_staff_pick_supervisors_only_among_the_bodys_deputies(world, client, staff):  # noqa: F811
    people = [s.person for s in world.supervisors.order_by("-role", "person__name")]
    stranger = factories.PersonFactory()
    client.force_login(staff)
    url = reverse("projects:project_supervisors", args=[world.pk])
    assert client.post(url, {"presidium": stranger.pk}).status_code == 422
    assert world.supervisors.count() == 3
    assert client.post(url, {"presidium": people[1].pk, "deputies": [people[2].pk]}).status_code == 302
    assert sorted(world.supervisors.values_list("person_id", "role")) == sorted(
        [(people[1].pk, "presidium"), (people[2].pk, "deputy")])
    # staff of another district do not even see the project
    client.force_login(factories.staff(factories.district()))
    assert client.post(url, {"presidium": people[0].pk}).status_code == 404


def test_a_filled_in_hidden_field_is_refused_with_its_message(world, client):  # noqa: F811
    caches["ratelimit"].clear()
    resp = client.post(reverse("projects:public", args=[world.pk]), {"stars": "5", "website": "http://spam.example/"})
    assert resp.status_code == 422
    assert 'id="form-refused"' in resp.content.decode()  # the hidden field's error, shown (crispy hides it)
    assert not ResidentRating.objects.exists()
