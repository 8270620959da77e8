"""A deputy's duty record (overview/selectors.py): what it gathers, who may read it, its XLSX."""

import datetime

import pytest
import tablib

from deputies import services as ds
from overview import selectors
from tests import factories
from tests.meetings.conftest import YEAR, busy_deputy

pytestmark = pytest.mark.django_db


def test_duty_record_gathers_everything(django_assert_max_num_queries):
    h, me = busy_deputy()
    with django_assert_max_num_queries(8):
        rec = selectors.duty_record(me, *YEAR)
    assert (rec.attended, rec.on_leave, rec.missed) == (1, 1, 0)
    assert len(rec.suggestions) == 2
    assert (rec.receptions, rec.residents_received) == (2, 20)
    assert rec.opinions == {"not_adopted": 1}
    assert rec.activities == {"training": 1} and rec.pre_meeting_inspections == 1
    nothing = selectors.duty_record(me, datetime.date(2020, 1, 1), datetime.date(2020, 12, 31))
    assert (nothing.attended, len(nothing.suggestions), nothing.residents_received) == (0, 0, 0)


def test_deputy_sees_own_record_staff_see_scope_and_export(client):
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
    assert book.sheets()[0].title == "汇总"  # the sheet of totals, not 会后总结 (a meeting's post-meeting stage)
    client.force_login(factories.staff(factories.district()))
    assert client.get(f"/staff/people/{me.pk}/record/").status_code == 404


def test_duty_record_shows_the_points_and_its_xlsx_carries_them(client):
    h, me = busy_deputy()
    rec = selectors.add_points(selectors.duty_record(me, *YEAR))
    assert [(b, r.total) for b, r in rec.points] == [(h.body, 12)] and rec.points_total == 12
    client.force_login(factories.staff(h.body.division))
    page = client.get(f"/staff/people/{me.pk}/record/?year=2026").content.decode()
    assert 'id="duty-points"' in page and ">12<" in page
    book = tablib.Databook().load(client.get(f"/staff/people/{me.pk}/record/?year=2026&format=xlsx").content,
                                  format="xlsx")
    summary = {row[0]: row[1] for row in book.sheets()[0]}
    assert summary[f"履职积分: {h.body.name}"] == 12
