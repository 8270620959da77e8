import datetime

import pytest

from congress.models import CongressBody
from deputies import liaison, suggestions
from deputies.models import Mandate, OpinionCategory
from meetings import services
from meetings.models import Attendee, Meeting
from tests import factories

YEAR = (datetime.date(2026, 1, 1), datetime.date(2026, 12, 31))


class Hall:
    """A district congress with seated deputies and fixed attendees, and a meeting of it."""

    def __init__(self, deputies=6, fixed=2, kind=Meeting.Kind.MIDYEAR_SESSION, date=datetime.date(2026, 7, 20)):
        dist = factories.district()
        self.body = factories.BodyFactory(kind=CongressBody.Kind.DISTRICT_CONGRESS, division=dist, seats=600)
        self.term = factories.TermFactory(body=self.body, start_date=datetime.date(2024, 1, 10))
        area = factories.community(parent=factories.subdistrict(parent=dist))
        self.people = [factories.PersonFactory(area=area) for _ in range(deputies)]
        for p in self.people:
            factories.seat(p, self.term, role=Mandate.Role.DEPUTY)
        self.fixed = [factories.PersonFactory() for _ in range(fixed)]
        for p in self.fixed:
            factories.seat(p, self.term, role=Mandate.Role.FIXED_ATTENDEE)
        self.meeting = services.meeting_create(body=self.body, kind=kind, title="年中人代会", date=date, place="会议中心")

    def attendee(self, person):
        return Attendee.objects.get(meeting=self.meeting, person=person)

    def present(self, *people):
        for p in people:
            services.attendee_set_status(attendee=self.attendee(p), status=Attendee.Status.PRESENT)

    def convene(self):
        self.meeting = services.meeting_transition(meeting=self.meeting, to=Meeting.State.CONVENING)
        return self


@pytest.fixture
def hall(db):
    return Hall


def busy_deputy():
    h = Hall(deputies=4, fixed=0)
    me = h.people[0]
    h.convene()
    h.present(me)
    services.inspection_add(meeting=h.meeting, date=datetime.date(2026, 7, 1), place="河段", findings="x",
                            participants=[me])
    other = services.meeting_create(body=h.body, kind="special_report", title="专项工作报告会",
                                    date=datetime.date(2026, 9, 1), place="x")
    services.attendee_set_status(attendee=other.attendees.get(person=me), status="leave", reason="病假")
    services.meeting_transition(meeting=other, to="convening")
    suggestions.suggestion_submit(body=h.body, lead=me, title="增设公交站", text="…", submitted_on=datetime.date(2026, 3, 1))
    suggestions.suggestion_submit(body=h.body, lead=h.people[1], co_authors=[me], title="修路", text="…",
                                  submitted_on=datetime.date(2026, 4, 1))
    station = liaison.station_create(kind="station", name="代表活动站", division=h.body.division, address="x",
                                      deputies=[me], reception_day=20, reception_months="even")
    liaison.reception_record(station=station, date=datetime.date(2026, 2, 20), on_duty=[me], residents=12)
    liaison.reception_record(station=station, date=datetime.date(2026, 4, 20), on_duty=[me], residents=8)
    op = liaison.opinion_receive(division=me.area, category=OpinionCategory.objects.first(), text="积水",
                                  channel="visit", taken_by=me)
    liaison.opinion_transition(opinion=op, to="not_adopted", reason="不属于职责", reply="已转交")
    suggestions.duty_activity_record(body=h.body, kind="training", date=datetime.date(2026, 5, 1), title="履职培训",
                                     participants=[me])
    return h, me
