"""Every write about meetings: the meeting and its stages, attendance, agenda, groups, opinions, surveys, reports.

By sub-domain: the meeting, its agenda and an item's ballot (meetings.py); attendance, quorum and signing in
(attendance.py); inspections, gathered opinions, groups, speeches, inquiries and deliberation opinions
(deliberation.py); satisfaction surveys (surveys.py); the built reports' jobs (report_jobs.py); the refusal they
all raise (errors.py). Callers use `from meetings import services` and the names below.
"""

from meetings.services.attendance import attendee_request_leave, attendee_set_status, attendee_sign_in_with_code, quorum
from meetings.services.deliberation import (
    deliberation_opinion_close,
    deliberation_opinion_respond,
    deliberation_opinion_send,
    deliberation_opinions_flag_overdue,
    deliberation_opinions_gather,
    group_create,
    inquiry_add,
    inspection_add,
    speech_add,
)
from meetings.services.errors import MeetingError
from meetings.services.meetings import (
    CODE_ALPHABET,
    agenda_add,
    meeting_create,
    meeting_open_ballot,
    meeting_transition,
    new_sign_in_code,
)
from meetings.services.report_jobs import report_fail, report_progress, report_rebuild, report_request, report_store
from meetings.services.surveys import (
    YEAR_END_STATES,
    rated_positions,
    ratings_contents,
    survey_close,
    survey_contents,
    survey_create,
    survey_enter_paper,
    survey_open,
    survey_respond,
    survey_rules_check,
    survey_unseal,
    survey_verification_bundle,
    survey_void,
    surveys_due_to_close,
    vote_record_exists,
    year_end_evaluation_create,
)

__all__ = [
    "CODE_ALPHABET", "MeetingError", "YEAR_END_STATES", "agenda_add", "attendee_request_leave", "attendee_set_status",
    "attendee_sign_in_with_code", "deliberation_opinion_close", "deliberation_opinion_respond",
    "deliberation_opinion_send", "deliberation_opinions_flag_overdue", "deliberation_opinions_gather", "group_create",
    "inquiry_add", "inspection_add", "meeting_create", "meeting_open_ballot", "meeting_transition",
    "new_sign_in_code", "quorum", "rated_positions", "ratings_contents", "report_fail", "report_progress",
    "report_rebuild", "report_request", "report_store", "speech_add", "survey_close", "survey_contents",
    "survey_create", "survey_enter_paper", "survey_open", "survey_respond", "survey_rules_check", "survey_unseal",
    "survey_verification_bundle", "survey_void", "surveys_due_to_close", "vote_record_exists",
    "year_end_evaluation_create",
]
