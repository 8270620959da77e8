import io

import pytest
import tablib

from deputies.models import Mandate, Person
from tests import factories

pytestmark = pytest.mark.django_db

HEADER = ["姓名", "性别", "出生日期", "民族", "国籍", "学历", "职业界别", "政治面貌", "电话", "社区工作者",
          "所在区划代码", "居住或工作起始日期", "身份", "任职日期"]


def row(area, name="张三", **over):
    data = {
        "name": name, "gender": "女", "dob": "1985-03-02", "eth": "汉族", "nat": "CN", "edu": "bachelor",
        "sector": "resident", "aff": "masses", "phone": "13900000000", "cw": "是", "code": area.code,
        "since": "2015-01-01", "role": "deliberation_deputy", "start": "2024-02-01",
    }
    data.update(over)
    return list(data.values())


def csv_bytes(rows, header=HEADER):
    ds = tablib.Dataset(headers=header)
    for r in rows:
        ds.append(r)
    return ("\ufeff" + ds.export("csv")).encode()


def xlsx_bytes(rows, header=HEADER):
    ds = tablib.Dataset(headers=header)
    for r in rows:
        ds.append(r)
    return ds.export("xlsx")


@pytest.fixture
def staff_client(client, sub_body):
    body, term = sub_body
    client.force_login(factories.staff(body.division.parent))
    return client


def upload(client, body, term, content, name):
    f = io.BytesIO(content)
    f.name = name
    return client.post(f"/staff/bodies/{body.pk}/import/", {"term": term.pk, "file": f})


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_good_file_previews_then_imports(staff_client, sub_body, fmt):
    body, term = sub_body
    area = factories.community(parent=body.division)
    rows = [row(area, name=f"居民{i}") for i in range(3)]
    content = csv_bytes(rows) if fmt == "csv" else xlsx_bytes(rows)
    resp = upload(staff_client, body, term, content, f"roster.{fmt}")
    assert resp.status_code == 200
    assert "居民2" in resp.content.decode()
    assert Mandate.objects.count() == 0  # preview writes nothing
    payload = resp.context["confirm_form"].initial["payload"]
    resp = staff_client.post(f"/staff/bodies/{body.pk}/import/", {"payload": payload})
    assert resp.status_code == 302
    assert Mandate.objects.filter(term=term).count() == 3
    assert Person.objects.get(name="居民1").is_community_worker is True


def test_bad_rows_import_nothing_and_every_bad_row_is_listed(staff_client, sub_body):
    body, term = sub_body
    area = factories.community(parent=body.division)
    outside = factories.community()
    rows = [
        row(area, name="好人"),
        row(area, name="外籍", nat="US"),
        row(area, name="少年", dob="2010-01-01", since="2012-01-01"),
        row(area, name="新来", since="2023-12-01"),
        row(outside, name="外区"),
        row(area, name="", gender="未知"),
        row(area, name="好人"),  # duplicate of line 2
        row(area, name="无区", code="999999999999"),
    ]
    resp = upload(staff_client, body, term, csv_bytes(rows), "roster.csv")
    assert resp.status_code == 422
    parsed = resp.context["parsed"]
    bad_lines = [line for line, _msgs in parsed.errors]
    assert bad_lines == [3, 4, 5, 6, 7, 8, 9]
    text = resp.content.decode()
    assert resp.context.get("confirm_form") is None
    assert Mandate.objects.count() == 0 and not Person.objects.filter(name="好人").exists()
    messages = dict(parsed.errors)
    assert "国籍" in messages[3][0] or "nationality" in messages[3][0]
    assert "18" in messages[4][0]
    assert "2023-12-01" in messages[5][0]
    assert "第7行" in text or "Row 7" in text


def test_english_headers_and_labels_are_accepted(staff_client, sub_body):
    body, term = sub_body
    area = factories.community(parent=body.division)
    header = ["Name", "Gender", "Date of birth", "Ethnicity", "Nationality", "Education", "Occupation sector",
              "Political affiliation", "Phone", "Community worker", "Area code", "In the area since", "Role", "Start date"]
    r = row(area, gender="Female", edu="Bachelor's degree", role="Deliberation deputy", cw="no", dob="1985/3/2")
    resp = upload(staff_client, body, term, csv_bytes([r], header), "roster.csv")
    assert resp.status_code == 200, resp.context["parsed"].errors
    assert resp.context["parsed"].rows[0].person_fields["gender"] == "F"


