"""One way to turn a tablib dataset (or a book of them) into a download, for every report and export.

Every cell goes through `neutralise()` here, and nowhere else: a text that a spreadsheet would take for a
formula (it begins with =, +, -, @, a tab or a carriage return) is prefixed with a single quote, so that a
suggestion titled `=HYPERLINK(...)` is text in the file, not a live formula (CSV injection). Numbers, dates and
empty cells are left as they are: only strings are neutralised.
"""

import tablib
from django.http import Http404, HttpResponse
from django.utils.functional import Promise

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """A cell's value as it may be written to a CSV or XLSX file."""
    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def restore(value):
    """The inverse of neutralise() for a file read back in (the roster import reads its own export)."""
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


def _safe_dataset(dataset: tablib.Dataset) -> tablib.Dataset:
    headers = [neutralise(h) for h in dataset.headers] if dataset.headers else None
    safe = tablib.Dataset(headers=headers, title=dataset.title)
    for row in dataset:
        safe.append([neutralise(v) for v in row])
    return safe


def safe_export(data, fmt: str) -> bytes | str:
    """`data.export(fmt)` with every cell neutralised; data is a tablib Dataset or Databook (xlsx only)."""
    if isinstance(data, tablib.Databook):
        return tablib.Databook([_safe_dataset(sheet) for sheet in data.sheets()]).export(fmt)
    return _safe_dataset(data).export(fmt)


def dataset_response(data, filename: str, fmt: str) -> HttpResponse:
    if fmt not in CONTENT_TYPES or (isinstance(data, tablib.Databook) and fmt != "xlsx"):
        raise Http404
    if fmt == "csv":
        # The BOM makes Excel read the Chinese as UTF-8.
        body = ("\ufeff" + safe_export(data, "csv")).encode("utf-8")
    else:
        body = safe_export(data, "xlsx")
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response
