"""Uploads are checked by their content; stored files go out only through views that check permission, never as
HTML, and in production the web server sends the bytes (issue 10, section 5)."""

import datetime
import io
import re
import zipfile
from pathlib import Path
from urllib.parse import quote

import pytest
import tablib
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.urls import Resolver404, resolve
from django.utils import timezone
from PIL import Image

from congress.files import ATTACHMENT_KINDS, ROSTER_KINDS, FileKindValidator, detect, file_response
from deputies import services as ds
from meetings import services as ms
from meetings.models import Report
from projects import services as ps
from projects.models import ProgressReport, Project
from tests import factories
from tests.projects.conftest import make_candidates

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
HTML = b"<!DOCTYPE html><html><body><script>fetch('/admin/').then(r => r.text())</script></body></html>"
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>'
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


def image(fmt):
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(out, format=fmt)
    return out.getvalue()


def docx():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("_rels/.rels", "<Relationships/>")
        z.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


def xlsx():
    d = tablib.Dataset(headers=["a"])
    d.append(["b"])
    return d.export("xlsx")


def upload(name, content):
    return SimpleUploadedFile(name, content, content_type="application/pdf")  # what the browser says is not read


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.FILES_SENDFILE = ""


# --- what comes in -----------------------------------------------------------------------

@pytest.mark.parametrize("name,content", [
    ("报告.pdf", PDF), ("现场.jpg", image("JPEG")), ("现场.JPEG", image("JPEG")), ("a.png", image("PNG")),
    ("a.webp", image("WEBP")), ("a.gif", image("GIF")), ("方案.docx", docx()), ("台账.xlsx", xlsx()),
])
def test_attachment_kinds_are_accepted(name, content):
    FileKindValidator(*ATTACHMENT_KINDS)(upload(name, content))


@pytest.mark.parametrize("name,content,code", [
    ("page.html", HTML, "file_kind"),
    ("page.pdf", HTML, "file_kind"),  # an HTML page renamed .pdf
    ("logo.svg", SVG, "file_kind"),
    ("logo.png", SVG, "file_kind"),
    ("setup.exe", EXE, "file_kind"),
    ("setup.pdf", EXE, "file_kind"),
    ("notes.txt", b"hello", "file_kind"),  # text is no attachment kind
    ("photo.pdf", image("PNG"), "file_extension"),  # the name disagrees with the content
    ("report.docx", PDF, "file_extension"),
    ("fake.docx", b"PK\x03\x04" + b"\x14\x00" * 13 + b"word/x" + b"\x00" * 64, "file_kind"),  # not a real archive
])
def test_other_files_are_refused_whatever_their_name(name, content, code):
    with pytest.raises(ValidationError) as exc:
        FileKindValidator(*ATTACHMENT_KINDS)(upload(name, content))
    assert exc.value.code == code


def test_roster_accepts_xlsx_and_plain_csv_only():
    check = FileKindValidator(*ROSTER_KINDS)
    check(upload("名单.csv", "\ufeff姓名,性别\n张三,男\n".encode()))
    check(upload("名单.csv", "姓名,性别\n张三,男\n".encode("gb18030")))
    check(upload("名单.xlsx", xlsx()))
    for name, content in (("名单.csv", HTML), ("名单.csv", b"a,b\n<script>alert(1)</script>\n"),
                          ("名单.csv", SVG), ("名单.csv", b"a\x00b"), ("名单.xlsx", b"a,b\n"), ("名单.pdf", PDF)):
        with pytest.raises(ValidationError):
            check(upload(name, content))


@pytest.fixture
def project(db):
    body = factories.BodyFactory(seats=80)
    factories.TermFactory(body=body)
    p = make_candidates(body, 1)[0]
    Project.objects.filter(pk=p.pk).update(state=Project.State.IMPLEMENTATION)
    p.refresh_from_db()
    staff = factories.staff(body.division)
    return p, staff


def post_progress(client, project, name, content):
    f = io.BytesIO(content)
    f.name = name
    return client.post(f"/staff/projects/{project.pk}/progress/",
                       {"date": "2027-04-02", "percent": "40", "text": "已开工", "attachment": f})


@pytest.mark.parametrize("name,content", [("page.html", HTML), ("page.pdf", HTML), ("logo.svg", SVG),
                                          ("setup.exe", EXE)])
