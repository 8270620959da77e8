import datetime

import pytest

from congress.models import CongressBody
from deputies.models import Mandate
from meetings import services
from meetings.models import Attendee, Meeting
from tests import factories


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
