"""Meetings of the demo district: a past mid-year meeting with its survey report, and a convened one with a survey open."""

import datetime
import logging

from django.utils import timezone

from congress import polls
from meetings import reports, services
from meetings.models import AgendaItem, Attendee, Meeting, Report
from projects.demo import DEMO_SCRUTINEERS


def seed(congress: dict, deputies: dict, projects: dict) -> dict:
    body = congress["bodies"]["district"]
    today = timezone.localdate()
    people_present = set()

    def convene(meeting, share):
        attendees = list(meeting.attendees.filter(voting=True).order_by("person_id"))
        for i, a in enumerate(attendees):
            if i < int(len(attendees) * share):
                Attendee.objects.filter(pk=a.pk).update(status=Attendee.Status.PRESENT)
                people_present.add(a.person_id)
            elif i % 17 == 0:
                services.attendee_set_status(attendee=a, status=Attendee.Status.LEAVE, reason="因公出差")
        return services.meeting_transition(meeting=meeting, to=Meeting.State.CONVENING)

    # last year's mid-year meeting, scored and reported
    past = services.meeting_create(body=body, kind=Meeting.Kind.MIDYEAR_SESSION, title=f"示范区{today.year - 1}年年中人代会",
                                   date=datetime.date(today.year - 1, 7, 20), place="区人大会议中心")
    services.agenda_add(meeting=past, kind=AgendaItem.Kind.WORK_REPORT, title="区政府上半年工作情况报告",
                        reporter="区长", reporting_unit="区人民政府")
    item = services.agenda_add(meeting=past, kind=AgendaItem.Kind.SPECIAL_REPORT, title="河长制工作情况报告",
                               reporter="副区长", reporting_unit="区水利局")
    past = convene(past, 0.8)

    survey = services.survey_create(meeting=past, subject="河长制工作", item=item)
    survey = services.survey_open(survey=survey, scrutineers=DEMO_SCRUTINEERS, threshold=2)
    past_cards = [c.text for c in survey.poll.share_cards]
    voters = list(survey.poll.electors.select_related("person").order_by("person_id"))
    for i, e in enumerate(voters):
        services.survey_respond(survey=survey, person=e.person, value=[72, 85, 91, 88, 64, 95, 80][i % 7])

    polls.poll_close(poll=survey.poll)
    polls.poll_unseal(poll=survey.poll, shares=past_cards[:2], check=services.survey_rules_check(survey))
    polls.poll_mark_tallied(survey.poll.__class__.objects.get(pk=survey.poll_id))
    report = Report.objects.create(meeting=past, kind=Report.Kind.SURVEY, survey=survey)
    _stats, html = reports.survey_report_for(survey.pk)
    try:
        pdf = reports.pdf_from_html(html)
    except OSError:  # WeasyPrint's system libraries are missing: keep the HTML, say how to get PDFs

        logging.getLogger(__name__).warning("PDFs need pango: apt-get install libpango-1.0-0 libpangoft2-1.0-0")
        pdf = None
    services.report_store(report_id=report.pk, html=html, pdf_bytes=pdf, checksum=reports.checksum(html))
    services.deliberation_opinion_send(meeting=past, text="加强中小河流日常巡查，公开河长联系方式", unit="区水利局",
                          due_date=datetime.date(today.year - 1, 10, 31), item=item)
    services.meeting_transition(meeting=past, to=Meeting.State.SUMMARY)

    # this year's mid-year meeting, convening, with the same subject open for scoring
    current = services.meeting_create(body=body, kind=Meeting.Kind.MIDYEAR_SESSION, title=f"示范区{today.year}年年中人代会",
                                      date=today, place="区人大会议中心")
    services.agenda_add(meeting=current, kind=AgendaItem.Kind.WORK_REPORT, title="区政府上半年工作情况报告",
                        reporter="区长", reporting_unit="区人民政府")
    item = services.agenda_add(meeting=current, kind=AgendaItem.Kind.SPECIAL_REPORT, title="河长制工作情况报告",
                               reporter="副区长", reporting_unit="区水利局")
    services.agenda_add(meeting=current, kind=AgendaItem.Kind.INQUIRY, title="专题询问：城市内涝治理")
    current = convene(current, 0.75)
    demo_deputy = deputies["demo_deputy"]
    Attendee.objects.filter(meeting=current, person=demo_deputy).update(status=Attendee.Status.PRESENT)
    survey = services.survey_create(meeting=current, subject="河长制工作", item=item)
    survey = services.survey_open(survey=survey, scrutineers=DEMO_SCRUTINEERS, threshold=2)
    return {"past": past, "current": current, "survey": survey, "cards": survey.poll.share_cards}
