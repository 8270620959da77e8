"""Every URL against every kind of visitor: anonymous, resident, deputy of another body, staff of another district,
staff in scope and superuser. A new URL must be added here (the completeness test fails otherwise)."""

import pytest
from django.urls import get_resolver, reverse
from django.utils import timezone

from deputies import liaison, suggestions
from deputies import services as ds
from deputies.models import OpinionCategory
from meetings import services as ms
from meetings.models import Report
from tests import factories
from tests.projects.conftest import Election

pytestmark = pytest.mark.django_db

PUBLIC = {"home", "healthz", "set_language", "elder_mode", "login", "logout", "deputies:opinion_public", "deputies:opinion_track",
          "deputies:opinion_thanks", "projects:propose", "projects:propose_thanks", "projects:propose_track", "projects:result", "projects:result_print",
          "projects:result_export", "deputies:public_replies", "projects:public", "projects:public_photo",
          # the hall screen: by its secret, revocable link, no sign-in (tests/meetings/test_hall.py)
          "meetings:hall_screen", "meetings:hall_state", "meetings:hall_events"}
DEPUTY_AREA = {"deputies:me", "projects:my_ballots", "meetings:my_meetings", "deputies:my_suggestions",
               "deputies:suggestion_new", "deputies:suggestion_evaluate", "overview:my_record", "projects:vote",
               "meetings:sign_in", "meetings:score", "meetings:request_leave", "deputies:my_reports",
               "deputies:my_report_photo", "meetings:quarterly_points", "projects:site_visit"}
# A handling unit's accounts (tests/deputies/test_suggestion_deadlines.py checks them against every other visitor)
# (and tests/projects/test_unit_supervision.py the supervision tasks)
UNIT_AREA = {"deputies:unit_queue", "deputies:unit_suggestion", "projects:unit_tasks"}


@pytest.fixture
def world():
    e = Election(deputies=4, candidates=3).open()
    body = e.body
    district = body.division.parent
    meeting = ms.meeting_create(body=body, kind="deliberation_midyear", title="议事会", date=timezone.localdate(),
                                place="x")
    survey = ms.survey_create(meeting=meeting, subject="工作")
    report = Report.objects.create(meeting=meeting, kind=Report.Kind.MEETING, state=Report.State.FAILED)
    comm = factories.community(parent=body.division)
    opinion = liaison.opinion_receive(division=comm, category=OpinionCategory.objects.get_or_create(name="其他")[0],
                                       text="积水", channel="station")
    station = liaison.station_create(kind="station", name="站", division=body.division, address="x")
    suggestion = suggestions.suggestion_submit(body=body, lead=e.people[0], title="建议", text="x",
                                               submitted_on=timezone.localdate())
    project = e.projects[0]
    milestone_project = e.projects[1]
    user_a, _ = ds.deputy_account_create(person=e.people[0])
    other = Election(deputies=1, candidates=1)
    user_b, _ = ds.deputy_account_create(person=other.people[0])
    ids = {"body": body.pk, "ballot": e.ballot.pk, "meeting": meeting.pk, "survey": survey.pk, "report": report.pk,
           "opinion": opinion.pk, "station": station.pk, "suggestion": suggestion.pk, "project": project.pk,
           "person": e.people[0].pk, "item": 1, "mid": 1, "opinion_in_meeting": 1}
    return {
        "ids": ids, "token": liaison.rating_token(opinion), "e": e, "project_m": milestone_project,
        "users": {
            "resident": _plain_user(), "deputy_other": user_b, "deputy": user_a,
            "staff_other": factories.staff(other.body.division.parent), "staff": factories.staff(district),
            "superuser": _superuser(),
        },
    }


def _plain_user():
    from congress.models import User

    return User.objects.create_user("resident", password="x")


def _superuser():
    from congress.models import User

    return User.objects.create_superuser("root", password="x")


