"""Every service that takes an acting user writes an audit row naming that user.

The services are found by introspection (any public function in congress/, deputies/, projects/ and
meetings/ with an `acting_user` or `actor` keyword); each must have an entry in CALLS below, which
builds a small world with the factories and returns the call to make. The completeness test fails for a
service without an entry, as tests/test_permission_matrix.py does for a URL without a row.
"""

import datetime
import importlib
import inspect
import pkgutil

import pytest
from django.test import TestCase
from django.utils import timezone

from congress.layers import LAYERS
from congress.models import AuditLog, CongressBody
from tests import factories
from tests.ballot_box import SEAL, sealed, shares

pytestmark = pytest.mark.django_db

APPS = LAYERS

# Not services, with the reason.
NOT_SERVICES = {
    "congress.services.audit_record": "the audit itself",
    "congress.services.account_check": "a check before a write; writes nothing",
    "deputies.services.require_people_in_scope": "a check before a write; writes nothing",
    "congress.safeguards.close_reason_required": "a question about a close; writes nothing",
    "congress.safeguards.require_close_reason": "a check before a close; writes nothing",
    "congress.safeguards.require_second_person": "a check before a certification; writes nothing",
}
# Primitives whose audit row is written by every service that calls them (each of those is tested here).
AUDITED_BY_CALLER = {
    # the shared "fields and scoped people" update; each caller below is called here and checked for its row
    "deputies.services.update_with_people": ("deputies.liaison.station_update",
                                             "deputies.suggestions.supervision_group_update",
                                             "deputies.suggestions.duty_activity_update"),
    # the secret-ballot core writes nothing about who entered which paper ballot; the callers log that one was
    "congress.polls.poll_cast_paper": ("projects.services.ballot_enter_paper",
                                       "meetings.services.surveys.survey_enter_paper"),
    # the workflow step inside project_move, ballot_open and ballot_certify; it keeps its own history row
    "projects.services.project_transition": ("projects.services.project_move", "projects.services.ballot_open",
                                             "projects.services.ballot_certify"),
    # the workflow primitive: makes the move and its history row; the service that calls it writes the audit row
    "congress.workflows.transition": ("deputies.liaison.opinion_transition", "deputies.suggestions.suggestion_assign",
                                      "meetings.services.meetings.meeting_transition",
                                      "projects.services.project_move"),
    "congress.workflows.record": ("deputies.liaison.opinion_receive", "deputies.suggestions.suggestion_submit",
                                  "meetings.services.meetings.meeting_create", "projects.services.project_propose"),
}


def discovered_services() -> set[str]:
    found = set()
    for app in APPS:
        package = importlib.import_module(app)
        for info in pkgutil.walk_packages(package.__path__, f"{app}."):
            if any(part in info.name for part in (".migrations", ".management", ".tests")):
                continue
            module = importlib.import_module(info.name)
            for name, fn in inspect.getmembers(module, inspect.isfunction):
                if fn.__module__ != module.__name__ or name.startswith("_"):
                    continue
                params = inspect.signature(fn).parameters
                if "acting_user" in params or "actor" in params:
                    found.add(f"{module.__name__}.{name}")
    return found


# --- the little worlds ------------------------------------------------------------------------------------

def _sub():
    body = factories.BodyFactory(seats=80)
    term = factories.TermFactory(body=body)
    people = [factories.PersonFactory(area=factories.community(parent=body.division)) for _ in range(3)]
    for p in people:
        factories.seat(p, term)
    return body, term, people


def _category():
    from deputies.models import OpinionCategory

    return OpinionCategory.objects.get_or_create(name="其他")[0]


def _opinion(body):
    from deputies import liaison

    return liaison.opinion_receive(division=factories.community(parent=body.division), category=_category(),
                                    text="积水", channel="station")


def _election(**kw):
    from tests.projects.conftest import Election

    return Election(**kw)


def _counted(tie=False):
    e = _election(deputies=4, candidates=3, seats=1, max_choices=1,
                  **({"tie_rule": "staff_break"} if tie else {})).open()
    e.approve(e.people[0], 0)
    e.approve(e.people[1], 1 if tie else 0)
    e.close_and_count()
    return e


