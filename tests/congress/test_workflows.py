"""The one workflow primitive (congress/workflows.py): a refused move names both states and changes nothing, a
move is saved and recorded, `allowed()` and `can()` read the same table, and the fields that had no table (the
count of a project ballot, a built report, a deliberation opinion) now refuse an illegal move."""

import datetime

import pytest
from django.template import Context, Template
from django.utils import translation

from congress import workflows
from congress.models import SecretPoll
from deputies.models import OpinionCategory, ResidentOpinion, ResidentOpinionTransition, Suggestion
from meetings import services as meeting_services
from meetings.models import DeliberationOpinion, Meeting, MeetingTransition, Report
from projects import services as project_services
from projects.models import Ballot
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(sub_body):
    body, _term = sub_body
    return Meeting.objects.create(body=body, kind=Meeting.Kind.MIDYEAR_SESSION, title="年中会",
                                  date=datetime.date(2026, 7, 1), place="会议中心")


@pytest.fixture
def user(sub_body):
    return factories.staff(sub_body[0].division)


def test_a_refused_move_names_both_states_and_changes_nothing(meeting, user):
    with translation.override("en"), pytest.raises(workflows.TransitionError) as refused:
        workflows.transition(meeting, Meeting.State.CLOSED, actor=user)
    assert refused.value.messages == ["A meeting in “Preparation” cannot move to “Closed”."]
    meeting.refresh_from_db()
    assert meeting.state == Meeting.State.PREPARATION
    assert not MeetingTransition.objects.filter(meeting=meeting).exists()


def test_a_refused_move_raises_the_callers_error(meeting):
    with pytest.raises(meeting_services.MeetingError):
        workflows.transition(meeting, Meeting.State.SUMMARY, error=meeting_services.MeetingError)


def test_a_move_is_saved_and_recorded_with_who(meeting, user):
    assert workflows.transition(meeting, "convene", actor=user) == Meeting.State.PREPARATION
    meeting.refresh_from_db()
    assert meeting.state == Meeting.State.CONVENING
    row = MeetingTransition.objects.get(meeting=meeting)
    assert (row.from_state, row.to_state, row.by) == ("preparation", "convening", user)


def test_a_record_keeps_the_note_where_the_model_has_one(sub_body, user):
    category = OpinionCategory.objects.create(name="道路")
    opinion = ResidentOpinion.objects.create(reference="T-1", division=sub_body[0].division, channel="online",
                                             category=category, text="路灯坏了")
    opinion.unit, opinion.due_date = "住建办", datetime.date(2026, 8, 1)
    workflows.transition(opinion, ResidentOpinion.State.REFERRED, actor=user, note="交住建办", also=None)
    row = ResidentOpinionTransition.objects.get(opinion=opinion)
    assert (row.from_state, row.to_state, row.note, row.by) == ("received", "referred", "交住建办", user)


def test_allowed_lists_the_table_and_the_named_moves(meeting):
    assert workflows.allowed(meeting) == (Meeting.State.CONVENING,)
    suggestion = Suggestion(state=Suggestion.State.ANSWERED)
    assert set(workflows.allowed(suggestion)) == {Suggestion.State.CLOSED, Suggestion.State.ASSIGNED}
    ballot = Ballot(tally_state=Ballot.TallyState.DONE)
    assert Ballot.TallyState.QUEUED in workflows.allowed(ballot, "tally_state")  # by "count_again"
    assert Ballot.TallyState.FAILED not in workflows.allowed(ballot, "tally_state")


def test_can_asks_a_state_or_a_named_action():
    draft = SecretPoll(state=SecretPoll.State.DRAFT)
    assert workflows.can(draft, "open") and workflows.can(draft, SecretPoll.State.OPEN)
    assert not workflows.can(draft, "close") and not workflows.can(draft, "certify")
    closed, counted = SecretPoll(state=SecretPoll.State.CLOSED), SecretPoll(state=SecretPoll.State.TALLIED)
    assert workflows.can(closed, "count") and not workflows.can(counted, "count")  # the first count only
    assert workflows.can(counted, SecretPoll.State.TALLIED) and workflows.can(counted, "certify")
    assert workflows.can(closed, "void") and not workflows.can(counted, "void")
    assert workflows.can(Suggestion(state=Suggestion.State.RETURNED), "assign")
    assert not workflows.can(Suggestion(state=Suggestion.State.ANSWERED), "assign")


