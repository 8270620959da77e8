"""How a view answers what a person sends: `act` runs it, `refuse` shows why not.

Every form and every staff button that writes goes the same way. The form is
checked, the service runs in a transaction of its own, and then:
- accepted: POST, then redirect (`done`), with the success message;
- refused, by the form or by the service's `ValidationError`: nothing is saved,
  and the page the action belongs to is shown again, in this response, with
  status 422 and every message of the refusal: each error of the form (after
  its field's label) and each message of the service, never only the first.
  The messages stand on the refused form where the page shows that form whole
  (`on_form=True`: a form page), or else as `django.contrib.messages`, consumed
  by this very rendering (a small action form on a detail page);
- saved, but its background task not queued (`QueueUnavailable`): redirect
  with the `queue_down` message, since the work itself is saved.

A page is one function, `page(status=200) -> HttpResponse`, that builds the
page's context and renders it: its GET view answers `page()`, and a refused
action `page(status=422)`, so that both show the same thing. (A page that
reloads its object from the database shows it as the rolled-back refusal left
it, not as the refused service may have changed it in memory.)

Each action being its own transaction needs ATOMIC_REQUESTS off: `act` refuses
to run with it on (`congress.queue.require_own_transactions`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect

from congress.queue import QueueUnavailable, require_own_transactions

Page = Callable[..., HttpResponse]  # page(status=...) renders the page


def act(request: HttpRequest, *, action: Callable[..., Any], done: str | Callable[[Any], str | HttpResponseBase],
        page: Page, form=None, success: str | Callable[[Any], str] = "", on_form: bool = False,
        field: str | None = None, queue_down: str = "", status: int = 422) -> HttpResponseBase:
    """Run `action` (with the form's `cleaned_data` when there is a `form`) in one transaction and answer.

    `done` is where a success goes: a URL, or a function of what the action returned giving a URL or a whole
    response (the scrutineers' cards). `success` is the message then (or a function of the result giving it).
    A refusal answers `page(status=status)` with every message, on the form (`on_form`, and on its `field` if
    the service's messages belong to one) or queued as messages. `queue_down` is said when the work was saved
    but its task could not be queued; without it that is an error (500).
    """
    require_own_transactions()
    if form is not None and not form.is_valid():
        return refuse(request, page, form=form, on_form=on_form, status=status)
    result = None
    try:
        with transaction.atomic():
            result = action(form.cleaned_data) if form is not None else action()
    except ValidationError as exc:
        return refuse(request, page, exc, form=form, on_form=on_form, field=field, status=status)
    except QueueUnavailable:
        if not queue_down:
            raise
        messages.error(request, queue_down)
        return redirect(done(result) if callable(done) else done)
    target = done(result) if callable(done) else done
    if success:
        messages.success(request, success(result) if callable(success) else success)
    return target if isinstance(target, HttpResponseBase) else redirect(target)


def refuse(request: HttpRequest, page: Page, *reasons: str | ValidationError, form=None, on_form: bool = False,
           field: str | None = None, status: int = 422) -> HttpResponse:
    """The page again, with status 422 (or `status`), saying every reason: the form's errors and `reasons`
    (messages, or `ValidationError`s with all their messages). Nothing is saved by this."""
    said = [m for r in reasons for m in (r.messages if isinstance(r, ValidationError) else [r])]
    if on_form and form is not None:
        if said:
            form.add_error(field, said)
    else:
        if form is not None:
            for name, errors in form.errors.items():
                label = form.fields[name].label if name in form.fields else ""
                for error in errors:
                    messages.error(request, f"{label}: {error}" if label else error)
        for message in said:
            messages.error(request, message)
    return page(status=status)