def test_seat_limit_counts_the_whole_file(staff_client, sub_body):
    body, term = sub_body
    from congress import services as cs

    cs.body_update(body=body, seats=2)
    area = factories.community(parent=body.division)
    resp = upload(staff_client, body, term, csv_bytes([row(area, name=f"人{i}") for i in range(3)]), "r.csv")
    assert resp.status_code == 422
    assert any("2" in e for e in resp.context["parsed"].file_errors)
    assert Mandate.objects.count() == 0


def test_missing_columns_and_garbage_files(staff_client, sub_body):
    body, term = sub_body
    resp = upload(staff_client, body, term, csv_bytes([["x"]], header=["姓名"]), "r.csv")
    assert resp.status_code == 422 and resp.context["parsed"].file_errors
    resp = upload(staff_client, body, term, b"\x00\x01garbage", "r.xlsx")  # refused on its content, unread
    assert resp.status_code == 422 and resp.context["form"].errors["file"]
    resp = upload(staff_client, body, term, b"a,b", "r.txt")
    assert resp.status_code == 422
    assert Mandate.objects.count() == 0


def test_tampered_or_stale_preview_is_refused(staff_client, sub_body):
    body, term = sub_body
    resp = staff_client.post(f"/staff/bodies/{body.pk}/import/", {"payload": "forged:payload"})
    assert resp.status_code == 400 and Mandate.objects.count() == 0
    assert any("expired" in str(m) or "过期" in str(m) for m in resp.context["messages"])


def test_confirm_rechecks_rules(staff_client, sub_body):
    """A person seated between preview and confirm makes the confirm fail whole."""
    body, term = sub_body
    area = factories.community(parent=body.division)
    resp = upload(staff_client, body, term, csv_bytes([row(area, name="甲"), row(area, name="乙")]), "r.csv")
    payload = resp.context["confirm_form"].initial["payload"]
    import datetime

    p = factories.PersonFactory(name="乙", date_of_birth=datetime.date(1985, 3, 2), area=area,
                                in_area_since=datetime.date(2015, 1, 1))
    factories.seat(p, term)
    staff_client.post(f"/staff/bodies/{body.pk}/import/", {"payload": payload})
    assert Mandate.objects.filter(term=term).count() == 1
    assert not Person.objects.filter(name="甲").exists()


def test_export_round_trips_through_import(staff_client, sub_body):
    body, term = sub_body
    area = factories.community(parent=body.division)
    for i in range(3):
        factories.seat(factories.PersonFactory(area=area, name=f"导出{i}"), term)
    resp = staff_client.get(f"/staff/bodies/{body.pk}/roster.xlsx?term={term.pk}")
    assert resp.status_code == 200
    ds = tablib.Dataset().load(resp.content, format="xlsx")
    assert len(ds) == 3 and ds.headers[0] == "姓名"
    # a new term: the same file seats the same people again
    from congress import services as cs

    term2 = cs.term_create(body=body, number=2, start_date=term.end_date + datetime_delta())
    resp = upload(staff_client, body, term2, resp.content, "roster.xlsx")
    # start dates from the old term fall outside the new one: reported, not imported
    assert resp.status_code == 422


def datetime_delta():
    import datetime

    return datetime.timedelta(days=1)


def test_a_row_without_a_start_date_starts_on_todays_date_in_beijing(staff_client, sub_body, beijing_early_morning):
    body, term = sub_body  # the term started on 2024-01-10; at 07:30 in Beijing it is already `on_date` there
    area = factories.community(parent=body.division)
    resp = upload(staff_client, body, term, csv_bytes([row(area, start="")]), "roster.csv")
    assert resp.status_code == 200
    staff_client.post(f"/staff/bodies/{body.pk}/import/", {"payload": resp.context["confirm_form"].initial["payload"]})
    assert Mandate.objects.get(term=term).start_date == beijing_early_morning
