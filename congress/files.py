"""Files: what may come in, where it is kept, and the one way it goes out.

In: every upload field (model and form) validates with `FileKindValidator`, which decides the type from the
bytes (the `filetype` library, plus a look inside OOXML zips and a text check for CSV), never from the name or
the browser's Content-Type, and refuses a name whose extension disagrees with the content. HTML, SVG, scripts
and executables match no kind, so they never come in, however they are named.

Kept: under an unguessable directory (`UnguessablePath`), so that even a web server wrongly configured to serve
MEDIA_ROOT would not hand out report PDFs at predictable paths. No URL serves MEDIA_ROOT.

Out: `file_response()`, called only by views that have checked who may read the file. The type sent is the one
detected again from the stored bytes (a file put in storage some other way is sent as an octet-stream
attachment), inline only for PDFs and images, always with `nosniff` and a sandboxing CSP. With FILES_SENDFILE
set, the web server sends the bytes (nginx X-Accel-Redirect, Apache X-Sendfile) and the response has no body.
"""

from __future__ import annotations

import codecs
import posixpath
import secrets
import zipfile
from dataclasses import dataclass
from urllib.parse import quote

import filetype
from django import forms
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpResponse
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _

HEAD_BYTES = 8192  # what filetype looks at
FILE_CSP = "default-src 'none'; sandbox"


@dataclass(frozen=True)
class Kind:
    label: str
    mime: str
    extensions: tuple[str, ...]
    inline: bool = False  # a browser may show it in place (PDF, raster images); everything else downloads


KINDS = {
    "pdf": Kind("PDF", "application/pdf", ("pdf",), inline=True),
    "png": Kind("PNG", "image/png", ("png",), inline=True),
    "jpg": Kind("JPEG", "image/jpeg", ("jpg", "jpeg"), inline=True),
    "webp": Kind("WebP", "image/webp", ("webp",), inline=True),
    "gif": Kind("GIF", "image/gif", ("gif",), inline=True),
    "docx": Kind("Word (.docx)", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                 ("docx",)),
    "xlsx": Kind("Excel (.xlsx)", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ("xlsx",)),
    "csv": Kind("CSV", "text/csv", ("csv",)),
}

# Per field (see README, Files): progress reports carry photos of the site and office documents; the roster is
# a spreadsheet that is parsed and never stored; meeting reports are PDFs the server builds itself.
ATTACHMENT_KINDS = ("pdf", "jpg", "png", "webp", "gif", "docx", "xlsx")
ROSTER_KINDS = ("xlsx", "csv")
REPORT_KINDS = ("pdf",)

_OOXML_PART = {"docx": "word/", "xlsx": "xl/"}
_MARKUP = (b"<!doctype", b"<html", b"<script", b"<svg", b"<?xml", b"<body", b"<iframe", b"<object")


def _read_head(f) -> bytes:
    pos = f.tell() if hasattr(f, "tell") else None
    f.seek(0)
    head = f.read(HEAD_BYTES)
    f.seek(pos or 0)
    return bytes(head)


def _is_ooxml(f, kind: str) -> bool:
    """filetype guesses OOXML from the first zip entries' names; check the archive really is one."""
    pos = f.tell()
    try:
        f.seek(0)
        with zipfile.ZipFile(f) as z:
            names = z.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    finally:
        f.seek(pos)
    return "[Content_Types].xml" in names and any(n.startswith(_OOXML_PART[kind]) for n in names)


def _is_plain_text(head: bytes) -> bool:
    """Text a spreadsheet would read as CSV: UTF-8 (or GB18030), no NUL, no markup."""
    if not head.strip() or b"\x00" in head:
        return False
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            codecs.getincrementaldecoder(encoding)().decode(head, final=False)
            break
        except UnicodeDecodeError:
            continue
    else:
        return False
    lowered = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return not lowered.startswith(b"<") and not any(tag in lowered for tag in _MARKUP)


def detect(f) -> str | None:
    """The kind (a key of KINDS) the bytes of an open file are, or None."""
    head = _read_head(f)
    guess = filetype.guess(head)
    if guess is None:
        return "csv" if _is_plain_text(head) else None
    kind = "jpg" if guess.extension == "jpg" else guess.extension
    if kind not in KINDS:
        return None
    if kind in _OOXML_PART and not _is_ooxml(f, kind):
        return None
    return kind


def extension_of(name: str) -> str:
    return posixpath.splitext(name or "")[1].lower().lstrip(".")