# name -> (args, method, kind): "list" pages are filtered by scope, "object" pages 404 outside it,
# "sub" pages address a sub-object that this world does not have (so 404 for everyone; scope is still checked first)
def staff_urls(w):
    i = w["ids"]
    get = "get"
    post = "post"
    return {
        "deputies:bodies": ([], get, "list"), "deputies:body": ([i["body"]], get, "object"),
        "deputies:composition_export": ([i["body"], "csv"], get, "object"),
        "deputies:roster_export": ([i["body"], "csv"], get, "object"),
        "deputies:roster_import": ([i["body"]], get, "object"),
        "deputies:opinions": ([], get, "list"), "deputies:opinion_new": ([], get, "list"),
        "deputies:opinion": ([i["opinion"]], get, "object"), "deputies:opinion_act": ([i["opinion"]], post, "object"),
        "deputies:stations": ([], get, "list"), "deputies:station": ([i["station"]], get, "object"),
        "deputies:walk_in": ([i["station"]], get, "object"),
        "deputies:walk_in_receipt": ([i["station"], i["opinion"]], get, "sub"),
        "deputies:suggestions": ([], get, "list"), "deputies:suggestion": ([i["suggestion"]], get, "object"),
        "deputies:reports_review": ([], get, "list"), "deputies:report_photo": ([1], get, "sub"),
        "deputies:point_rules": ([i["body"]], get, "object"),
        "projects:projects": ([], get, "list"), "projects:project_new": ([], get, "list"),
        "projects:project": ([i["project"]], get, "object"),
        "projects:from_opinion": ([i["opinion"]], get, "object"),
        "projects:project_move": ([i["project"]], post, "object"),
        "projects:project_milestone": ([i["project"]], post, "object"),
        "projects:milestone_done": ([i["project"], 1], post, "sub"),
        "projects:project_progress": ([i["project"]], post, "object"),
        "projects:progress_attachment": ([i["project"], 1], get, "sub"),
        "projects:board": ([], get, "list"),
        "projects:board_print": ([i["body"], "A4"], get, "object"),
        "projects:project_code": ([i["project"]], get, "sub"),  # a candidate has no code yet
        # the verification bundle exists once the box is opened; this world's boxes are sealed (404 for everyone)
        "projects:ballot_verification": ([i["ballot"]], get, "sub"),
        "meetings:survey_verification": ([i["survey"]], get, "sub"),
        "projects:project_supervisors": ([i["project"]], post, "object"),
        "projects:task_close": ([i["project"], 1], post, "sub"),
        "projects:ratings_export": ([i["project"], "csv"], get, "object"),
        "projects:site_visit_photo": ([i["project"], 1], get, "sub"),
        "meetings:year_end_evaluation": ([i["meeting"]], post, "object"),
        "projects:ballots": ([], get, "list"), "projects:ballot_new": ([], get, "list"),
        "projects:ballot": ([i["ballot"]], get, "object"),
        **{f"projects:ballot_{a}": ([i["ballot"]], post, "object")
           for a in ("rules", "candidates", "open", "close", "recount", "tie", "certify", "runoff")},
        "projects:ballot_paper": ([i["ballot"]], get, "object"),
        "projects:ballot_unseal": ([i["ballot"]], get, "object"),
        "projects:ballot_void": ([i["ballot"]], post, "object"),
        "meetings:survey_unseal": ([i["survey"]], get, "object"),
        "meetings:survey_void": ([i["survey"]], post, "object"),
        "meetings:meetings": ([], get, "list"), "meetings:meeting_new": ([], get, "list"),
        "meetings:meeting": ([i["meeting"]], get, "object"),
        **{f"meetings:{a}": ([i["meeting"]], post, "object")
           for a in ("transition", "agenda_add", "attendance", "survey_create", "deliberation_opinion_send", "inspection_add",
                     "group_add", "report_request", "notices_send", "deliberation_opinions_gather")},
        "meetings:open_ballot": ([i["meeting"], 1], post, "sub"),
        "meetings:deliberation_opinion_respond": ([i["meeting"], 1], post, "sub"),
        "meetings:sign_in_sheet": ([i["meeting"]], get, "object"),
        "meetings:paper_forms": ([i["meeting"]], get, "object"),
        "meetings:report_download": ([i["report"]], get, "sub"),
        "meetings:report_rebuild": ([i["report"]], post, "object"),
        "meetings:survey_open": ([i["survey"]], post, "object"), "meetings:survey_close": ([i["survey"]], post, "object"),
        "meetings:survey_paper": ([i["survey"]], get, "not_open"),
        "meetings:survey_report": ([i["survey"]], get, "sub"),
        "overview:duty_record": ([i["person"]], get, "object"),
        "overview:dashboard": ([], get, "list"),
        "meetings:console": ([i["meeting"]], get, "object"),
        "meetings:console_state": ([i["meeting"]], get, "object"),
        "meetings:console_events": ([i["meeting"]], get, "object"),
        **{f"meetings:{a}": ([i["meeting"]], post, "object")
           for a in ("console_start", "console_extend", "console_announce", "console_rules", "console_attendance",
                     "screen_link")},
    }


def all_url_names():
    names = set()

    def walk(resolver, ns=""):
        for p in resolver.url_patterns:
            if hasattr(p, "url_patterns"):
                walk(p, f"{ns}{p.namespace}:" if p.namespace else ns)
            elif p.name:
                names.add(f"{ns}{p.name}")

    walk(get_resolver())
    return {n for n in names if not n.startswith("admin:")}


def test_every_url_is_in_the_matrix(world):
    covered = PUBLIC | DEPUTY_AREA | UNIT_AREA | set(staff_urls(world))
    assert all_url_names() - covered == set()


