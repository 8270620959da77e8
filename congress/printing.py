"""Printed reports: HTML made for paper (templates/print/) turned into a PDF by WeasyPrint, for every app."""

from django.conf import settings
from django.http import HttpResponse


def pdf_from_html(html: str) -> bytes:
    import weasyprint  # heavy (Pango/Cairo): loaded only when a PDF is actually made

    return weasyprint.HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(
        pdf_identifier=b"renda-report", uncompressed_pdf=False)


def pdf_response(html: str, filename: str) -> HttpResponse:
    response = HttpResponse(pdf_from_html(html), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
