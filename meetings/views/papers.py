"""A meeting's printed papers: the sign-in sheet with each deputy's code, the paper ballot and survey forms."""

import segno
from django.template.loader import render_to_string
from django.urls import reverse

from congress.decorators import staff_required
from congress.printing import pdf_response
from meetings.views.meetings import _meeting_in_scope
from projects.models import Ballot

_pdf_response = pdf_response


@staff_required
def sign_in_sheet(request, pk):
    meeting = _meeting_in_scope(request, pk)
    base = request.build_absolute_uri(reverse("meetings:sign_in", kwargs={"pk": meeting.pk}))
    rows = []
    for a in meeting.attendees.select_related("person").order_by("-voting", "person__name"):
        qr = segno.make(f"{base}?code={a.sign_in_code}", error="m").svg_inline(scale=2, border=1)
        rows.append({"attendee": a, "qr": qr})
    html = render_to_string("meetings/print/sign_in_sheet.html", {"meeting": meeting, "rows": rows})
    return _pdf_response(html, f"sign-in-{meeting.pk}.pdf")


@staff_required
def paper_forms(request, pk):
    meeting = _meeting_in_scope(request, pk)
    ballots = Ballot.objects.filter(agenda_items__meeting=meeting).select_related("poll").prefetch_related(
        "candidates__project").distinct()
    html = render_to_string("meetings/print/paper_forms.html", {
        "meeting": meeting, "ballots": ballots, "surveys": meeting.surveys.prefetch_related("items").order_by("pk")})
    return _pdf_response(html, f"paper-forms-{meeting.pk}.pdf")