@pytest.mark.parametrize("role", ["anonymous", "resident", "deputy", "deputy_other", "staff_other", "staff", "superuser"])
def test_staff_area(world, client, role):
    if role != "anonymous":
        client.force_login(world["users"][role])
    failures = []
    for name, (args, method, kind) in staff_urls(world).items():
        url = reverse(name, args=args)
        resp = getattr(client, method)(url)
        if role == "anonymous":
            ok = resp.status_code == 302 and "/accounts/login/" in resp["Location"]
        elif role in ("resident", "deputy", "deputy_other"):
            ok = resp.status_code == 403
        elif role == "staff_other":
            ok = resp.status_code == (200 if kind == "list" else 404)
            if kind == "list" and resp.status_code == 200 and method == "get":
                ok = ok and world["e"].body.name not in resp.content.decode()
        elif kind == "not_open":  # paper forms of a survey not yet open: sent back to the meeting page
            ok = resp.status_code == 302 and f"/staff/meetings/{world['ids']['meeting']}/" in resp["Location"]
        elif kind == "sub":  # the page of a sub-object that is not there (no such item, report not built): 404
            ok = resp.status_code == 404
        else:  # staff in scope and superuser reach every page; a bare POST is refused without a 500
            ok = resp.status_code in ((200,) if method == "get" else (200, 302, 422))
        if not ok:
            failures.append((name, resp.status_code))
    assert failures == []


@pytest.mark.parametrize("role", ["anonymous", "resident", "deputy_other", "staff"])
def test_deputy_area_by_url(world, client, role):
    i = world["ids"]
    if role != "anonymous":
        client.force_login(world["users"][role])
    mine = {"projects:vote": [i["ballot"]], "meetings:sign_in": [i["meeting"]], "meetings:score": [i["survey"]],
            "deputies:suggestion_evaluate": [i["suggestion"]], "meetings:request_leave": [i["meeting"]],
            "projects:site_visit": [i["project"]]}
    for name, args in mine.items():
        method = client.post if name in ("deputies:suggestion_evaluate", "meetings:request_leave") else client.get
        resp = method(reverse(name, args=args))
        expected = 302 if role == "anonymous" else 404
        assert resp.status_code == expected, (name, resp.status_code)
        if role == "anonymous":
            assert "/accounts/login/" in resp["Location"]


def test_deputy_reaches_their_own_pages(world, client):
    client.force_login(world["users"]["deputy"])
    i = world["ids"]
    for url in ("/me/", "/ballots/", "/meetings/", "/me/suggestions/", "/me/record/", "/me/points/",
                reverse("projects:vote", args=[i["ballot"]])):
        assert client.get(url).status_code == 200, url


def test_public_pages(world, client):
    from projects.services import proposal_token

    ptoken = proposal_token(world["e"].projects[0])
    for url in ("/", "/healthz", "/propose/", "/suggestions/replies/", f"/propose/thanks/{ptoken}/", f"/propose/track/{ptoken}/",
                "/opinions/new/", "/accounts/login/", f"/opinions/track/{world['token']}/",
                f"/opinions/thanks/{world['token']}/"):
        assert client.get(url).status_code == 200, url
    for url in ("/propose/thanks/forged/", "/propose/track/forged/", "/opinions/thanks/forged/",
                f"/propose/track/{world['token']}/", f"/opinions/thanks/{ptoken}/"):  # a token of the other kind
        assert client.get(url).status_code == 404, url
    # an uncounted ballot's result is not public, whatever id is tried
    for name in ("projects:result", "projects:result_print"):
        assert client.get(reverse(name, args=[world["ids"]["ballot"]])).status_code == 404
        assert client.get(reverse(name, args=[999999])).status_code == 404
    assert client.get(reverse("projects:result_export", args=[world["ids"]["ballot"], "csv"])).status_code == 404
    # a project has a public page (民生码) only once it is carried out: a candidate's is not there
    assert client.get(reverse("projects:public", args=[world["ids"]["project"]])).status_code == 404
    assert client.get(reverse("projects:public_photo", args=[world["ids"]["project"], 1])).status_code == 404



@pytest.mark.parametrize("role", ["anonymous", "resident", "deputy", "deputy_other", "staff_other", "staff", "superuser"])
def test_confirmation_pages_by_scope(world, client, role):
    """The confirmation pages of the steps that cannot be undone (GET) follow the same rules as their POSTs."""
    if role != "anonymous":
        client.force_login(world["users"][role])
    i = world["ids"]
    pages = {"projects:ballot_close": ([i["ballot"]], 200), "projects:ballot_certify": ([i["ballot"]], 302),
             "meetings:survey_close": ([i["survey"]], 302)}  # an open ballot; not yet counted; a draft survey
    for name, (args, in_scope) in pages.items():
        resp = client.get(reverse(name, args=args))
        expected = {"anonymous": 302, "resident": 403, "deputy": 403, "deputy_other": 403, "staff_other": 404}.get(
            role, in_scope)
        assert resp.status_code == expected, (name, role, resp.status_code)
        if role == "anonymous":
            assert "/accounts/login/" in resp["Location"]
