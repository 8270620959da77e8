"""The world the fuzz tests post into: one district in the staff member's scope with every kind of object a form
can address, in a state where the form can succeed, and a second district (another body) whose ids are fed to the
forms as well, to check that nothing outside the scope can be reached or linked."""

import datetime

from django.test import TestCase
from django.utils import timezone

from congress import services as congress_services
from congress.models import User
from deputies import liaison, suggestions
from deputies import services as ds
from deputies.models import OpinionCategory, ResidentOpinion
from meetings import services as ms
from meetings.models import AgendaItem, Attendee, Meeting, Report
from projects import services as ps
from projects.models import Ballot, Category, Project
from tests import factories
from tests.ballot_box import SCRUTINEERS, remember
from tests.projects.conftest import Election, make_candidates

LOGIN_PASSWORD = "Fuzz-Password-123"  # noqa: S105


def _meeting(body, state=Meeting.State.PREPARATION, title="议事会", date=None):
    meeting = ms.meeting_create(body=body, kind=Meeting.Kind.DELIBERATION_MIDYEAR, title=title,
                                date=date or timezone.localdate(), place="社区会议室")
    if state != Meeting.State.PREPARATION:
        meeting = ms.meeting_transition(meeting=meeting, to=Meeting.State.CONVENING)
    return meeting


def _present(meeting, people):
    for p in people:
        ms.attendee_set_status(attendee=Attendee.objects.get(meeting=meeting, person=p), status=Attendee.Status.PRESENT)


def _count(election):
    with TestCase.captureOnCommitCallbacks(execute=True):
        ps.ballot_close(ballot=election.ballot, reason=factories.CLOSE_REASON)
        election.unseal()
    election.ballot.refresh_from_db()
    return election.ballot


