"""Duty points (履职积分, issue 15): reported activities approved by staff, counted records, per-body points,
the quarterly table (the duty record's points: tests/overview/test_duty.py)."""

import datetime
import io

import pytest
import tablib
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from deputies import points as services
from deputies import services as ds
from deputies.models import DutyReport, PointRule
from meetings import selectors
from tests import factories
from tests.meetings.conftest import YEAR, busy_deputy

pytestmark = pytest.mark.django_db
D = datetime.date
MAY = D(2026, 5, 6)


def _report(h, me, kind="inspection", date=MAY, **kw):
    return services.duty_report_submit(person=me, body=h.body, kind=kind, date=date, description="视察河道", **kw)


def _png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buf, "PNG")
    return buf.getvalue()


def test_counted_records_earn_the_default_points(hall):
    h, me = busy_deputy()
    row = selectors.person_points(me, h.body, *YEAR)
    # 1 meeting attended (the other on leave), 2 suggestions (one as co-author), 2 reception days on duty
    assert (row.counts["meeting"], row.counts["suggestion"], row.counts["station_duty"]) == (1, 2, 2)
    assert row.total == 1 * 2 + 2 * 3 + 2 * 2


def test_only_approved_reports_count_with_the_bodys_points(hall):
    h, me = busy_deputy()
    base = selectors.person_points(me, h.body, *YEAR).total
    approved, rejected, _pending = _report(h, me), _report(h, me, "research"), _report(h, me, "outreach")
    services.duty_reports_decide(approve=[approved], reject={rejected: "无佐证材料"})
    assert selectors.person_points(me, h.body, *YEAR).total == base + 3
    services.point_rules_set(body=h.body, points={"inspection": 10, "meeting": 0})
    assert selectors.person_points(me, h.body, *YEAR).total == base + 10 - 2
    other_body = factories.BodyFactory(seats=50)
    services.point_rules_set(body=other_body, points={"inspection": 1})  # another body's rule changes nothing here
    assert selectors.person_points(me, h.body, *YEAR).total == base + 10 - 2


def test_batch_rejection_needs_every_reason_and_writes_nothing_otherwise(hall):
    h, me = busy_deputy()
    a, b, c = _report(h, me), _report(h, me, "training"), _report(h, me, "reception")
    with pytest.raises(ValidationError) as exc:
        services.duty_reports_decide(approve=[a], reject={b: "重复申报", c: " "})
    assert len(exc.value.messages) == 1
    assert set(DutyReport.objects.values_list("state", flat=True)) == {"pending"}
    with pytest.raises(ValidationError):
        services.duty_reports_decide(approve=[a], reject={a: "x"})
    assert services.duty_reports_decide(approve=[a], reject={b: "重复申报", c: "无照片"}) == 3
    assert services.duty_reports_decide(approve=[b]) == 0  # decided once
    b.refresh_from_db()
    assert (b.state, b.reject_reason) == ("rejected", "重复申报")


def test_report_rules(hall):
    h, me = busy_deputy()
    with pytest.raises(ValidationError):
        _report(h, me, date=timezone.localdate() + datetime.timedelta(days=1))
    with pytest.raises(ValidationError):  # meetings count by themselves
        _report(h, me, kind="meeting")
    with pytest.raises(ValidationError):
        services.duty_report_submit(person=factories.PersonFactory(), body=h.body, kind="inspection",
                                    date=D(2026, 5, 6), description="x")


def test_database_constraints(hall):
    h, me = busy_deputy()
    r = _report(h, me)
    with pytest.raises(IntegrityError), transaction.atomic():
        DutyReport.objects.filter(pk=r.pk).update(state="rejected", reject_reason="")
    with pytest.raises(IntegrityError), transaction.atomic():
        DutyReport.objects.filter(pk=r.pk).update(state="approved")  # no decision time
    with pytest.raises(IntegrityError), transaction.atomic():
        DutyReport.objects.filter(pk=r.pk).update(kind="meeting")
    PointRule.objects.create(body=h.body, kind="inspection", points=4)
    with pytest.raises(IntegrityError), transaction.atomic():
        PointRule.objects.create(body=h.body, kind="inspection", points=5)
    with pytest.raises(IntegrityError), transaction.atomic():
        PointRule.objects.create(body=h.body, kind="training", points=101)
    with pytest.raises(ValidationError):
        services.point_rules_set(body=h.body, points={"training": 101})


def test_quarters_split_at_their_boundaries(hall):
    h, me = busy_deputy()
    q1_end, q2_start = _report(h, me, date=D(2026, 3, 31)), _report(h, me, date=D(2026, 4, 1))
    services.duty_reports_decide(approve=[q1_end, q2_start])
    assert selectors.quarter_range(2026, 1) == (D(2026, 1, 1), D(2026, 3, 31))
    assert selectors.quarter_range(2026, 4) == (D(2026, 10, 1), D(2026, 12, 31))
    q1 = {r.person: r for r in selectors.quarterly_table(h.body, 2026, 1)}
    q2 = {r.person: r for r in selectors.quarterly_table(h.body, 2026, 2)}
    assert q1[me].counts["inspection"] == 1 and q2[me].counts["inspection"] == 1
    assert q1[me].counts["suggestion"] == 1 and q2[me].counts["suggestion"] == 1
    assert len(q1) == 4 and selectors.quarterly_table(h.body, 2026, 1)[0].person == me  # highest first


