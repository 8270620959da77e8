"""One way to turn a tablib dataset into a download, for every report."""

from django.http import Http404, HttpResponse

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def dataset_response(dataset, filename: str, fmt: str) -> HttpResponse:
    if fmt not in CONTENT_TYPES:
        raise Http404
    if fmt == "csv":
        # The BOM makes Excel read the Chinese as UTF-8.
        body = ("\ufeff" + dataset.export("csv")).encode("utf-8")
    else:
        body = dataset.export("xlsx")
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response
