"""Attendance and quorum: who is present, on leave or gone; leave asked by a deputy; signing in at the door."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from congress import polls
from congress.services import audit_record
from meetings import hall
from meetings.models import Attendee, Meeting
from meetings.services.errors import MeetingError


def quorum(meeting: Meeting) -> polls.Quorum:
    from django.db.models import Count, Q

    counts = meeting.attendees.filter(voting=True).aggregate(
        members=Count("pk"), present=Count("pk", filter=Q(status=Attendee.Status.PRESENT)))
    return polls.Quorum(members=counts["members"], present=counts["present"])


def _require_attendance_open(meeting: Meeting) -> None:
    if not meeting.before_summary:
        raise MeetingError(_("Attendance can be recorded only before and during the meeting."))


@transaction.atomic
def attendee_set_status(*, attendee: Attendee, status: str, reason: str = "", acting_user=None) -> Attendee:
    attendee = Attendee.objects.select_for_update().select_related("meeting__body__division").get(pk=attendee.pk)
    _require_attendance_open(attendee.meeting)
    if status == Attendee.Status.LEAVE and not reason.strip():
        raise MeetingError(_("Give the reason for the leave."))
    if status == Attendee.Status.LEFT and attendee.status != Attendee.Status.PRESENT:
        raise MeetingError(_("Only a deputy who is present can be marked as having left."))
    before = attendee.status
    attendee.status = status
    attendee.leave_reason = reason.strip() if status == Attendee.Status.LEAVE else ""
    attendee.save(update_fields=["status", "leave_reason"])
    audit_record(actor=acting_user, action="meeting.attendance", obj=attendee.meeting,
                 division=attendee.meeting.body.division,
                 before={"person": attendee.person_id, "status": before}, after={"status": status})
    hall.attendance_changed(attendee, before)
    return attendee


@transaction.atomic
def attendee_request_leave(*, meeting: Meeting, person, reason: str) -> Attendee:
    """A deputy asks for leave from a meeting, with the reason."""
    meeting = Meeting.objects.get(pk=meeting.pk)
    _require_attendance_open(meeting)
    attendee = Attendee.objects.select_for_update().filter(meeting=meeting, person=person).first()
    if attendee is None:
        raise MeetingError(_("You are not expected at this meeting."))
    if attendee.status == Attendee.Status.PRESENT:
        raise MeetingError(_("You have signed in to this meeting already."))
    if not reason.strip():
        raise MeetingError(_("Give the reason for the leave."))
    before = attendee.status
    attendee.status, attendee.leave_reason = Attendee.Status.LEAVE, reason.strip()[:200]
    attendee.save(update_fields=["status", "leave_reason"])
    hall.attendance_changed(attendee, before)
    return attendee


@transaction.atomic
def attendee_sign_in_with_code(*, meeting: Meeting, person, code: str) -> Attendee:
    """A deputy signs themselves in with the one-time code from the sign-in sheet or its QR code."""
    meeting = Meeting.objects.get(pk=meeting.pk)
    _require_attendance_open(meeting)
    attendee = Attendee.objects.select_for_update().filter(meeting=meeting, person=person).first()
    if attendee is None:
        raise MeetingError(_("You are not expected at this meeting."))
    if attendee.sign_in_code != code.strip().upper():
        raise MeetingError(_("This sign-in code is not yours. Check the code next to your name on the sign-in sheet."))
    if attendee.status == Attendee.Status.PRESENT:
        raise MeetingError(_("You have signed in to this meeting already: a sign-in code is used once."))
    if attendee.status == Attendee.Status.LEFT:
        raise MeetingError(_("You signed in earlier and left the hall: ask the staff at the door to record your "
                             "return."))
    before = attendee.status
    attendee.status = Attendee.Status.PRESENT
    attendee.leave_reason = ""
    attendee.save(update_fields=["status", "leave_reason"])
    hall.attendance_changed(attendee, before)
    return attendee
