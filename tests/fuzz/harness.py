"""Post one generated submission and check what came back and what was stored.

A response is either *accepted* (2xx, or a redirect without an error message) or *refused*: a 4xx whose page says
what was wrong (the action forms on a staff detail page show that page again, as 422, with the message: see
congress/responses.py). A redirect carrying an error message fails the test. A refused submission changes no
row; an accepted one stores only rows that pass their model's validation (`full_clean`) and keeps the
secret-ballot counts consistent. A server error fails the test outright: the test client re-raises it.
"""

import html
import re
from urllib.parse import urlencode

from django.apps import apps
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, models, transaction
from django.db.models import Count, Q

from congress.layers import LAYERS
from congress.models import BallotSlot, Elector, SealedBallot, SecretPoll, VoteRecord
from congress.sealing import SEALED_SIZE

APPS = LAYERS
TABLES = [m for m in apps.get_models(include_auto_created=True) if m._meta.app_label in APPS and not m._meta.proxy]

MESSAGE_MARKERS = re.compile(
    r'role="alert"|class="[^"]*\b(invalid-feedback|errorlist|alert-danger|alert-warning)\b[^"]*"')
ERROR_MARKERS = re.compile(r'class="[^"]*\b(invalid-feedback|errorlist|alert-danger)\b[^"]*"')
EAGER_BANNER = re.compile(r'<div[^>]*id="eager-banner"[^>]*>.*?</div>', re.S)
TAG = re.compile(r"<[^>]+>")


def _integer_pk(model):
    return isinstance(model._meta.pk, models.AutoField | models.BigAutoField | models.IntegerField)


def snapshot() -> dict:
    """Row count and highest id of every table of the application, in one query."""
    q = connection.ops.quote_name
    columns = []
    for m in TABLES:
        table = q(m._meta.db_table)
        columns.append(f"(SELECT COUNT(*) FROM {table})")
        columns.append(f"(SELECT MAX({q(m._meta.pk.column)}) FROM {table})" if _integer_pk(m) else "0")
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(columns))  # noqa: S608 - table names from the models
        row = cursor.fetchone()
    return {m: (row[2 * i], row[2 * i + 1] or 0) for i, m in enumerate(TABLES)}


def fingerprint(watch) -> dict:
    """Every column of every row of the watched models (small tables in the fuzz world)."""
    return {(m._meta.label, r["pk"]): r for m in watch for r in m.objects.values("pk", *[
        f.attname for f in m._meta.concrete_fields])}


def page_message(body: str) -> str:
    """The text of the first error or alert on the page ('' if there is none)."""
    body = EAGER_BANNER.sub("", body)
    match = MESSAGE_MARKERS.search(body)
    if not match:
        return ""
    start = body.rfind("<", 0, match.start())
    words = html.unescape(TAG.sub(" ", body[start:start + 2000]))
    return " ".join(words.split())[:200]


def queued_errors(resp) -> list[str]:
    storage = getattr(resp.wsgi_request, "_messages", None)
    queued = getattr(storage, "_queued_messages", [])
    return [str(m) for m in queued if m.level >= messages.ERROR]


def post(client, url, data, files=None, urlencoded=False):
    if urlencoded and not files:
        return client.post(url, urlencode(data, doseq=True), content_type="application/x-www-form-urlencoded")
    payload = dict(data)
    for name, (filename, content) in (files or {}).items():
        payload[name] = SimpleUploadedFile(filename, content)
    return client.post(url, payload)


def classify(resp) -> str:
    """'accepted' or 'refused'; fails on a refusal without a message or a 200 page showing errors."""
    status = resp.status_code
    assert status < 500, status
    if 400 <= status < 500:
        body = resp.content.decode(errors="replace")
        assert page_message(body), f"{status} without a message: {body[:300]!r}"
        return "refused"
    if status in (301, 302, 303):
        errors = queued_errors(resp)
        assert not errors, f"a refused submission answered {status} instead of 4xx: {errors}"
        return "accepted"
    assert status == 200, status
    if resp.get("Content-Type", "").startswith("text/html"):
        body = resp.content.decode(errors="replace")
        assert not ERROR_MARKERS.search(EAGER_BANNER.sub("", body)), (
            f"a refused submission answered 200 instead of 4xx: {page_message(body)!r}")
    return "accepted"


