import datetime

import pytest
import tablib

from deputies import opinions, suggestions
from deputies import services as ds
from deputies.models import OpinionCategory
from meetings import duty, services
from tests import factories
from tests.meetings.conftest import Hall

pytestmark = pytest.mark.django_db
YEAR = (datetime.date(2026, 1, 1), datetime.date(2026, 12, 31))


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
    station = opinions.station_create(kind="station", name="代表活动站", division=h.body.division, address="x",
                                      deputies=[me], reception_day=20, reception_months="even")
    opinions.reception_record(station=station, date=datetime.date(2026, 2, 20), on_duty=[me], residents=12)
    opinions.reception_record(station=station, date=datetime.date(2026, 4, 20), on_duty=[me], residents=8)
    op = opinions.opinion_receive(division=me.area, category=OpinionCategory.objects.first(), text="积水",
                                  channel="visit", taken_by=me)
    opinions.opinion_transition(opinion=op, to="not_adopted", reason="不属于职责", reply="已转交")
    suggestions.duty_activity_record(body=h.body, kind="training", date=datetime.date(2026, 5, 1), title="履职培训",
                                     participants=[me])
    return h, me


def test_duty_record_gathers_everything(hall, django_assert_max_num_queries):
    h, me = busy_deputy()
    with django_assert_max_num_queries(8):
        rec = duty.duty_record(me, *YEAR)
    assert (rec.attended, rec.on_leave, rec.missed) == (1, 1, 0)
    assert len(rec.suggestions) == 2
    assert (rec.receptions, rec.residents_received) == (2, 20)
    assert rec.opinions == {"not_adopted": 1}
    assert rec.activities == {"training": 1} and rec.pre_meeting_inspections == 1
    nothing = duty.duty_record(me, datetime.date(2020, 1, 1), datetime.date(2020, 12, 31))
    assert (nothing.attended, len(nothing.suggestions), nothing.residents_received) == (0, 0, 0)


def test_deputy_sees_own_record_staff_see_scope_and_export(hall, client):
    h, me = busy_deputy()
    user, _pw = ds.deputy_account_create(person=me)
    client.force_login(user)
    page = client.get("/me/record/?year=2026")
    assert page.status_code == 200 and 'id="residents">20<' in page.content.decode()
    assert client.get(f"/staff/people/{me.pk}/record/").status_code == 403
    client.force_login(factories.staff(h.body.division))
    resp = client.get(f"/staff/people/{me.pk}/record/?year=2026&format=xlsx")
    assert resp.status_code == 200
    book = tablib.Databook().load(resp.content, format="xlsx")
    summary = dict((row[0], row[1]) for row in book.sheets()[0])
    assert 20 in summary.values() and 2 in summary.values()
    client.force_login(factories.staff(factories.district()))
    assert client.get(f"/staff/people/{me.pk}/record/").status_code == 404