def test_an_html_upload_is_refused_with_a_message_and_nothing_is_saved(project, client, settings, name, content):
    p, staff = project
    client.force_login(staff)
    resp = post_progress(client, p, name, content)
    assert resp.status_code == 422
    shown = [str(m) for m in resp.context["messages"]]
    assert any(name in m and "不是可接受的文件类型" in m for m in shown), shown
    assert not ProgressReport.objects.exists()
    p.refresh_from_db()
    assert p.progress_percent != 40
    assert not [f for f in Path(settings.MEDIA_ROOT).rglob("*") if f.is_file()]


def test_the_service_refuses_too(project):
    """The model validator: a write that does not come through the form is checked as well."""
    p, staff = project
    with pytest.raises(ValidationError):
        ps.progress_report(project=p, date=datetime.date(2027, 4, 2), percent=40, text="x",
                           attachment=upload("page.pdf", HTML), acting_user=staff)
    assert not ProgressReport.objects.exists()


# --- how it goes out ---------------------------------------------------------------------

def test_an_accepted_attachment_is_stored_unguessably_and_served_with_safe_headers(project, client):
    p, staff = project
    client.force_login(staff)
    assert post_progress(client, p, "现场报告.pdf", PDF).status_code == 302
    report = ProgressReport.objects.get()
    assert re.fullmatch(r"progress/\d{4}/[\w-]{24}/现场报告\.pdf", report.attachment.name), report.attachment.name
    url = f"/staff/projects/{p.pk}/progress/{report.pk}/attachment/"
    assert f'href="{url}"' in client.get(f"/staff/projects/{p.pk}/").content.decode()
    resp = client.get(url)
    assert resp.status_code == 200 and b"".join(resp.streaming_content) == PDF
    assert resp["Content-Type"] == "application/pdf"
    assert resp["Content-Disposition"].startswith("inline")
    assert resp["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in resp["Content-Security-Policy"] and "default-src 'none'" in resp["Content-Security-Policy"]

    assert post_progress(client, p, "方案.docx", docx()).status_code == 302
    word = ProgressReport.objects.latest("pk")
    resp = client.get(f"/staff/projects/{p.pk}/progress/{word.pk}/attachment/")
    assert resp["Content-Type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert resp["Content-Disposition"].startswith("attachment")


@pytest.mark.parametrize("stored_name", ["progress/2026/x/page.html", "progress/2026/x/page.pdf",
                                         "progress/2026/x/logo.svg"])
def test_a_stored_html_file_is_never_served_inline_or_as_html(project, client, stored_name):
    """A file that reached storage some other way (an older version, a restore, a hand copy)."""
    p, staff = project
    name = default_storage.save(stored_name, ContentFile(HTML if not stored_name.endswith(".svg") else SVG))
    report = ProgressReport.objects.create(project=p, date=datetime.date(2027, 4, 2), percent=1, text="x",
                                           attachment=name)
    client.force_login(staff)
    resp = client.get(f"/staff/projects/{p.pk}/progress/{report.pk}/attachment/")
    assert resp.status_code == 200
    assert resp["Content-Type"] == "application/octet-stream"
    assert "html" not in resp["Content-Type"] and "svg" not in resp["Content-Type"]
    assert resp["Content-Disposition"].startswith("attachment")
    assert resp["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in resp["Content-Security-Policy"]


def test_attachments_are_for_staff_in_scope_only(project, client):
    p, staff = project
    name = default_storage.save("progress/2026/y/a.pdf", ContentFile(PDF))
    report = ProgressReport.objects.create(project=p, date=datetime.date(2027, 4, 2), percent=1, text="x",
                                           attachment=name)
    url = f"/staff/projects/{p.pk}/progress/{report.pk}/attachment/"
    resp = client.get(url)
    assert resp.status_code == 302 and "/accounts/login/" in resp["Location"]
    client.force_login(factories.staff(factories.district(name="别区")))
    assert client.get(url).status_code == 404
    other = make_candidates(p.body, 1, year=2028)[0]
    client.force_login(staff)  # the report of one project is not reached through another's URL
    assert client.get(f"/staff/projects/{other.pk}/progress/{report.pk}/attachment/").status_code == 404
    person = factories.PersonFactory()
    user, _pw = ds.deputy_account_create(person=person)
    client.force_login(user)
    assert client.get(url).status_code == 403


def test_media_is_not_served_by_any_url(client, settings):
    name = default_storage.save("reports/2026/known.pdf", ContentFile(PDF))
    for path in (f"/media/{name}", "/media/progress/2026/x/page.html"):
        with pytest.raises(Resolver404):
            resolve(path)
        assert client.get(path).status_code == 404
    import importlib

    import congress.urls

    settings.DEBUG = True  # not under DEBUG either (make run)
    try:
        reloaded = importlib.reload(congress.urls)
        assert not any("media" in str(p.pattern) for p in reloaded.urlpatterns)
    finally:
        settings.DEBUG = False
        importlib.reload(congress.urls)


@pytest.fixture
def report(db):
    body = factories.BodyFactory(seats=80)
    factories.TermFactory(body=body)
    meeting = ms.meeting_create(body=body, kind="deliberation_midyear", title="议事会",
                                date=timezone.localdate(), place="x")
    r = Report.objects.create(meeting=meeting, kind=Report.Kind.MEETING)
    ms.report_store(report_id=r.pk, html="<p>x</p>", pdf_bytes=PDF, checksum="c")
    r.refresh_from_db()
    return r


def test_report_pdfs_are_stored_unguessably_and_only_for_staff_in_scope(report, client):
    assert re.fullmatch(rf"reports/\d{{4}}/[\w-]{{24}}/meeting-{report.meeting_id}-{report.pk}\.pdf", report.pdf.name)
    url = f"/staff/reports/{report.pk}.pdf"
    resp = client.get(url)
    assert resp.status_code == 302 and "/accounts/login/" in resp["Location"]
    client.force_login(factories.staff(factories.district(name="别区")))
    assert client.get(url).status_code == 404
    client.force_login(factories.staff(report.meeting.body.division))
    resp = client.get(url)
    assert resp.status_code == 200 and resp["Content-Type"] == "application/pdf"
    assert resp["X-Content-Type-Options"] == "nosniff" and "sandbox" in resp["Content-Security-Policy"]


def test_with_nginx_the_view_answers_with_x_accel_redirect_and_no_body(report, project, client, settings):
    settings.FILES_SENDFILE = "nginx"
    settings.FILES_ACCEL_PREFIX = "/protected/"
    client.force_login(factories.staff(report.meeting.body.division))
    resp = client.get(f"/staff/reports/{report.pk}.pdf")
    assert resp.status_code == 200 and resp.content == b""
    assert resp["X-Accel-Redirect"] == "/protected/" + report.pdf.name
    assert resp["Content-Type"] == "application/pdf" and resp["X-Content-Type-Options"] == "nosniff"
    assert "X-Sendfile" not in resp

    p, staff = project  # a name in Chinese is percent-encoded, as nginx expects
    name = default_storage.save("progress/2026/z/现场.pdf", ContentFile(PDF))
    pr = ProgressReport.objects.create(project=p, date=datetime.date(2027, 4, 2), percent=1, text="x",
                                       attachment=name)
    client.force_login(staff)
    resp = client.get(f"/staff/projects/{p.pk}/progress/{pr.pk}/attachment/")
    assert resp["X-Accel-Redirect"] == "/protected/" + quote(name) and "%E7%8E%B0" in resp["X-Accel-Redirect"]


def test_with_apache_the_view_answers_with_x_sendfile(report, client, settings):
    settings.FILES_SENDFILE = "apache"
    client.force_login(factories.staff(report.meeting.body.division))
    resp = client.get(f"/staff/reports/{report.pk}.pdf")
    assert resp.status_code == 200 and resp.content == b""
    assert resp["X-Sendfile"] == default_storage.path(report.pdf.name)
    assert "X-Accel-Redirect" not in resp


def test_a_missing_file_is_a_404_not_a_500(report, client):
    default_storage.delete(report.pdf.name)
    client.force_login(factories.staff(report.meeting.body.division))
    assert client.get(f"/staff/reports/{report.pk}.pdf").status_code == 404


def test_detect_reads_the_bytes_not_the_name():
    assert detect(ContentFile(PDF, name="a.html")) == "pdf"
    assert detect(ContentFile(HTML, name="a.pdf")) is None
    with pytest.raises(Http404):  # an empty field has nothing to send
        file_response(ProgressReport().attachment, filename="x")