def _project_in_implementation():
    from projects.models import Project

    e = _counted()
    from projects import services as ps

    ps.ballot_certify(ballot=e.ballot, **factories.certifying(e.body))
    return Project.objects.get(pk=e.candidates[0].project_id)


def _hall(convene=False):
    from tests.meetings.conftest import Hall

    h = Hall(deputies=4, fixed=0, date=timezone.localdate() + datetime.timedelta(days=5))
    if convene:
        h.present(*h.people)
        h.convene()
    return h


def _deliberation_opinion(answered=False):
    from meetings import services as ms

    h = _hall(convene=True)
    op = ms.deliberation_opinion_send(meeting=h.meeting, text="加快改造", unit="区住建委", due_date=datetime.date(2027, 1, 1))
    if answered:
        ms.deliberation_opinion_respond(opinion=op, response="已启动", on=datetime.date(2026, 9, 1))
    return op


def _suggestion(state="submitted"):
    from deputies import suggestions

    body, term, people = _sub()
    s = suggestions.suggestion_submit(body=body, lead=people[0], title="建议", text="x",
                                      submitted_on=datetime.date(2024, 3, 1))
    if state in ("assigned", "answered"):
        s = suggestions.suggestion_assign(suggestion=s, unit="区交通局")
    if state == "answered":
        s = suggestions.suggestion_reply(suggestion=s, reply="已办", on=datetime.date(2024, 5, 1))
    return s


def _open_survey():
    from meetings import services as ms

    h = _hall(convene=True)
    survey = ms.survey_create(meeting=h.meeting, subject="工作")
    return h, sealed(ms.survey_open(survey=survey, **SEAL))


def _person_fields(area=None):
    return {"name": "新人", "gender": "F", "date_of_birth": datetime.date(1980, 1, 1), "education": "bachelor",
            "sector": "resident", "affiliation": "masses", "area": area or factories.community(),
            "in_area_since": datetime.date(2010, 1, 1)}


# --- one small call per service: CALLS[name](u) builds the world and returns the call --------------------------