def check_ballot_boxes():
    """One ballot per deputy: each web vote record has exactly one sealed ballot (one tracker once opened), all of
    the poll's fixed length; counted paper ballots never outnumber the paper ballots issued."""
    for poll in SecretPoll.objects.exclude(state=SecretPoll.State.DRAFT).annotate(
        web=Count("vote_records", filter=Q(vote_records__channel=VoteRecord.Channel.WEB), distinct=True),
        paper=Count("vote_records", filter=Q(vote_records__channel=VoteRecord.Channel.PAPER), distinct=True),
    ):
        sealed = SealedBallot.objects.filter(poll=poll)
        counted = BallotSlot.objects.filter(poll=poll)
        if poll.unsealed_at is None:
            assert sealed.count() == poll.web, poll
            assert counted.count() <= poll.paper, poll
            assert {len(bytes(b)) for b in sealed.values_list("sealed", flat=True)} <= {SEALED_SIZE}, poll
        else:
            assert not sealed.exists() and len(poll.trackers) == poll.web, poll
            assert poll.web <= counted.count() <= poll.web + poll.paper, poll
        assert Elector.objects.filter(poll=poll).count() == poll.electorate_size, poll
        assert not counted.filter(Q(score__lt=0) | Q(score__gt=100)).exists(), poll


def check_rows(before: dict, after: dict, watched_before: dict, watched_after: dict):
    """Every new row, and every watched row that changed, passes its model's validation."""
    for m in TABLES:
        if m._meta.auto_created or not _integer_pk(m):
            continue
        (_n0, max0), (_n1, max1) = before[m], after[m]
        if max1 > max0:
            for obj in m.objects.filter(pk__gt=max0):
                _full_clean(obj)
    for key, row in watched_after.items():
        if watched_before.get(key) != row:
            model = apps.get_model(key[0])
            _full_clean(model.objects.get(pk=key[1]))


def _full_clean(obj):
    try:
        obj.full_clean()
    except ValidationError as exc:
        raise AssertionError(f"invalid row stored: {obj._meta.label} {obj.pk}: {exc.message_dict}") from exc


def submit(client, url, data, *, files=None, urlencoded=False, watch=(), expect=None):
    """Post inside a savepoint that is rolled back, so that examples are independent. Returns the outcome."""
    with transaction.atomic():
        before, watched_before = snapshot(), fingerprint(watch)
        resp = post(client, url, data, files=files, urlencoded=urlencoded)
        outcome = classify(resp)
        after, watched_after = snapshot(), fingerprint(watch)
        if outcome == "refused":
            changed = {m._meta.label: (before[m][0], after[m][0]) for m in TABLES if before[m][0] != after[m][0]}
            assert not changed, f"refused ({resp.status_code}) but rows were added or removed: {changed}"
            assert watched_before == watched_after, f"refused ({resp.status_code}) but rows changed"
        else:
            check_rows(before, after, watched_before, watched_after)
            check_ballot_boxes()
        if expect is not None:
            expect(resp, outcome)
        transaction.set_rollback(True)
    return resp, outcome


def fetch(client, url, params, audited=False):
    """GET a page with a generated query string: never a server error, a 4xx says why, and nothing is written
    (but the audit row of a page whose every download is audited, `audited`)."""
    with transaction.atomic():
        before = snapshot()
        resp = client.get(url, params)
        status = resp.status_code
        assert status < 500, status
        if 400 <= status < 500:
            assert page_message(resp.content.decode(errors="replace")), f"{status} without a message"
        after = snapshot()
        changed = [m._meta.label for m in TABLES if before[m] != after[m]
                   and not (audited and m._meta.label == "congress.AuditLog")]
        assert not changed, f"a GET wrote rows: {changed}"
        transaction.set_rollback(True)
    return resp
