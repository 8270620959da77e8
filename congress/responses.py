"""A refused action form answers 422 with the page it was sent from.

The small staff forms on a detail page (move a project, add a milestone, open a
ballot, mark attendance, ...) post to an action URL and, when accepted, redirect
back to the page (POST, then redirect). When refused — bad input, or a rule the
service enforces — nothing is saved and the person must see why, in place: the
page they came from is shown again, in this response, with the error messages
(queued with `django.contrib.messages` and consumed by this rendering) and
status 422, so that a refused submission is a 4xx for browsers, scripts and
monitoring alike.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.urls import resolve


def flash_errors(request: HttpRequest, exc: ValidationError) -> None:
    """A service's refusal, as error messages for the page that answers."""
    for message in exc.messages:
        messages.error(request, message)


def flash_form_errors(request: HttpRequest, form) -> None:
    """A form's errors as error messages, each field's prefixed with its label."""
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


def refused(request: HttpRequest, page_url: str) -> HttpResponse:
    """Show the page at `page_url` (a detail page of this site) as the answer to a refused POST, with status 422."""
    match = resolve(page_url.split("?", 1)[0])
    request.method = "GET"  # the page is shown, not the action run again
    request.POST = request.POST.__class__()  # nothing of the refused submission is read as the page's own input
    response = match.func(request, *match.args, **match.kwargs)
    response.status_code = 422
    return response