def _cases():
    from congress import polls, verification
    from congress import services as cs
    from deputies import liaison, points, suggestions
    from deputies import services as ds
    from deputies.models import Mandate
    from deputies.services import RosterRow
    from meetings import services as ms
    from meetings.models import AgendaItem, Attendee, Meeting, Report
    from projects import services as ps
    from projects import supervision as sv
    from projects.models import Category, Project

    def division_create(u):
        return lambda: cs.division_create(code="9990001", name="新区", level="district", parent=factories.city(),
                                          acting_user=u)

    def division_update(u):
        d = factories.district()
        return lambda: cs.division_update(division=d, name="改名", acting_user=u)

    def body_create(u):
        d = factories.subdistrict()
        return lambda: cs.body_create(name="议事会", kind=CongressBody.Kind.DELIBERATION_CONGRESS, division=d,
                                      acting_user=u)

    def body_update(u):
        b = factories.BodyFactory()
        return lambda: cs.body_update(body=b, name="改名", acting_user=u)

    def term_create(u):
        b = factories.BodyFactory()
        return lambda: cs.term_create(body=b, number=1, start_date=datetime.date(2024, 1, 10), acting_user=u)

    def session_create(u):
        t = factories.TermFactory()
        return lambda: cs.session_create(term=t, number=1, start_date=datetime.date(2024, 3, 1), acting_user=u)

    def staff_account_create(u):
        d = factories.district()
        return lambda: cs.staff_account_create(username="newstaff", password="x-Secret-123", division=d, acting_user=u)

    def account_update(u):
        a = factories.staff(factories.district())
        return lambda: cs.account_update(account=a, first_name="改名", acting_user=u)

    def account_password_set(u):
        a = factories.staff(factories.district())
        return lambda: cs.account_password_set(account=a, password="New-Secret-456", acting_user=u)

    def poll_open(u):
        e = _election()
        return lambda: polls.poll_open(poll=e.ballot.poll, electors=e.people, seated_count=len(e.people),
                                       acting_user=u, **SEAL)

    def poll_mark_paper_voters(u):
        e = _election().open()
        return lambda: polls.poll_mark_paper_voters(poll=e.ballot.poll, people=e.people[:1], acting_user=u)

    def poll_close(u):
        e = _election().open()
        return lambda: polls.poll_close(poll=e.ballot.poll, acting_user=u)

    def poll_certify(u):
        e = _counted()
        return lambda: polls.poll_certify(poll=e.ballot.poll, acting_user=u)

    def person_create(u):
        f = _person_fields()
        return lambda: ds.person_create(acting_user=u, **f)

    def person_update(u):
        p = factories.PersonFactory()
        return lambda: ds.person_update(person=p, phone="13700000000", acting_user=u)

    def mandate_create(u):
        body, term, _people = _sub()
        p = factories.PersonFactory(area=factories.community(parent=body.division))
        return lambda: ds.mandate_create(person=p, term=term, role=Mandate.Role.DELIBERATION_DEPUTY,
                                         start_date=term.start_date, acting_user=u)

    def mandate_end(u):
        _body, term, people = _sub()
        m = people[0].mandates.get()
        return lambda: ds.mandate_end(mandate=m, end_date=datetime.date(2025, 1, 1), reason="moved", acting_user=u)

    def deputy_account_create(u):
        p = factories.PersonFactory()
        return lambda: ds.deputy_account_create(person=p, acting_user=u)

    def roster_import(u):
        body, term, _people = _sub()
        row = RosterRow(line=2, person_fields={**_person_fields(factories.community(parent=body.division)),
                                               "ethnicity": "汉族", "nationality": "CN", "phone": "",
                                               "is_community_worker": False},
                        role="deliberation_deputy", start_date=term.start_date)
        return lambda: ds.roster_import(term=term, rows=[row], acting_user=u)

    def station_create(u):
        body, _term, people = _sub()
        return lambda: liaison.station_create(kind="station", name="站", division=body.division, address="x",
                                               deputies=people[:1], acting_user=u)

    def station_update(u):
        body, _term, people = _sub()
        st = liaison.station_create(kind="station", name="站", division=body.division, address="x")
        return lambda: liaison.station_update(station=st, deputies=people, name="新站", acting_user=u)

    def reception_record(u):
        body, _term, people = _sub()
        st = liaison.station_create(kind="station", name="站", division=body.division, address="x", deputies=people)
        return lambda: liaison.reception_record(station=st, date=datetime.date(2024, 4, 20), on_duty=people[:1],
                                                 residents=3, acting_user=u)

    def opinion_receive(u):
        body, _term, _people = _sub()
        return lambda: liaison.opinion_receive(division=body.division, category=_category(), text="路灯",
                                                channel="station", acting_user=u)

    def opinion_transition(u):
        body, _term, _people = _sub()
        op = _opinion(body)
        return lambda: liaison.opinion_transition(opinion=op, to="referred", unit="城管办",
                                                   due_date=datetime.date(2024, 5, 1), acting_user=u)

    def suggestion_submit(u):
        body, _term, people = _sub()
        return lambda: suggestions.suggestion_submit(body=body, lead=people[0], title="建议", text="x",
                                                     submitted_on=datetime.date(2024, 3, 1), acting_user=u)

    def suggestion_assign(u):
        s = _suggestion()
        return lambda: suggestions.suggestion_assign(suggestion=s, unit="区交通局", acting_user=u)

    def suggestion_reply(u):
        s = _suggestion("assigned")
        return lambda: suggestions.suggestion_reply(suggestion=s, reply="已办", on=datetime.date(2024, 5, 1),
                                                    acting_user=u)

    def suggestion_evaluate(u):
        s = _suggestion("answered")
        return lambda: suggestions.suggestion_evaluate(suggestion=s, satisfaction="satisfied", acting_user=u)

    def handling_unit_create(u):
        body, _term, _people = _sub()
        return lambda: suggestions.handling_unit_create(body=body, name="区交通局", acting_user=u)

    def handling_unit_update(u):
        body, _term, _people = _sub()
        unit = suggestions.handling_unit_create(body=body, name="区交通局")
        return lambda: suggestions.handling_unit_update(unit=unit, name="区交通运输局", accounts=[], acting_user=u)

    def handling_unit_account_create(u):
        body, _term, _people = _sub()
        unit = suggestions.handling_unit_create(body=body, name="区交通局")
        return lambda: suggestions.handling_unit_account_create(unit=unit, username="jiaotong", password="x-Y-z-123",
                                                                acting_user=u)

    def suggestion_return(u):
        s = _suggestion("assigned")
        return lambda: suggestions.suggestion_return(suggestion=s, reason="不属本单位职责", on=s.assigned_on,
                                                     acting_user=u)

    def suggestion_extension_request(u):
        s = _suggestion("assigned")
        return lambda: suggestions.suggestion_extension_request(
            suggestion=s, until=s.due_limit, reason="需跨年度预算", on=s.assigned_on, acting_user=u)

    def suggestion_extension_decide(u):
        s = _suggestion("assigned")
        ext = suggestions.suggestion_extension_request(suggestion=s, until=s.due_limit, reason="需跨年度预算",
                                                       on=s.assigned_on)
        return lambda: suggestions.suggestion_extension_decide(extension=ext, approve=True, acting_user=u)

    def duty_report_submit(u):
        body, _term, people = _sub()
        return lambda: points.duty_report_submit(person=people[0], body=body, kind="inspection",
                                                 date=timezone.localdate(), description="视察", acting_user=u)

    def duty_reports_decide(u):
        body, _term, people = _sub()
        r = points.duty_report_submit(person=people[0], body=body, kind="inspection", date=timezone.localdate(),
                                      description="视察")
        return lambda: points.duty_reports_decide(reject={r: "无佐证"}, acting_user=u)

    def point_rules_set(u):
        body, _term, _people = _sub()
        return lambda: points.point_rules_set(body=body, points={"inspection": 5}, acting_user=u)

    def supervision_group_create(u):
        body, _term, people = _sub()
        return lambda: suggestions.supervision_group_create(body=body, name="监督组", members=people, acting_user=u)

    def supervision_group_update(u):
        body, _term, people = _sub()
        g = suggestions.supervision_group_create(body=body, name="监督组")
        return lambda: suggestions.supervision_group_update(group=g, members=people, acting_user=u)

    def duty_activity_record(u):
        body, _term, people = _sub()
        return lambda: suggestions.duty_activity_record(body=body, kind="inspection", date=datetime.date(2024, 3, 1),
                                                        title="视察", participants=people, acting_user=u)

    def duty_activity_update(u):
        body, _term, people = _sub()
        a = suggestions.duty_activity_record(body=body, kind="inspection", date=datetime.date(2024, 3, 1),
                                             title="视察", participants=people[:1])
        return lambda: suggestions.duty_activity_update(activity=a, participants=people, title="调研", acting_user=u)

    def project_propose(u):
        body, _term, _people = _sub()
        cat = Category.objects.get_or_create(name="停车设施")[0]
        return lambda: ps.project_propose(body=body, year=2027, title="项目", category=cat, description="x",
                                          source=Project.Source.STATION, acting_user=u)

    def _proposed():
        body, _term, _people = _sub()
        cat = Category.objects.get_or_create(name="停车设施")[0]
        return ps.project_propose(body=body, year=2027, title="项目", category=cat, description="x",
                                  source=Project.Source.STATION)

    def project_update(u):
        p = _proposed()
        return lambda: ps.project_update(project=p, title="新项目", acting_user=u)

    def project_move(u):
        p = _proposed()
        return lambda: ps.project_move(project=p, to=Project.State.APPRAISAL, acting_user=u)

    def project_from_opinion(u):
        body, _term, _people = _sub()
        op = _opinion(body)
        cat = Category.objects.get_or_create(name="停车设施")[0]
        return lambda: ps.project_from_opinion(opinion=op, body=body, year=2027, title="项目", category=cat,
                                               acting_user=u)

    def ballot_create(u):
        body, _term, _people = _sub()
        return lambda: ps.ballot_create(body=body, title="票决", year=2027, seats=1, acting_user=u)

    def ballot_update_rules(u):
        e = _election()
        return lambda: ps.ballot_update_rules(ballot=e.ballot, title="新票决", acting_user=u)

    def ballot_set_candidates(u):
        e = _election()
        return lambda: ps.ballot_set_candidates(ballot=e.ballot, projects=e.projects[:2], acting_user=u)

    def ballot_open(u):
        e = _election()
        return lambda: ps.ballot_open(ballot=e.ballot, acting_user=u, **SEAL)

    def ballot_enter_paper(u):
        e = _election().open()
        polls.poll_mark_paper_voters(poll=e.ballot.poll, people=e.people[:1])
        return lambda: ps.ballot_enter_paper(ballot=e.ballot, status="blank", acting_user=u)

    def ballot_close(u):
        e = _election().open()
        return lambda: ps.ballot_close(ballot=e.ballot, acting_user=u, reason=factories.CLOSE_REASON)

    def ballot_count_again(u):
        e = _counted()
        return lambda: ps.ballot_count_again(ballot=e.ballot, acting_user=u)

    def ballot_break_tie(u):
        e = _counted(tie=True)
        return lambda: ps.ballot_break_tie(ballot=e.ballot, candidate_ids=[e.candidates[1].pk], reason="资金已落实",
                                           acting_user=u)

    def ballot_certify(u):
        e = _counted()
        return lambda: ps.ballot_certify(ballot=e.ballot, acting_user=u, scrutineers=list(factories.SCRUTINEERS))

    def ballot_runoff_create(u):
        e = _election(deputies=4, candidates=3, seats=1, max_choices=1, tie_rule="runoff").open()
        e.approve(e.people[0], 0)
        e.approve(e.people[1], 1)
        e.close_and_count()
        ps.ballot_certify(ballot=e.ballot, **factories.certifying(e.body))
        return lambda: ps.ballot_runoff_create(ballot=e.ballot, acting_user=u)

    def milestone_add(u):
        p = _project_in_implementation()
        return lambda: ps.milestone_add(project=p, title="开工", due_date=datetime.date(2027, 6, 1), acting_user=u)

    def milestone_done(u):
        p = _project_in_implementation()
        m = ps.milestone_add(project=p, title="开工", due_date=datetime.date(2027, 6, 1))
        return lambda: ps.milestone_done(milestone=m, done_on=datetime.date(2027, 5, 1), acting_user=u)

    def progress_report(u):
        p = _project_in_implementation()
        return lambda: ps.progress_report(project=p, date=datetime.date(2027, 5, 1), percent=30, text="进行中",
                                          acting_user=u)

    def project_recolour(u):
        from projects.models import Project

        p = _project_in_implementation()
        Project.objects.filter(pk=p.pk).update(planned_completion=datetime.date(2026, 1, 1))  # past due: red
        return lambda: sv.project_recolour(project=p, acting_user=u)

    def project_set_supervisors(u):
        p = _project_in_implementation()
        people = list(sv.eligible_supervisors(p))
        return lambda: sv.project_set_supervisors(project=p, presidium=people[0], deputies=people[1:], acting_user=u)

    def site_visit_add(u):
        p = _project_in_implementation()
        people = list(sv.eligible_supervisors(p))
        sv.project_set_supervisors(project=p, presidium=people[0], deputies=[])
        return lambda: sv.site_visit_add(project=p, person=people[0], date=timezone.localdate(), findings="已开工",
                                         acting_user=u)

    def supervision_task_close(u):
        from projects.models import SupervisionTask

        p = _project_in_implementation()
        task = SupervisionTask.objects.create(project=p, unit="区住建委", reason="滞后", opened_on=datetime.date(2027, 1, 1),
                                              due_date=datetime.date(2027, 1, 15))
        return lambda: sv.supervision_task_close(task=task, outcome="已整改", acting_user=u)

    def year_end_evaluation_create(u):
        from projects.models import Project

        h = _hall()
        p = _project_in_implementation()
        Project.objects.filter(pk=p.pk).update(body=h.meeting.body)
        return lambda: ms.year_end_evaluation_create(meeting=h.meeting, year=p.year, acting_user=u)

    def meeting_create(u):
        body, _term, _people = _sub()
        return lambda: ms.meeting_create(body=body, kind=Meeting.Kind.DELIBERATION_MIDYEAR, title="议事会",
                                         date=datetime.date(2026, 7, 1), place="x", acting_user=u)

    def meeting_transition(u):
        h = _hall()
        h.present(*h.people)
        return lambda: ms.meeting_transition(meeting=h.meeting, to=Meeting.State.CONVENING, acting_user=u)

    def attendee_set_status(u):
        h = _hall()
        return lambda: ms.attendee_set_status(attendee=h.attendee(h.people[0]), status=Attendee.Status.PRESENT,
                                              acting_user=u)

    def agenda_add(u):
        h = _hall()
        return lambda: ms.agenda_add(meeting=h.meeting, kind=AgendaItem.Kind.WORK_REPORT, title="报告", acting_user=u)

    def meeting_open_ballot(u):
        h = _hall(convene=True)
        ballot = ps.ballot_create(body=h.body, title="票决", year=2027, seats=1)
        from tests.projects.conftest import make_candidates

        ps.ballot_set_candidates(ballot=ballot, projects=make_candidates(h.body, 2))
        item = ms.agenda_add(meeting=h.meeting, kind=AgendaItem.Kind.PROJECT_BALLOT, title="票决", ballot=ballot)
        return lambda: ms.meeting_open_ballot(item=item, acting_user=u, **SEAL)

    def inspection_add(u):
        h = _hall()
        return lambda: ms.inspection_add(meeting=h.meeting, date=timezone.localdate(), place="x", findings="y",
                                         participants=h.people[:1], acting_user=u)

    def deliberation_opinions_gather(u):
        h = _hall()
        op = _opinion(factories.BodyFactory(division=factories.subdistrict(parent=h.body.division)))
        return lambda: ms.deliberation_opinions_gather(meeting=h.meeting, opinions=[op], acting_user=u)

    def group_create(u):
        h = _hall()
        return lambda: ms.group_create(meeting=h.meeting, name="第一组", members=h.people[:2], acting_user=u)

    def speech_add(u):
        h = _hall(convene=True)
        item = ms.agenda_add(meeting=h.meeting, kind=AgendaItem.Kind.WORK_REPORT, title="报告")
        return lambda: ms.speech_add(item=item, speaker=h.people[0], text="发言", acting_user=u)

    def inquiry_add(u):
        h = _hall(convene=True)
        item = ms.agenda_add(meeting=h.meeting, kind=AgendaItem.Kind.INQUIRY, title="专题询问")
        return lambda: ms.inquiry_add(item=item, asked_by=h.people[0], question="何时完工？", acting_user=u)

    def deliberation_opinion_send(u):
        h = _hall(convene=True)
        return lambda: ms.deliberation_opinion_send(meeting=h.meeting, text="加快", unit="区住建委",
                                       due_date=datetime.date(2027, 1, 1), acting_user=u)

    def deliberation_opinion_respond(u):
        op = _deliberation_opinion()
        return lambda: ms.deliberation_opinion_respond(opinion=op, response="已启动", on=datetime.date(2026, 9, 1), acting_user=u)

    def deliberation_opinion_close(u):
        op = _deliberation_opinion(answered=True)
        return lambda: ms.deliberation_opinion_close(opinion=op, acting_user=u)

    def survey_create(u):
        h = _hall()
        return lambda: ms.survey_create(meeting=h.meeting, subject="工作", acting_user=u)

    def survey_open(u):
        h = _hall(convene=True)
        survey = ms.survey_create(meeting=h.meeting, subject="工作")
        return lambda: ms.survey_open(survey=survey, acting_user=u, **SEAL)

    def survey_enter_paper(u):
        h, survey = _open_survey()
        polls.poll_mark_paper_voters(poll=survey.poll, people=h.people[:1])
        return lambda: ms.survey_enter_paper(survey=survey, value=90, acting_user=u)

    def poll_unseal(u):
        e = _election().open()
        e.approve(e.people[0], 0)
        ps.ballot_close(ballot=e.ballot, reason=factories.CLOSE_REASON)
        return lambda: polls.poll_unseal(poll=e.ballot.poll, shares=e.shares[:2],
                                         check=ps.ballot_rules_check(e.ballot), acting_user=u)

    def poll_void(u):
        e = _election().open()
        ps.ballot_close(ballot=e.ballot, reason=factories.CLOSE_REASON)
        return lambda: polls.poll_void(poll=e.ballot.poll, reason="密钥卡遗失", acting_user=u)

    def ballot_unseal(u):
        e = _election().open()
        e.approve(e.people[0], 0)
        ps.ballot_close(ballot=e.ballot, reason=factories.CLOSE_REASON)
        return lambda: ps.ballot_unseal(ballot=e.ballot, shares=e.shares[:2], acting_user=u)

    def ballot_void(u):
        e = _election().open()
        ps.ballot_close(ballot=e.ballot, reason=factories.CLOSE_REASON)
        return lambda: ps.ballot_void(ballot=e.ballot, reason="密钥卡遗失", acting_user=u)

    def survey_unseal(u):
        _h, survey = _open_survey()
        ms.survey_close(survey=survey, reason=factories.CLOSE_REASON)
        return lambda: ms.survey_unseal(survey=survey, shares=shares(survey.poll), acting_user=u)

    def survey_void(u):
        _h, survey = _open_survey()
        ms.survey_close(survey=survey, reason=factories.CLOSE_REASON)
        return lambda: ms.survey_void(survey=survey, reason="密钥卡遗失", acting_user=u)

    def poll_verification_bundle(u):
        e = _counted()
        return lambda: verification.poll_verification_bundle(poll=e.ballot.poll, acting_user=u)

    def ballot_verification_bundle(u):
        e = _counted()
        return lambda: ps.ballot_verification_bundle(ballot=e.ballot, acting_user=u)

    def survey_verification_bundle(u):
        _h, survey = _open_survey()
        ms.survey_close(survey=survey, reason=factories.CLOSE_REASON)
        ms.survey_unseal(survey=survey, shares=shares(survey.poll))
        return lambda: ms.survey_verification_bundle(survey=survey, acting_user=u)

    def survey_close(u):
        _h, survey = _open_survey()
        return lambda: ms.survey_close(survey=survey, acting_user=u, reason=factories.CLOSE_REASON)

    def report_request(u):
        h = _hall()
        return lambda: ms.report_request(meeting=h.meeting, kind=Report.Kind.MEETING, acting_user=u)

    def report_rebuild(u):
        h = _hall()
        report = Report.objects.create(meeting=h.meeting, kind=Report.Kind.MEETING, state=Report.State.FAILED)
        return lambda: ms.report_rebuild(report=report, acting_user=u)

    def _hall_ballot(u=None):
        from meetings import hall as hallmod

        h = _hall(convene=True)
        ballot = ps.ballot_create(body=h.body, title="票决", year=2027, seats=1)
        from tests.projects.conftest import make_candidates

        ps.ballot_set_candidates(ballot=ballot, projects=make_candidates(h.body, 2))
        ms.agenda_add(meeting=h.meeting, kind=AgendaItem.Kind.PROJECT_BALLOT, title="票决", ballot=ballot)
        return h, ballot, hallmod

    def poll_set_hall_rules(u):
        e = _election()
        return lambda: polls.poll_set_hall_rules(poll=e.ballot.poll, present_only=True, hall_result="certified",
                                                 acting_user=u)

    def poll_set_deadline(u):
        e = _election()
        return lambda: polls.poll_set_deadline(poll=e.ballot.poll, minutes=3, acting_user=u)

    def screen_link_new(u):
        h, _b, hallmod = _hall_ballot()
        return lambda: hallmod.screen_link_new(meeting=h.meeting, acting_user=u)

    def screen_link_revoke(u):
        h, _b, hallmod = _hall_ballot()
        hallmod.screen_link_new(meeting=h.meeting)
        return lambda: hallmod.screen_link_revoke(meeting=h.meeting, acting_user=u)

    def hall_rules_set(u):
        h, b, hallmod = _hall_ballot()
        return lambda: hallmod.hall_rules_set(meeting=h.meeting, poll_id=b.poll_id, present_only=True,
                                              hall_result="counted", acting_user=u)

    def hall_start_vote(u):
        h, b, hallmod = _hall_ballot()
        return lambda: hallmod.hall_start_vote(meeting=h.meeting, poll_id=b.poll_id, minutes=3, acting_user=u,
                                               **SEAL)

    def hall_extend(u):
        h, b, hallmod = _hall_ballot()
        hallmod.hall_start_vote(meeting=h.meeting, poll_id=b.poll_id, minutes=3, **SEAL)
        return lambda: hallmod.hall_extend(meeting=h.meeting, poll_id=b.poll_id, minutes=2, acting_user=u)

    def hall_announce(u):
        h, b, hallmod = _hall_ballot()
        return lambda: hallmod.hall_announce(meeting=h.meeting, poll_id=b.poll_id, acting_user=u)

    from meetings import hall as hall_module
    from meetings.services import attendance as ms_attendance
    from meetings.services import deliberation as ms_deliberation
    from meetings.services import meetings as ms_meetings
    from meetings.services import report_jobs as ms_report_jobs
    from meetings.services import surveys as ms_surveys

    modules = {
        "congress.services": cs, "congress.polls": polls, "congress.verification": verification,
        "deputies.services": ds, "deputies.liaison": liaison, "deputies.suggestions": suggestions,
        "deputies.points": points, "projects.services": ps,
        # the package `meetings.services` re-exports these sub-modules' services; each is labelled by its home
        "meetings.services.meetings": ms_meetings, "meetings.services.attendance": ms_attendance,
        "meetings.services.deliberation": ms_deliberation, "meetings.services.surveys": ms_surveys,
        "meetings.services.report_jobs": ms_report_jobs,
        "projects.supervision": sv,
        "meetings.hall": hall_module,
    }
    cases = {}
    for name, build in locals().copy().items():
        if name.startswith("_") or not callable(build) or name in ("modules", "cases"):
            continue
        for label, module in modules.items():
            fn = getattr(module, name, None)
            # a module's own function, not one it imports from a sibling (as meetings.services.surveys imports
            # agenda_add from meetings.services.meetings)
            if fn is not None and inspect.isfunction(fn) and fn.__module__ == module.__name__:
                cases[f"{label}.{name}"] = build
    return cases


def test_every_service_with_an_acting_user_has_an_entry():
    cases = set(_cases())
    found = discovered_services()
    missing = found - cases - set(NOT_SERVICES) - set(AUDITED_BY_CALLER)
    assert not missing, f"add a call to tests/test_audit_services.py for: {sorted(missing)}"
    stale = cases - found
    assert not stale, f"entries for services that no longer take an acting user: {sorted(stale)}"
    assert set(NOT_SERVICES) | set(AUDITED_BY_CALLER) <= found, "stale exemptions"
    for callers in AUDITED_BY_CALLER.values():
        assert set(callers) <= cases


@pytest.mark.parametrize("name", sorted(_cases()))
def test_the_service_writes_an_audit_row_naming_the_acting_user(name, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    acting = factories.staff(factories.city(), username="auditor")
    call = _cases()[name](acting)
    last = AuditLog.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    with TestCase.captureOnCommitCallbacks(execute=True):
        call()
    assert AuditLog.objects.filter(pk__gt=last, actor=acting).exists(), f"{name} wrote no audit row"
