"""Three-level satisfaction ratings (满意 / 基本满意 / 不满意) of several items, by the Zhenhai rule, in the sealed box."""

import io

import pypdf
import pytest
from django.core.exceptions import ValidationError
from django.test import TestCase
from django.utils import translation

from congress import polls
from congress.models import BallotSlot, SealedBallot
from meetings import ratings, reports, selectors, services
from meetings.models import Report, SatisfactionSurvey
from tests.ballot_box import SEAL, close_and_open_survey, filled, sealed
from tests.meetings.conftest import Hall
from tests.meetings.test_views import deputy_client, html, receipt_in, staff_client

pytestmark = pytest.mark.django_db

S, B, D = 2, 1, 0  # 满意, 基本满意, 不满意 as a response carries them
ITEMS = [("生态环境", "河道整治"), ("生态环境", "垃圾分类"), ("民生保障", "养老服务")]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


# --- the rule ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("satisfied", "basic", "base", "percent", "expected"), [
    (6, 0, 10, 50, ratings.SATISFIED),
    (5, 0, 10, 50, ratings.DISSATISFIED),       # exactly half is not more than half
    (5, 1, 10, 50, ratings.BASIC),               # ... but with one 基本满意 the two together are
    (3, 2, 10, 50, ratings.DISSATISFIED),        # together exactly half
    (3, 3, 10, 50, ratings.BASIC),
    (5, 0, 9, 50, ratings.SATISFIED),            # 5 > 4.5
    (4, 0, 9, 50, ratings.DISSATISFIED),
    (6, 0, 10, 60, ratings.DISSATISFIED),        # a configured threshold, exactly reached, is not exceeded
    (7, 0, 10, 60, ratings.SATISFIED),
    (6, 1, 10, 60, ratings.BASIC),
    (0, 0, 0, 50, ratings.DISSATISFIED),
])
def test_the_zhenhai_rule_at_its_boundaries(satisfied, basic, base, percent, expected):
    assert ratings.verdict(satisfied=satisfied, basic=basic, base=base, percent=percent) == expected


def test_votes_needed_is_the_first_count_above_the_threshold():
    for base in range(0, 40):
        for percent in (1, 33, 50, 60, 67, 99):
            need = ratings.votes_needed(base, percent)
            assert ratings.more_than(need, base, percent) or base == 0
            assert not ratings.more_than(need - 1, base, percent)


# --- the survey ---------------------------------------------------------------------------------------------

def rated_survey(h, *, present=7, base="members", percent=50, items=ITEMS):
    h.present(*h.people[:present])
    h.convene()
    survey = services.survey_create(meeting=h.meeting, subject="重点工作测评", scale="ratings", items=items,
                                    rating_base=base, rating_percent=percent)
    return sealed(services.survey_open(survey=survey, **SEAL))


def respond_all(survey, people, responses):
    for person, grades in zip(people, responses, strict=True):
        services.survey_respond(survey=survey, person=person, value=dict(enumerate(grades)))


# 7 of 10 members present: 河道整治 6 满意; 垃圾分类 5 满意 + 1 基本满意; 养老服务 3 满意 + 2 基本满意
RESPONSES = [(S, S, S), (S, S, S), (S, S, S), (S, S, B), (S, S, B), (S, B, D), (D, D, D)]


def counted(survey):
    with TestCase.captureOnCommitCallbacks(execute=True):
        close_and_open_survey(survey)
    survey.refresh_from_db()
    return selectors.survey_stats([SatisfactionSurvey.objects.prefetch_related("items").get(pk=survey.pk)])[survey.pk]