class Side:
    """One district's objects; `World` has two of them (`home`, in scope, and `away`, out of it)."""

    def __init__(self, full: bool):
        self.district = factories.district()
        self.sub = factories.subdistrict(parent=self.district)
        self.e = Election(deputies=4 if full else 3, candidates=3 if full else 2, division=self.sub).open()
        self.body, self.term, self.people = self.e.body, self.e.term, self.e.people
        self.community = factories.community(parent=self.sub)
        self.session = congress_services.session_create(term=self.term, number=1, start_date=timezone.localdate())
        self.category = OpinionCategory.objects.get_or_create(name="其他")[0]
        self.project_category = Category.objects.get_or_create(name="停车设施")[0]

        # residents' opinions: one just received (to act on, make a project of, gather), one answered (to rate)
        self.opinion = liaison.opinion_receive(division=self.community, category=self.category, text="小区积水严重",
                                                channel="station")
        self.answered = liaison.opinion_receive(division=self.community, category=self.category, text="路灯不亮",
                                                 channel="online")
        liaison.opinion_transition(opinion=self.answered, to=ResidentOpinion.State.REFERRED, unit="街道办",
                                    due_date=timezone.localdate() + datetime.timedelta(days=30))
        self.answered = liaison.opinion_transition(opinion=self.answered, to=ResidentOpinion.State.RESOLVED,
                                                    reply="已修复")
        self.station = liaison.station_create(kind="station", name="联络站", division=self.sub, address="一号",
                                               deputies=self.people[:2])

        # suggestions: one submitted (staff assign it), one answered (its lead evaluates it)
        today = timezone.localdate()
        self.suggestion = suggestions.suggestion_submit(body=self.body, lead=self.people[1], title="建议一",
                                                        text="增设停车位", submitted_on=today)
        self.answered_suggestion = suggestions.suggestion_submit(body=self.body, lead=self.people[0], title="建议二",
                                                                 text="修缮步道", submitted_on=today)
        suggestions.suggestion_assign(suggestion=self.answered_suggestion, unit="建设局")
        self.answered_suggestion = suggestions.suggestion_reply(suggestion=self.answered_suggestion, reply="已安排",
                                                                on=today)

        # projects: one just proposed and one under appraisal (to move); candidates of a draft ballot
        self.proposed = ps.project_propose(body=self.body, year=today.year + 1, title="新建停车场",
                                           category=self.project_category, description="为居民办实事",
                                           source=Project.Source.STAFF)
        self.appraisal = ps.project_move(
            project=ps.project_propose(body=self.body, year=today.year + 1, title="加装电梯",
                                       category=self.project_category, description="为居民办实事",
                                       source=Project.Source.STAFF), to=Project.State.APPRAISAL)
        self.draft_candidates = make_candidates(self.body, 3 if full else 1, year=today.year + 1)
        now = timezone.now()
        self.draft = ps.ballot_create(body=self.body, title="草拟票决", year=today.year + 1, seats=1, max_choices=1,
                                      opens_at=now, closes_at=now + datetime.timedelta(hours=3))
        ps.ballot_set_candidates(ballot=self.draft, projects=self.draft_candidates)

        # meetings: one convening (deputies present, a survey open, one not yet open, an opinion sent, an agenda
        # item carrying the draft ballot, a report), one in preparation (sign in, ask for leave, inspections)
        self.convening = _meeting(self.body, state=Meeting.State.CONVENING, title="年中议事会")
        _present(self.convening, self.people[: len(self.people) - 1])
        self.item = ms.agenda_add(meeting=self.convening, kind=AgendaItem.Kind.PROJECT_BALLOT, title="票决",
                                  ballot=self.draft)
        self.survey = ms.survey_create(meeting=self.convening, subject="工作满意度")
        self.survey = ms.survey_open(survey=self.survey, scrutineers=SCRUTINEERS, threshold=2)
        remember(self.survey.poll)
        self.grade_survey = ms.survey_create(meeting=self.convening, subject="办理满意度", scale="grades")
        self.grade_survey = ms.survey_open(survey=self.grade_survey, scrutineers=SCRUTINEERS, threshold=2)
        remember(self.grade_survey.poll)
        self.closed_survey = ms.survey_create(meeting=self.convening, subject="尚未开始")
        self.delib_opinion = ms.deliberation_opinion_send(meeting=self.convening, text="加快进度", unit="建设局",
                                             due_date=today + datetime.timedelta(days=30))
        self.report = Report.objects.create(meeting=self.convening, kind=Report.Kind.MEETING,
                                            state=Report.State.FAILED)
        self.preparing = _meeting(self.body, title="季度议事会", date=today + datetime.timedelta(days=7))

        self.staff = factories.staff(self.district)
        self.deputy, _password = ds.deputy_account_create(person=self.people[0])
        # a handling unit with its account and a suggestion to handle; a duty report awaiting approval
        self.unit = suggestions.handling_unit_create(body=self.body, name="交通局")
        self.unit_user = suggestions.handling_unit_account_create(unit=self.unit, username=f"unit-{self.body.pk}",
                                                                  password=LOGIN_PASSWORD)
        self.unit_suggestion = suggestions.suggestion_submit(body=self.body, lead=self.people[2], title="建议三",
                                                             text="增设路灯", submitted_on=today)
        self.unit_suggestion = suggestions.suggestion_assign(suggestion=self.unit_suggestion, unit=self.unit)
        from deputies import points

        self.duty_report = points.duty_report_submit(person=self.people[0], body=self.body, kind="inspection",
                                                     date=today, description="视察")

        self.finished = self.tied = self.counted = None
        self.for_against = None
        if not full:
            return
        # a second open ballot, for / against / abstain on each candidate
        fa_candidates = make_candidates(self.body, 2, year=today.year + 1)
        self.for_against = ps.ballot_create(body=self.body, title="逐项表决", year=today.year + 1, seats=1,
                                            method=Ballot.Method.FOR_AGAINST,
                                            opens_at=now - datetime.timedelta(hours=1),
                                            closes_at=now + datetime.timedelta(hours=2))
        ps.ballot_set_candidates(ballot=self.for_against, projects=fa_candidates)
        remember(ps.ballot_open(ballot=self.for_against, scrutineers=SCRUTINEERS, threshold=2).poll)
        self.for_against.refresh_from_db()

        # a counted ballot tied at the cut-off (staff break it), in a sub-district of the same district
        tied = Election(deputies=3, candidates=3, division=factories.subdistrict(parent=self.district), seats=1,
                        max_choices=1, tie_rule=Ballot.TieRule.STAFF_BREAK).open()
        tied.approve(tied.people[0], 0)
        tied.approve(tied.people[1], 1)
        self.tied = _count(tied)
        # a certified ballot: its adopted project is in implementation, with a milestone
        done = Election(deputies=3, candidates=2, division=factories.subdistrict(parent=self.district), seats=1,
                        max_choices=1).open()
        for p in done.people:
            done.approve(p, 0)
        self.finished = ps.ballot_certify(ballot=_count(done), **factories.certifying(done.body))
        # a counted ballot waiting for certification (closed by nobody here: any staff member in scope may certify)
        counted = Election(deputies=3, candidates=2, division=factories.subdistrict(parent=self.district), seats=1,
                           max_choices=1).open()
        counted.approve(counted.people[0], 1)
        self.counted = _count(counted)
        self.implementing = Project.objects.get(pk=done.candidates[0].project_id)
        assert self.implementing.state == Project.State.IMPLEMENTATION
        self.milestone = ps.milestone_add(project=self.implementing, title="开工",
                                          due_date=today + datetime.timedelta(days=60))
        # supervision: the home deputy supervises the project being carried out (so records site visits), a
        # task is open on it; the convening meeting has a hall screen link
        from meetings import hall
        from projects.models import ProjectSupervisor, SupervisionTask

        ProjectSupervisor.objects.create(project=self.implementing, person=self.people[0],
                                         role=ProjectSupervisor.Role.DEPUTY)
        self.task = SupervisionTask.objects.create(project=self.implementing, unit="区住建委", reason="滞后",
                                                   opened_on=today, due_date=today + datetime.timedelta(days=15))
        self.convening = hall.screen_link_new(meeting=self.convening)
        # a meeting of the body whose project is being carried out: its year-end evaluation
        self.evaluation = _meeting(self.implementing.body, title="年终测评会")


class World:
    def __init__(self):
        self.home = Side(full=True)
        self.away = Side(full=False)
        self.login_user = User.objects.create_user("fuzz-login", password=LOGIN_PASSWORD)
