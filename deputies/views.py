from functools import partial

import tablib
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from congress.decorators import staff_required
from congress.exports import dataset_response
from congress.forms import id_from
from congress.models import CongressBody, Term
from congress.responses import act, refuse
from deputies import roster as roster_files
from deputies import selectors, services
from deputies.forms import RosterConfirmForm, RosterUploadForm

IMPORT_SALT = "deputies.roster-import"
IMPORT_MAX_AGE = 3600


def person_or_404(request):
    """The signed-in account's person (a deputy's own pages), or 404."""
    person = getattr(request.user, "person", None)
    if person is None:
        raise Http404
    return person


def _body_in_scope(request, pk) -> CongressBody:
    # Out-of-scope bodies are indistinguishable from missing ones: 404 either way.
    return get_object_or_404(CongressBody.objects.in_scope(request.user).select_related("division"), pk=pk)


def _term_of(request, body):
    term_id = id_from(request.GET.get("term"))
    term = get_object_or_404(Term, pk=term_id, body=body) if term_id else selectors.current_term(body)
    if term is not None:
        term.body = body  # the composition reads it: no second query for the body we have
    return term


@staff_required
def body_list(request):
    return render(request, "deputies/body_list.html", {"bodies": selectors.bodies_with_seats(request.user)})


@staff_required
def body_detail(request, pk):
    body = _body_in_scope(request, pk)
    term = _term_of(request, body)
    context = {"body": body, "term": term, "terms": body.terms.all()}
    if term:
        context["composition"] = selectors.composition(term)
        context["mandates"] = selectors.roster(term)
    return render(request, "deputies/body_detail.html", context)


def _term_download(request, pk, fmt, *, name, title, dataset_of):
    """A table of the body's term (the one asked for, or the current one) as a download."""
    body = _body_in_scope(request, pk)
    term = _term_of(request, body)
    if term is None:
        messages.error(request, _("This body has no term yet."))
        return redirect("deputies:body", pk=body.pk)
    dataset = dataset_of(term)
    dataset.title = str(title)[:31]
    return dataset_response(dataset, f"{name}-{body.division.code}-{term.number}", fmt)


def _composition_dataset(term) -> tablib.Dataset:
    dataset = tablib.Dataset(headers=[_("Section"), _("Item"), _("Count"), _("Share (%)")])
    for section, item, count, share in selectors.composition(term).table_rows():
        dataset.append([str(section), str(item), count, share])
    return dataset


@staff_required
def composition_export(request, pk, fmt):
    return _term_download(request, pk, fmt, name="composition", title=_("Composition"), dataset_of=_composition_dataset)


@staff_required
def roster_export(request, pk, fmt):
    return _term_download(request, pk, fmt, name="roster", title=_("Roster"),
                          dataset_of=lambda term: roster_files.roster_dataset(selectors.roster(term)))


@staff_required
@require_http_methods(["GET", "POST"])
def roster_import(request, pk):
    body = _body_in_scope(request, pk)
    if "payload" in request.POST:
        return _roster_import_confirm(request, body)
    form = RosterUploadForm(request.POST if request.method == "POST" else None, request.FILES if request.method == "POST" else None, body=body)
    context = {"body": body, "form": form}
    if request.method == "POST" and form.is_valid():
        term = form.cleaned_data["term"]
        upload = form.cleaned_data["file"]
        parsed = roster_files.parse_roster(upload.read(), upload.name, term, user=request.user)
        context.update({"parsed": parsed, "term": term})
        if parsed.ok:
            payload = signing.dumps(
                {"term": term.pk, "rows": roster_files.serialise_rows(parsed.rows)}, salt=IMPORT_SALT, compress=True
            )
            context["confirm_form"] = RosterConfirmForm(initial={"payload": payload})
        status = 200 if parsed.ok else 422
        return render(request, "deputies/roster_import.html", context, status=status)
    return render(request, "deputies/roster_import.html", context, status=422 if form.errors else 200)


def _roster_import_confirm(request, body):
    form = RosterConfirmForm(request.POST)
    try:
        if not form.is_valid():
            raise signing.BadSignature
        data = signing.loads(form.cleaned_data["payload"], salt=IMPORT_SALT, max_age=IMPORT_MAX_AGE)
        term = get_object_or_404(Term, pk=data["term"], body=body)
        rows = roster_files.deserialise_rows(data["rows"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        # expired (older than IMPORT_MAX_AGE), altered, or not a preview at all: nothing is imported
        return refuse(request, partial(_roster_import_page, request, body),
                      _("The preview has expired or was altered. Upload the file again."), status=400)
    return act(request, page=partial(_roster_import_page, request, body),
               action=lambda: services.roster_import(term=term, rows=rows, acting_user=request.user),
               success=lambda mandates: _("%(n)s mandates imported.") % {"n": len(mandates)},
               done=f"{body_url(body)}?term={term.pk}")


def _roster_import_page(request, body, *, status=200):
    """The upload page again, with the messages saying why nothing was imported."""
    return render(request, "deputies/roster_import.html", {"body": body, "form": RosterUploadForm(body=body)},
                  status=status)


def body_url(body):
    return reverse("deputies:body", kwargs={"pk": body.pk})


@login_required
def me(request):
    today = timezone.localdate()
    return render(request, "deputies/me.html", {"mandates": selectors.mandates_of_user(request.user),
                                                "quarter": (today.year, (today.month - 1) // 3 + 1),
                                                "supervised": selectors.supervised_projects(request.user)})