def test_each_item_is_rated_by_the_rule_over_all_members():
    h = Hall(deputies=10, fixed=0)
    survey = rated_survey(h)
    respond_all(survey, h.people[:7], RESPONSES)
    # sealed: nothing in the counting table until the scrutineers open the box
    assert SealedBallot.objects.filter(poll=survey.poll).count() == 7
    assert not BallotSlot.objects.filter(poll=survey.poll).exists()
    assert {(b.approvals, b.abstentions, b.rejections, b.score) for b in filled(survey.poll)} >= {(0b111, 0, 0, None)}
    stats = counted(survey)
    assert (stats.members, stats.present, stats.responded, stats.rating_base) == (10, 7, 7, 10)
    assert stats.quorum.reached
    lines = [(r.title, r.satisfied, r.basic, r.dissatisfied, r.verdict) for r in stats.ratings]
    assert lines == [("河道整治", 6, 0, 1, ratings.SATISFIED),
                     ("垃圾分类", 5, 1, 1, ratings.BASIC),          # 5 of 10 is not more than half
                     ("养老服务", 3, 2, 2, ratings.DISSATISFIED)]   # 3 + 2 is exactly half
    assert [(area, [r.title for r in rows]) for area, rows in stats.rating_areas] == [
        ("生态环境", ["河道整治", "垃圾分类"]), ("民生保障", ["养老服务"])]


def test_the_rule_can_count_against_the_members_present_and_another_threshold():
    h = Hall(deputies=10, fixed=0)
    survey = rated_survey(h, base="present")
    respond_all(survey, h.people[:7], RESPONSES)
    stats = counted(survey)
    assert stats.rating_base == 7 and stats.rating_needed == 4
    assert [r.verdict for r in stats.ratings] == [ratings.SATISFIED, ratings.SATISFIED, ratings.BASIC]

    h = Hall(deputies=10, fixed=0)
    survey = rated_survey(h, percent=55)  # more than 55 % of 10: 6 is enough, 5 + 1 is too
    respond_all(survey, h.people[:7], RESPONSES)
    assert [r.verdict for r in counted(survey).ratings] == [ratings.SATISFIED, ratings.BASIC, ratings.DISSATISFIED]


def test_a_response_must_rate_every_item_once():
    h = Hall(deputies=4, fixed=0)
    survey = rated_survey(h, present=3)
    for bad in ({0: S, 1: S}, {0: S, 1: S, 2: 3}, {0: S, 1: S, 2: S, 3: S}, 88, None):
        with pytest.raises(ValidationError):
            services.survey_respond(survey=survey, person=h.people[0], value=bad)
    assert not SealedBallot.objects.filter(poll=survey.poll).exists()
    check = services.survey_rules_check(survey)
    assert check(polls.Contents(approvals=0b011, abstentions=0b100))
    assert not check(polls.Contents(approvals=0b011))                   # an item left out
    assert not check(polls.Contents(approvals=0b111, rejections=0b001))  # an item rated twice
    assert not check(polls.Contents(approvals=0b111, score=80))
    assert not check(polls.Contents(approvals=0b1111))                   # an item that is not on the form


def test_setting_up_refuses_items_on_other_scales_and_a_ratings_survey_without_items():
    h = Hall(deputies=4, fixed=0)
    with pytest.raises(ValidationError):
        services.survey_create(meeting=h.meeting, subject="x", scale="ratings", items=[])
    with pytest.raises(ValidationError):
        services.survey_create(meeting=h.meeting, subject="x", scale="points", items=ITEMS)
    with pytest.raises(ValidationError):
        services.survey_create(meeting=h.meeting, subject="x", scale="ratings", items=[("a", "")])
    with pytest.raises(ValidationError):
        services.survey_create(meeting=h.meeting, subject="x", scale="ratings", items=ITEMS, rating_percent=100)
    with pytest.raises(ValidationError):
        services.survey_create(meeting=h.meeting, subject="x", scale="ratings",
                               items=[("", f"第{i}项") for i in range(63)])


def test_the_largest_form_fits_the_sealed_ballot():
    h = Hall(deputies=3, fixed=0)
    survey = rated_survey(h, present=2, items=[(f"领域{i // 7}", f"第{i}项") for i in range(62)])
    services.survey_respond(survey=survey, person=h.people[0], value={i: i % 3 for i in range(62)})
    services.survey_respond(survey=survey, person=h.people[1], value={i: S for i in range(62)})
    stats = counted(survey)
    assert stats.invalid == 0 and stats.ratings[0].satisfied == 1 and stats.ratings[2].satisfied == 2


