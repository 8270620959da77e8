"""Meeting notices and reminders by e-mail, sent once each (the meeting records when)."""

import datetime

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from meetings.models import Meeting


def _recipients(meeting: Meeting) -> list[str]:
    return sorted({a.person.user.email for a in meeting.attendees.select_related("person__user")
                   if a.person.user_id and a.person.user.email})


def _send(meeting: Meeting, template: str) -> int:
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string(f"meetings/email/{template}_subject.txt", {"meeting": meeting}).strip()
        body = render_to_string(f"meetings/email/{template}.txt", {"meeting": meeting})
    recipients = _recipients(meeting)
    # one message per deputy: nobody sees the others' addresses
    return send_mass_mail([(subject, body, None, [r]) for r in recipients], fail_silently=False)


def send_notice(*, meeting_id: int) -> int:
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting_id)
        if meeting.notice_sent_at:
            return 0
        sent = _send(meeting, "notice")
        meeting.notice_sent_at = timezone.now()
        meeting.save(update_fields=["notice_sent_at"])
    return sent


def send_reminders(*, today: datetime.date) -> int:
    sent = 0
    for pk in Meeting.objects.filter(date=today + datetime.timedelta(days=1), reminder_sent_at__isnull=True,
                                     state__in=[Meeting.State.PREPARATION]).values_list("pk", flat=True):
        with transaction.atomic():
            meeting = Meeting.objects.select_for_update().get(pk=pk)
            if meeting.reminder_sent_at:
                continue
            sent += _send(meeting, "reminder")
            meeting.reminder_sent_at = timezone.now()
            meeting.save(update_fields=["reminder_sent_at"])
    return sent
