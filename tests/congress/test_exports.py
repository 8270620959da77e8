"""No exported cell is a live formula (CSV injection, issue 10 section 6): text that begins with =, +, -, @, a tab
or a carriage return is prefixed with a quote, in congress/exports.py, which every export goes through."""

import csv
import datetime
import io
import re
from pathlib import Path

import openpyxl
import pytest

from congress.exports import FORMULA_STARTS, neutralise, restore
from congress.layers import LAYERS
from congress.models import SecretPoll
from deputies import services as ds
from deputies import suggestions
from tests import factories
from tests.meetings.conftest import Hall
from tests.projects.conftest import Election

pytestmark = pytest.mark.django_db
FORMULA = '=HYPERLINK("http://x","y")'


def xlsx_cells(content):
    book = openpyxl.load_workbook(io.BytesIO(content))
    return [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]


def assert_xlsx_safe(content):
    cells = xlsx_cells(content)
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    texts = [c.value for c in cells if isinstance(c.value, str)]
    assert "'" + FORMULA in texts
    assert not [t for t in texts if t.startswith(FORMULA_STARTS)]
    return cells


def csv_cells(content):
    text = content.decode("utf-8-sig")
    return [v for row in csv.reader(io.StringIO(text)) for v in row]


def assert_csv_safe(content):
    cells = csv_cells(content)
    assert "'" + FORMULA in cells
    assert not [v for v in cells if v.startswith(FORMULA_STARTS)]
    return cells


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1", FORMULA])
def test_formula_text_is_quoted(value):
    assert neutralise(value) == "'" + value
    assert restore(neutralise(value)) == value


@pytest.mark.parametrize("value", [-5, -1.5, 0, None, "", "a=b", "张三", "'already", datetime.date(2026, 1, 1)])
def test_numbers_and_plain_text_are_left_alone(value):
    assert neutralise(value) == value


def test_the_duty_record_xlsx(client):
    h = Hall(deputies=2, fixed=0)
    me = h.people[0]
    suggestions.suggestion_submit(body=h.body, lead=me, title=FORMULA, text="…", submitted_on=datetime.date(2026, 3, 1))
    client.force_login(factories.staff(h.body.division))
    resp = client.get(f"/staff/people/{me.pk}/record/?year=2026&format=xlsx")
    assert resp.status_code == 200
    cells = assert_xlsx_safe(resp.content)
    assert any(c.data_type == "n" and c.value == 1 for c in cells)  # the counts are still numbers
    user, _pw = ds.deputy_account_create(person=me)
    client.force_login(user)
    assert_xlsx_safe(client.get("/me/record/?year=2026&format=xlsx").content)


def test_the_audit_log_csv(client):
    h = Hall(deputies=1, fixed=0)
    s = suggestions.suggestion_submit(body=h.body, lead=h.people[0], title=FORMULA, text="…",
                                      submitted_on=datetime.date(2026, 3, 1))
    from congress.models import AuditLog, User

    ids = list(AuditLog.objects.filter(object_id=str(s.pk)).values_list("pk", flat=True))
    assert ids
    client.force_login(User.objects.create_superuser("root", password="x"))
    resp = client.post("/admin/congress/auditlog/", {"action": "export_audit_csv", "_selected_action": ids})
    assert resp.status_code == 200 and resp["Content-Type"].startswith("text/csv")
    assert_csv_safe(resp.content)


@pytest.fixture
def counted():
    e = Election(deputies=2, candidates=2).open()
    e.projects[0].__class__.objects.filter(pk=e.projects[0].pk).update(title=FORMULA)
    e.approve(e.people[0], 0)
    e.close_and_count()
    SecretPoll.objects.filter(pk=e.ballot.poll_id).update(state=SecretPoll.State.CERTIFIED)  # the result is public
    return e


def test_the_ballot_result_csv_and_xlsx(counted, client):
    resp = client.get(f"/ballots/{counted.ballot.pk}/result.csv")
    assert resp.status_code == 200
    assert_csv_safe(resp.content)
    resp = client.get(f"/ballots/{counted.ballot.pk}/result.xlsx")
    assert resp.status_code == 200
    cells = assert_xlsx_safe(resp.content)
    assert any(c.data_type == "n" for c in cells)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_roster_export_and_its_round_trip(sub_body, client, fmt):
    body, term = sub_body
    area = factories.community(parent=body.division)
    factories.seat(factories.PersonFactory(area=area, name=FORMULA, phone="+8613800000000"), term)
    client.force_login(factories.staff(body.division))
    resp = client.get(f"/staff/bodies/{body.pk}/roster.{fmt}?term={term.pk}")
    assert resp.status_code == 200
    cells = assert_csv_safe(resp.content) if fmt == "csv" else assert_xlsx_safe(resp.content)
    assert "'+8613800000000" in [c if isinstance(c, str) else c.value for c in cells]
    from deputies import roster

    # The import reads its own export back: the quote comes off, so the row is the same person (found by name,
    # birth date and area), who already holds a seat in this term, rather than a new person named "'=HYPERLINK…".
    parsed = roster.parse_roster(resp.content, f"roster.{fmt}", term)
    assert parsed.rows == [] and len(parsed.errors) == 1 and "一人一席" in parsed.errors[0][1][0]


def test_the_composition_export_goes_through_the_same_place(sub_body, client):
    body, term = sub_body
    client.force_login(factories.staff(body.division))
    for fmt in ("csv", "xlsx"):
        assert client.get(f"/staff/bodies/{body.pk}/composition.{fmt}?term={term.pk}").status_code == 200


def test_no_export_bypasses_congress_exports():
    """Every CSV/XLSX the apps write is made by congress.exports: no other module calls tablib's export, opens
    a csv writer or an openpyxl workbook."""
    root = Path(__file__).resolve().parents[2]
    offenders = []
    for app in LAYERS:
        for path in (root / app).rglob("*.py"):
            if path.name == "exports.py" and app == "congress" or "migrations" in path.parts:
                continue
            text = path.read_text(encoding="utf-8")
            if re.search(r"\.export\(|csv\.writer|csv\.DictWriter|openpyxl|import_export|xlsxwriter", text):
                offenders.append(str(path.relative_to(root)))
    assert offenders == []
