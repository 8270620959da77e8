"""The scrutineers' ceremony, for every app's polls: the share cards at opening, the opening screen, void and re-run.

The cards are rendered from the shares in memory into the response of the POST
that opens the poll (status 200, `Cache-Control: no-store`): there is no URL
that shows them, and nothing stores them.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from congress.forms import ScrutineersForm, UnsealForm, VoidForm
from congress.queue import QueueUnavailable
from congress.responses import flash_errors, flash_form_errors, refused


def no_store(response):
    response["Cache-Control"] = "no-store, max-age=0"
    response["Pragma"] = "no-cache"
    return response


def open_and_show_cards(request, *, open_poll, back_url: str, refused_url: str | None = None):
    """Run `open_poll(scrutineers, threshold)` (which returns the poll with its `share_cards`) and answer with the
    printable cards, once; a refusal answers 422 with the page it came from."""
    form = ScrutineersForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
        return refused(request, refused_url or back_url)
    try:
        with transaction.atomic():
            poll = open_poll(form.cleaned_data["scrutineers"], form.cleaned_data["threshold"])
    except ValidationError as exc:
        flash_errors(request, exc)
        return refused(request, refused_url or back_url)
    response = render(request, "ballot_box/share_cards.html", {"poll": poll, "cards": poll.share_cards,
                                                                "back_url": back_url})
    return no_store(response)


def unseal_page(request, *, poll, unseal, back_url: str, void_url: str, queue_down: str = ""):
    """The opening screen: the threshold of scrutineers enter their cards; `unseal(shares)` opens the box."""
    form = UnsealForm(request.POST if request.method == "POST" else None, poll=poll)
    status = 200
    if request.method == "POST":
        if not form.is_valid():
            flash_form_errors(request, form)
        else:
            try:
                with transaction.atomic():
                    opened = unseal(form.shares())
            except ValidationError as exc:
                flash_errors(request, exc)  # shown by the page in every state (also when voting is still open)
            except QueueUnavailable:
                messages.error(request, queue_down or _("The box was opened, but the count could not be queued: the "
                                                        "task queue is not reachable. Count again once it is back."))
                return redirect(back_url)
            else:
                messages.success(request, _("The ballot box is open: %(n)s sealed ballots were opened and put in "
                                            "the counting table.") % {"n": opened})
                return redirect(back_url)
        status = 422
    response = render(request, "ballot_box/unseal.html", {"poll": poll, "form": form, "back_url": back_url,
                                                          "void_url": void_url, "void_form": VoidForm()}, status=status)
    # this page alone may use the camera, to scan the cards' QR codes (every other page: camera=())
    response["Permissions-Policy"] = settings.PERMISSIONS_POLICY.replace("camera=()", "camera=(self)")
    return no_store(response)


def void_action(request, *, poll, void, back_url: str, unseal_url: str):
    """Void and re-run: confirmed with a reason; refused input shows the opening screen again, as 422."""
    form = VoidForm(request.POST)
    if form.is_valid():
        try:
            with transaction.atomic():
                void(form.cleaned_data["reason"])
        except ValidationError as exc:
            flash_errors(request, exc)
        else:
            messages.success(request, _("The poll was voided and is a draft again: name the scrutineers and open it "
                                        "to run it again."))
            return redirect(back_url)
    else:
        flash_form_errors(request, form)
    return refused(request, unseal_url)


def verification_download(request, *, poll, bundle: Callable[[], dict], filename: str):
    """The verification bundle of an opened box as a JSON file (`bundle()` makes it and writes the audit row);
    404 while the box is sealed, as there is nothing to verify yet."""
    if poll.unsealed_at is None:
        raise Http404
    with transaction.atomic():
        report = bundle()
    body = json.dumps(report, ensure_ascii=False, indent=2, default=str)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return no_store(response)
