"""congress/responses.py: `act` runs an action in its own transaction; success redirects with its message; a refusal
shows the action's page again, with 422 and every message of the refusal (the form's, and each of the service's)."""

import pytest
from django import forms
from django.contrib.auth import get_user_model
from django.contrib.messages import constants
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import translation

from congress.queue import QueueUnavailable
from congress.responses import act, refuse

pytestmark = pytest.mark.django_db


class NoteForm(forms.Form):
    title = forms.CharField(label="Title", max_length=5)
    count = forms.IntegerField(label="Count")


def post(data=None):
    request = RequestFactory().post("/somewhere/", data or {})
    request._messages = CookieStorage(request)
    return request


def said(request, level=constants.ERROR):
    return [str(m) for m in request._messages._queued_messages if m.level == level]


class Page:
    """A page function: remembers how it was asked to render."""

    def __init__(self):
        self.statuses = []

    def __call__(self, *, status=200):
        self.statuses.append(status)
        return HttpResponse("the page", status=status)


def refuse_twice(*_args):
    get_user_model().objects.create(username="written-then-refused")
    raise ValidationError(["first reason", "second reason"])


def test_a_service_refusal_shows_the_page_with_422_and_every_message_and_saves_nothing():
    request, page = post(), Page()
    resp = act(request, action=refuse_twice, done="/done/", page=page, success="never said")
    assert resp.status_code == 422 and page.statuses == [422]
    assert said(request) == ["first reason", "second reason"]
    assert said(request, constants.SUCCESS) == []
    assert not get_user_model().objects.filter(username="written-then-refused").exists()  # its own transaction


@pytest.mark.parametrize("lang, expected", [
    ("zh-hans", ["Title: 确保该变量包含不超过 5 字符 (目前字符数 12)。", "Count: 输入整数。"]),
    ("en", ["Title: Ensure this value has at most 5 characters (it has 12).", "Count: Enter a whole number."]),
])
def test_every_error_of_a_refused_form_is_said_after_its_label_and_the_action_does_not_run(lang, expected):
    ran = []
    request, page = post({"title": "far too long", "count": "many"}), Page()
    with translation.override(lang):
        resp = act(request, form=NoteForm(request.POST), action=ran.append, done="/done/", page=page)
    assert resp.status_code == 422 and ran == []
    assert said(request) == expected


def test_on_a_form_page_the_refusal_stands_on_the_form_not_in_messages():
    request, page = post({"title": "ok", "count": "1"}), Page()
    form = NoteForm(request.POST)
    resp = act(request, form=form, on_form=True, action=refuse_twice, done="/done/", page=page)
    assert resp.status_code == 422
    assert form.non_field_errors() == ["first reason", "second reason"] and said(request) == []

    request, form = post({"title": "ok", "count": "1"}), NoteForm({"title": "ok", "count": "1"})
    act(request, form=form, on_form=True, field="title", action=refuse_twice, done="/done/", page=page)
    assert form.errors["title"] == ["first reason", "second reason"] and form.non_field_errors() == []


def test_a_success_redirects_with_its_message():
    request, page = post({"title": "ok", "count": "3"}), Page()
    resp = act(request, form=NoteForm(request.POST), action=lambda d: d["count"] * 2, page=page,
               done=lambda n: f"/done/{n}/", success=lambda n: f"{n} done")
    assert resp.status_code == 302 and resp["Location"] == "/done/6/" and page.statuses == []
    assert said(request, constants.SUCCESS) == ["6 done"] and said(request) == []


def test_done_may_answer_with_a_whole_response():
    resp = act(post(), action=lambda: "cards", done=lambda what: HttpResponse(what), page=Page())
    assert resp.status_code == 200 and resp.content == b"cards"


def test_refuse_says_its_reasons_with_the_status_asked():
    request, page = post(), Page()
    assert refuse(request, page, "not now", ValidationError(["a", "b"]), status=429).status_code == 429
    assert said(request) == ["not now", "a", "b"]


def queue_down():
    raise QueueUnavailable("broker unreachable")


def test_a_queue_that_is_down_after_the_work_is_saved_redirects_and_says_so():
    request = post()
    resp = act(request, action=queue_down, done="/done/", page=Page(), success="never said",
               queue_down="saved, but not queued")
    assert resp.status_code == 302 and said(request) == ["saved, but not queued"]
    assert said(request, constants.SUCCESS) == []
    with pytest.raises(QueueUnavailable):  # a view that does not say what to say has a bug: it is not hidden
        act(post(), action=queue_down, done="/done/", page=Page())


def test_act_refuses_to_run_in_a_request_wide_transaction(monkeypatch):
    monkeypatch.setitem(connection.settings_dict, "ATOMIC_REQUESTS", True)
    ran = []
    with pytest.raises(ImproperlyConfigured):
        act(post(), action=lambda: ran.append(1), done="/done/", page=Page())
    assert ran == []


def test_views_catch_no_refusal_by_hand():
    """Every view answers a refusal through `act`/`refuse`: no view module catches `ValidationError` itself, but the
    casting loop (congress/casting.py: a ballot's or a score's typed refusals answer 404/409/403 of their own)."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    modules = [p for app in ("congress", "deputies", "projects", "meetings") for p in (root / app).rglob("*.py")
               if "views" in p.relative_to(root).as_posix() or p.name in ("ballot_box.py", "casting.py")]
    assert len(modules) >= 9
    assert root / "meetings" / "views" / "surveys.py" in modules  # the views/ package is read too
    catching = set()
    for path in modules:
        for fn in ast.walk(ast.parse(path.read_text())):
            if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
                for node in ast.walk(fn):
                    if isinstance(node, ast.ExceptHandler) and "ValidationError" in ast.unparse(node.type or ast.Name("")):
                        catching.add(f"{path.relative_to(root)}:{fn.name}")
    assert catching == {"congress/casting.py:_cast"}