def test_deputy_reports_from_the_phone_and_staff_decide_the_batch_over_http(hall, client):
    h, me = busy_deputy()
    user, _pw = ds.deputy_account_create(person=me)
    client.force_login(user)
    bad = SimpleUploadedFile("x.jpg", b"<html><script>alert(1)</script>", content_type="image/jpeg")
    resp = client.post("/me/points/", {"body": h.body.pk, "kind": "inspection", "date": "2026-05-06",
                                       "description": "视察", "photo": bad})
    assert resp.status_code == 422 and not DutyReport.objects.exists()
    photo = SimpleUploadedFile("site.png", _png(), content_type="image/png")
    resp = client.post("/me/points/", {"body": h.body.pk, "kind": "inspection", "date": "2026-05-06",
                                       "description": "视察", "photo": photo})
    assert resp.status_code == 302
    client.post("/me/points/", {"body": h.body.pk, "kind": "training", "date": "2026-05-07", "description": "培训"})
    a, b = DutyReport.objects.order_by("pk")
    assert client.get(f"/me/points/{a.pk}/photo/")["Content-Type"] == "image/png"
    assert client.get("/staff/points/").status_code == 403
    staff = factories.staff(h.body.division)
    client.force_login(staff)
    assert client.get(f"/staff/points/{a.pk}/photo/").status_code == 200
    assert client.post("/staff/points/", {f"d{a.pk}": "approve", f"d{b.pk}": "reject"}).status_code == 422
    assert client.post("/staff/points/", {f"d{a.pk}": "approve", f"d{b.pk}": "reject",
                                          f"reason{b.pk}": "无签到记录"}).status_code == 302
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.state, a.decided_by, b.state) == ("approved", staff, "rejected")
    client.force_login(factories.staff(factories.district()))
    assert client.get(f"/staff/points/{a.pk}/photo/").status_code == 404
    assert "视察" not in client.get("/staff/points/").content.decode()


def test_a_refused_batch_keeps_every_decision_and_reason_typed(hall, client):
    h, me = busy_deputy()
    a, b, c = (_report(h, me, kind=k) for k in ("inspection", "training", "outreach"))
    client.force_login(factories.staff(h.body.division))
    resp = client.post("/staff/points/", {f"d{a.pk}": "approve", f"d{b.pk}": "reject", f"reason{b.pk}": "",
                                          f"d{c.pk}": "reject", f"reason{c.pk}": "无签到记录"})
    assert resp.status_code == 422 and DutyReport.objects.filter(state="pending").count() == 3
    page = resp.content.decode()
    assert '<option value="approve" selected>' in page.split(f'name="d{a.pk}"')[1].split("</select>")[0]
    assert '<option value="reject" selected>' in page.split(f'name="d{b.pk}"')[1].split("</select>")[0]
    assert '<option value="reject" selected>' in page.split(f'name="d{c.pk}"')[1].split("</select>")[0]
    assert 'value="无签到记录"' in page.split(f'name="reason{c.pk}"')[1].split(">")[0]


def test_staff_set_the_points_of_their_body(hall, client):
    h, _me = busy_deputy()
    client.force_login(factories.staff(h.body.division))
    form = {k: 1 for k in selectors.KINDS}
    assert client.post(f"/staff/bodies/{h.body.pk}/points/", {**form, "inspection": 101}).status_code == 422
    assert client.post(f"/staff/bodies/{h.body.pk}/points/", {**form, "inspection": 7}).status_code == 302
    assert services.rules_of(h.body)["inspection"] == 7
    client.force_login(factories.staff(factories.district()))
    assert client.get(f"/staff/bodies/{h.body.pk}/points/").status_code == 404


def test_quarterly_table_published_to_the_bodys_staff_and_deputies(hall, client):
    h, me = busy_deputy()
    url = f"/points/{h.body.pk}/2026/q3/"
    assert client.get(url).status_code == 302
    user, _pw = ds.deputy_account_create(person=h.people[1])
    client.force_login(user)
    page = client.get(url)
    assert page.status_code == 200 and me.name in page.content.decode()
    assert client.get(f"/points/{h.body.pk}/2026/q5/").status_code == 404
    stranger = factories.PersonFactory()
    stranger_user, _pw = ds.deputy_account_create(person=stranger)
    client.force_login(stranger_user)
    assert client.get(url).status_code == 404
    client.force_login(factories.staff(h.body.division))
    book = tablib.Dataset().load(client.get(url + "?format=xlsx").content, format="xlsx")
    totals = {row[0]: row[-1] for row in book}
    assert totals[me.name] == 2  # the meeting of 20 July
    client.force_login(factories.staff(factories.district()))
    assert client.get(url).status_code == 404