def _labels(kinds) -> str:
    return ", ".join(KINDS[k].label for k in kinds)


@deconstructible
class FileKindValidator:
    """Accept a file only if its bytes are one of `kinds` and its name ends as that kind's files do."""

    def __init__(self, *kinds: str):
        unknown = set(kinds) - set(KINDS)
        if not kinds or unknown:
            raise ImproperlyConfigured(f"unknown file kinds: {sorted(unknown)}")
        self.kinds = tuple(kinds)

    def __call__(self, value):
        if isinstance(value, FieldFile):
            if not value or getattr(value, "_committed", True):
                return  # already stored: it was checked when it came in
            value = value.file
        name = posixpath.basename(getattr(value, "name", "") or "")
        kind = detect(value)
        if kind not in self.kinds:
            raise ValidationError(
                _("“%(name)s” is not a file of an accepted type (%(kinds)s); its content was checked, not "
                  "only its name."),
                code="file_kind", params={"name": name, "kinds": _labels(self.kinds)})
        if extension_of(name) not in KINDS[kind].extensions:
            raise ValidationError(
                _("The name of “%(name)s” does not match its content (%(kind)s): a %(kind)s file ends in "
                  ".%(extension)s."),
                code="file_extension",
                params={"name": name, "kind": KINDS[kind].label, "extension": KINDS[kind].extensions[0]})

    def __eq__(self, other):
        return isinstance(other, FileKindValidator) and self.kinds == other.kinds

    def accept(self) -> str:
        """For the file input's accept attribute (a hint to the browser; the validator decides)."""
        return ",".join(f".{e}" for k in self.kinds for e in KINDS[k].extensions)


@deconstructible
class UnguessablePath:
    """upload_to: `<prefix>/<year>/<random>/<file name>`, so that no stored path can be guessed."""

    def __init__(self, prefix: str):
        self.prefix = prefix

    def __call__(self, instance, filename):
        return f"{self.prefix}/{timezone.now():%Y}/{secrets.token_urlsafe(18)}/{posixpath.basename(filename)}"

    def __eq__(self, other):
        return isinstance(other, UnguessablePath) and self.prefix == other.prefix


def upload_form_field(*, label, kinds, max_mb: int, required: bool = True):
    """The form field of an upload: the content check, a size limit, and an accept hint."""
    validator = FileKindValidator(*kinds)

    def limit(f):
        if f.size > max_mb * 1024 * 1024:
            raise ValidationError(_("The file is larger than %(mb)s MB."), code="file_size", params={"mb": max_mb})

    return forms.FileField(label=label, required=required, validators=[limit, validator],
                           widget=forms.ClearableFileInput(attrs={"accept": validator.accept()}))


def file_response(fieldfile: FieldFile, *, filename: str, kinds=tuple(KINDS), download: bool = False) -> HttpResponse:
    """Send a stored file to someone a view has already found entitled to it.

    The type is detected again from the stored bytes; anything not of `kinds` goes out as an
    application/octet-stream attachment, so nothing stored is ever shown as HTML. `download` sends even a
    PDF or an image as an attachment (a "download" button saves the file rather than opening it).
    """
    if not fieldfile:
        raise Http404
    try:
        with fieldfile.storage.open(fieldfile.name, "rb") as f:
            kind = detect(f)
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc
    if kind in kinds:
        content_type, inline = KINDS[kind].mime, KINDS[kind].inline
    else:
        content_type, inline = "application/octet-stream", False
    mode = settings.FILES_SENDFILE
    if mode == "nginx":
        response = HttpResponse(b"", content_type=content_type)
        response["X-Accel-Redirect"] = quote(settings.FILES_ACCEL_PREFIX.rstrip("/") + "/" + fieldfile.name)
    elif mode == "apache":
        response = HttpResponse(b"", content_type=content_type)
        response["X-Sendfile"] = fieldfile.storage.path(fieldfile.name)
    elif not mode:
        response = FileResponse(fieldfile.storage.open(fieldfile.name, "rb"), content_type=content_type)
    else:
        raise ImproperlyConfigured(f"FILES_SENDFILE must be '', 'nginx' or 'apache', not {mode!r}")
    response["Content-Disposition"] = content_disposition_header(download or not inline, filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = FILE_CSP
    response._csp_exempt = True  # django-csp's middleware leaves this policy alone (it never replaces one, either)
    response["Cache-Control"] = "private, no-store"
    return response
