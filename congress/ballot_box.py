"""The scrutineers' ceremony, for every app's polls: the share cards at opening, the opening screen, void and re-run.

The cards are rendered from the shares in memory into the response of the POST
that opens the poll (status 200, `Cache-Control: no-store`): there is no URL
that shows them, and nothing stores them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import partial

from django.conf import settings
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from congress.forms import ScrutineersForm, UnsealForm, VoidForm
from congress.responses import act


def no_store(response):
    response["Cache-Control"] = "no-store, max-age=0"
    response["Pragma"] = "no-cache"
    return response


def open_and_show_cards(request, *, open_poll, back_url: str, page, form=None):
    """Run `open_poll(scrutineers, threshold)` (which returns the poll with its `share_cards`) and answer with the
    printable cards, once; a refusal answers `page(status=422)`, the page the opening was sent from.

    `form` is the opening's form when it asks more than the scrutineers (a `ScrutineersForm` of its own)."""

    def cards(poll):
        return no_store(render(request, "ballot_box/share_cards.html", {"poll": poll, "cards": poll.share_cards,
                                                                         "back_url": back_url}))

    return act(request, form=form or ScrutineersForm(request.POST), page=page, done=cards,
               action=lambda d: open_poll(d["scrutineers"], d["threshold"]))


def unseal_screen(request, *, poll, back_url: str, void_url: str, form=None, status: int = 200):
    """The opening screen: the threshold of scrutineers enter their cards (and the void form beside it)."""
    response = render(request, "ballot_box/unseal.html", {
        "poll": poll, "form": form or UnsealForm(poll=poll), "back_url": back_url, "void_url": void_url,
        "void_form": VoidForm()}, status=status)
    # this page alone may use the camera, to scan the cards' QR codes (every other page: camera=())
    response["Permissions-Policy"] = settings.PERMISSIONS_POLICY.replace("camera=()", "camera=(self)")
    return no_store(response)


def unseal_page(request, *, poll, unseal, back_url: str, void_url: str, queue_down: str = ""):
    """The opening screen; its POST runs `unseal(shares)`, which opens the box. A refusal is said by messages,
    which the page shows in every state (also when voting is still open), above the cards as typed."""
    form = UnsealForm(request.POST if request.method == "POST" else None, poll=poll)
    page = partial(unseal_screen, request, poll=poll, back_url=back_url, void_url=void_url, form=form)
    if request.method != "POST":
        return page()
    return act(request, form=form, page=page, done=back_url, action=lambda d: unseal(form.shares()),
               success=lambda opened: _("The ballot box is open: %(n)s sealed ballots were opened and put in the "
                                        "counting table.") % {"n": opened},
               queue_down=queue_down or _("The box was opened, but the count could not be queued: the task queue "
                                          "is not reachable. Count again once it is back."))


def void_action(request, *, poll, void, back_url: str, void_url: str):
    """Void and re-run: confirmed with a reason; refused, the opening screen again, as 422."""

    def page(status):
        poll.refresh_from_db()  # as the refusal left it
        return unseal_screen(request, poll=poll, back_url=back_url, void_url=void_url, status=status)

    return act(request, form=VoidForm(request.POST), page=page, done=back_url,
               action=lambda d: void(d["reason"]),
               success=_("The poll was voided and is a draft again: name the scrutineers and open it to run it "
                         "again."))


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