# --- the phone form, the paper form and the report -------------------------------------------------------------

TWENTY_ONE = [(f"领域{i % 10 + 1}", f"测评项目{i + 1}") for i in range(21)]


def test_a_deputy_rates_21_items_in_10_areas_on_one_form():
    h = Hall(deputies=4, fixed=0)
    survey = rated_survey(h, present=3, items=sorted(TWENTY_ONE))
    c = deputy_client(h.people[0])
    page = html(c.get(f"/surveys/{survey.pk}/"))
    assert page.count('class="btn-check"') == 63 and page.count("rating-area") == 10
    partial = {f"item_{i}": "2" for i in range(20)}
    resp = c.post(f"/surveys/{survey.pk}/", partial)
    assert resp.status_code == 422 and html(resp).count("rating-error") == 1
    assert not SealedBallot.objects.filter(poll=survey.poll).exists()
    resp = c.post(f"/surveys/{survey.pk}/", {**partial, "item_20": "0"})
    assert resp.status_code == 200 and receipt_in(resp)
    box = filled(survey.poll).get()
    assert (box.approvals, box.rejections, box.abstentions) == ((1 << 20) - 1, 1 << 20, 0)


def test_a_teller_enters_a_paper_ratings_form():
    h = Hall(deputies=4, fixed=0)
    survey = rated_survey(h, present=3)
    c, _user = staff_client(h.body.division)
    from congress.polls import poll_mark_paper_voters

    poll_mark_paper_voters(poll=survey.poll, people=[h.people[0], h.people[1]])
    url = f"/staff/surveys/{survey.pk}/paper/"
    assert 'name="item_2"' in html(c.get(url))
    resp = c.post(url, {"what": "form", "status": "valid", "item_0": "2", "item_1": "1"})
    assert resp.status_code == 422 and not BallotSlot.objects.filter(poll=survey.poll).exists()
    resp = c.post(url, {"what": "form", "status": "valid", "item_0": "2", "item_1": "1", "item_2": "0"})
    assert resp.status_code == 302
    slot = BallotSlot.objects.get(poll=survey.poll)
    assert (slot.approvals, slot.abstentions, slot.rejections) == (0b001, 0b010, 0b100)
    assert c.post(url, {"what": "form", "status": "blank"}).status_code == 302


def test_the_published_table_and_the_pdf():
    h = Hall(deputies=10, fixed=0)
    survey = rated_survey(h)
    respond_all(survey, h.people[:7], RESPONSES)
    with translation.override("zh-hans"):  # the report task builds the PDF in the default language
        counted(survey)
    c, _user = staff_client(h.body.division)
    page = html(c.get(f"/staff/surveys/{survey.pk}/report/", HTTP_ACCEPT_LANGUAGE="en"))
    assert "Voting members: 10; present: 7; the quorum is reached." in page
    assert "more than 50% of all 10 voting members (at least 6)" in page
    assert page.count('class="rating-satisfied"') == 1 and page.count('class="rating-basic"') == 1
    report = Report.objects.get(survey=survey)
    assert report.state == "done"
    with translation.override("zh-hans"):
        _stats, zh = reports.survey_report_for(survey.pk)
    assert "实到 7 人，符合法定人数" in zh and "应到 10 人" in zh
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(report.pdf.read())).pages)
    assert "河道整治" in text and "满意" in text and "基本满意" in text and "不满意" in text


def test_the_printed_paper_form_lists_every_item_with_three_boxes():
    from django.urls import reverse

    h = Hall(deputies=4, fixed=0)
    survey = rated_survey(h, present=3)
    c, _user = staff_client(h.body.division)
    with translation.override("zh-hans"):
        resp = c.get(reverse("meetings:paper_forms", args=[survey.meeting_id]))
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(resp.content)).pages)
    assert all(title in text for _area, title in ITEMS) and "基本满意" in text
