"""Casting through the web: the one loop behind the vote page of a project ballot (projects/views.py) and the scoring
page of a satisfaction survey (meetings/views/surveys.py). What differs between them is a `Casting`.

A cast comes in one of two ways:

* **with a cast pass** (congress/castpass.py), as every vote page's form sends it: neither the session nor the
  account is loaded; the cast statement checks the session row, the account and its password while it stores
  the ballot (`polls.cast(signed_in=...)`). The receipt page is drawn from the pass (the name, the menu's flags).
* **without one**, or when the pass no longer holds (signed out, password changed, too old, another poll): the
  ordinary path, with the session, the account, the staff-session rule and "sign in first".

Either way the kept copy of the ballot (polls.CastingCache) is used first and the service's typed refusals answer
without checking again: not on the electorate 404, a second ballot 409 (the first stands), voting not open or not
in the hall 403. A copy of a poll opened again since (STALE) is loaded again, once, as is a copy that refuses the
ballot's contents (the database's rules decide). A ballot that breaks the rules renders the page again, 422, with
every message (`Casting.refused`, on the ordinary path: it needs the account).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import conditional_escape

from congress import castpass
from congress.middleware import staff_session_ended
from congress.polls import CastRefused, Receipt, SignedIn


@dataclass(frozen=True)
class Casting:
    name: str  # the object's name in the templates: "ballot", "survey"
    load: Callable[[int, bool], Any]  # (pk, fresh): the kept copy, or the database's; raises the model's DoesNotExist
    # (object, POST, user_id, signed_in): read the form and cast through the service; raises CastRefused, or
    # ValidationError for contents that break the rules
    store: Callable[[Any, Any, int, SignedIn | None], Receipt]
    title: Callable[[Any], str]  # what the receipt page is headed with (the ballot's title, the survey's subject)
    done: str  # template: the receipt, or "already voted" (drawn by `render_done`: its values are `slot`s)
    closed: str  # template: voting not open (or not in the hall)
    refused: Callable[[HttpRequest, int, ValidationError], HttpResponse]  # the page again, 422, every message


def signed_in(request: HttpRequest, respond: Callable[[], HttpResponse]) -> HttpResponse:
    """What login_required and the staff-session middleware do, for views that apply them themselves
    (congress.decorators.checks_staff_session)."""
    ended = staff_session_ended(request)
    if ended is not None:
        return ended
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return respond()


def remember_voter(user, receipt: Receipt) -> None:
    """After a cast on the ordinary path: the user's person as the cast statement found it (id and name; the rest
    deferred), so that the receipt page's menu need not look it up again."""
    person_model = user._meta.get_field("person").related_model
    user.person = person_model.from_db("default", ["id", "name", "user_id"],
                                       [receipt.person_id, receipt.person_name, user.pk])


# The receipt pages, drawn once per template, language, mode and outcome with markers where the slot values go, then
# filled in (escaped): a cast in the hall spends its time storing the ballot, not drawing the same page again.
_MARK = secrets.token_hex(8)
_frames: dict[tuple, str] = {}


def render_done(request: HttpRequest, casting: Casting, obj, *, receipt: str = "", status: int = 200) -> HttpResponse:
    """The receipt page of a cast (with `receipt`), or the "you have already voted" page."""
    voter = getattr(request, "cast_pass", None)
    name = voter.name if voter is not None else (request.user.get_full_name() or request.user.get_username())
    values = {"title": casting.title(obj), "receipt": receipt, "name": name}
    key = (casting.done, translation.get_language(), request.COOKIES.get("elder") == "1", bool(receipt))
    frame = _frames.get(key)
    if frame is None:
        slots = {k: f"{_MARK}{k}{_MARK}" for k in values}
        frame = _frames[key] = render_to_string(casting.done, {"slot": slots, "already": not receipt}, request=request)
    page = frame
    for k, value in values.items():
        page = page.replace(f"{_MARK}{k}{_MARK}", conditional_escape(value))
    return HttpResponse(page, status=status)


def cast(request: HttpRequest, pk: int, casting: Casting) -> HttpResponse:
    voter = castpass.read(request)
    if voter is None:
        return _ordinary(request, pk, casting)
    request.cast_pass = voter  # the context processors take the receipt page's flags from it (nothing loaded)
    return _cast(request, pk, casting, voter)


def _ordinary(request, pk, casting) -> HttpResponse:
    request.cast_pass = None
    return signed_in(request, lambda: _cast(request, pk, casting, None))


def _cast(request, pk, casting: Casting, voter: castpass.Pass | None) -> HttpResponse:
    context = voter.context() if voter is not None else {}
    for fresh in (False, True):
        try:
            obj = casting.load(pk, fresh)
        except ObjectDoesNotExist as exc:
            raise Http404 from exc
        if voter is not None and voter.poll_id != obj.poll_id:  # a pass made for another poll
            return _ordinary(request, pk, casting)
        page = {casting.name: obj, **context}
        try:
            receipt = casting.store(obj, request.POST, voter.user_id if voter else request.user.pk,
                                    voter.signed_in if voter else None)
        except CastRefused as exc:
            if exc.reason == exc.STALE and not fresh:
                continue
            if exc.reason == exc.SIGNED_OUT:
                return _ordinary(request, pk, casting)
            if exc.reason == exc.NOT_ELECTOR:
                raise Http404 from exc
            if exc.reason == exc.ALREADY_VOTED:
                return render_done(request, casting, obj, status=409)
            if exc.reason == exc.NOT_PRESENT:
                return render(request, casting.closed, {**page, "refusal": exc.message}, status=403)
            return render(request, casting.closed, page, status=403)
        except ValidationError as exc:  # the rules (too many chosen, a score out of range...)
            if not fresh:  # refused by a kept copy: ask the database's
                continue
            if voter is not None:  # the page again needs the account
                request.cast_pass = None
                return signed_in(request, lambda exc=exc: casting.refused(request, pk, exc))
            return casting.refused(request, pk, exc)
        if voter is None:
            remember_voter(request.user, receipt)
        # The receipt is shown here and nowhere else: never stored beside the account
        # (no session, no message, no redirect carrying it).
        return render_done(request, casting, obj, receipt=receipt)
    raise AssertionError("unreachable")  # pragma: no cover