def test_templates_ask_the_same_table():
    page = Template('{% load workflow %}{% if poll|can:"close" %}close{% endif %}|{% for s in poll|allowed %}{{ s }}{% endfor %}')
    assert page.render(Context({"poll": SecretPoll(state=SecretPoll.State.OPEN)})) == "close|closed"
    # a closed poll is counted, or voided back to a draft
    assert page.render(Context({"poll": SecretPoll(state=SecretPoll.State.CLOSED)})) == "|tallieddraft"


def test_a_ready_report_is_not_queued_again(meeting):
    report = Report.objects.create(meeting=meeting, kind=Report.Kind.MEETING, state=Report.State.DONE)
    with pytest.raises(workflows.TransitionError):
        workflows.transition(report, Report.State.QUEUED)
    with pytest.raises(meeting_services.MeetingError):
        meeting_services.report_rebuild(report=report)
    report.refresh_from_db()
    assert report.state == Report.State.DONE


def test_a_reports_progress_leaves_a_ready_report_ready(meeting):
    ready = Report.objects.create(meeting=meeting, kind=Report.Kind.MEETING, state=Report.State.DONE, progress=100)
    building = Report.objects.create(meeting=meeting, kind=Report.Kind.MEETING)
    for report in (ready, building):
        meeting_services.report_progress(report_id=report.pk, progress=50)
        report.refresh_from_db()
    assert (ready.state, ready.progress) == (Report.State.DONE, 100)
    assert (building.state, building.progress) == (Report.State.BUILDING, 50)
    assert workflows.sources(Report, Report.State.BUILDING) == (Report.State.QUEUED, Report.State.BUILDING,
                                                                 Report.State.FAILED)


def test_a_finished_count_is_queued_again_only_by_counting_again(sub_body):
    poll = SecretPoll.objects.create(body=sub_body[0], purpose=SecretPoll.Purpose.PROJECT_BALLOT, title="票决",
                                     state=SecretPoll.State.TALLIED)
    ballot = Ballot.objects.create(poll=poll, year=2026, seats=1, tally_state=Ballot.TallyState.DONE)
    with pytest.raises(project_services.ProjectError):
        workflows.transition(ballot, Ballot.TallyState.QUEUED, field="tally_state", error=project_services.ProjectError)
    with pytest.raises(workflows.TransitionError):
        workflows.transition(ballot, Ballot.TallyState.FAILED, field="tally_state")
    assert workflows.update(Ballot.objects.filter(pk=ballot.pk), Ballot.TallyState.FAILED, field="tally_state") == 0
    ballot.refresh_from_db()
    assert ballot.tally_state == Ballot.TallyState.DONE
    workflows.transition(ballot, "count_again", field="tally_state")
    ballot.refresh_from_db()
    assert ballot.tally_state == Ballot.TallyState.QUEUED


def test_a_deliberation_opinion_is_closed_only_once_answered(meeting):
    opinion = DeliberationOpinion.objects.create(meeting=meeting, text="加快进度", unit="住建办",
                                                 due_date=datetime.date(2026, 9, 1))
    with pytest.raises(workflows.TransitionError):
        workflows.transition(opinion, DeliberationOpinion.Status.CLOSED)
    with pytest.raises(meeting_services.MeetingError):
        meeting_services.deliberation_opinion_close(opinion=opinion)
    meeting_services.deliberation_opinion_respond(opinion=opinion, response="已安排", on=datetime.date(2026, 8, 1))
    meeting_services.deliberation_opinion_close(opinion=opinion)
    with pytest.raises(workflows.TransitionError):
        workflows.transition(opinion, DeliberationOpinion.Status.ANSWERED)
    opinion.refresh_from_db()
    assert opinion.status == DeliberationOpinion.Status.CLOSED
