"""The quarterly duty-points table (履职积分季度表), published to the body's staff and deputies."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from congress.exports import dataset_response
from deputies.predicates import points_bodies
from meetings import selectors


@login_required
def quarterly_points(request, pk, year, quarter):
    body = get_object_or_404(points_bodies(request.user), pk=pk)
    if not (2000 <= year <= 2100 and 1 <= quarter <= 4):
        raise Http404
    if request.GET.get("format") == "xlsx":
        return dataset_response(selectors.quarterly_dataset(body, year, quarter),
                                f"duty-points-{body.pk}-{year}Q{quarter}", "xlsx")
    start, end = selectors.quarter_range(year, quarter)
    prev = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
    nxt = (year, quarter + 1) if quarter < 4 else (year + 1, 1)
    return render(request, "meetings/quarterly_points.html", {
        "body": body, "year": year, "quarter": quarter, "start": start, "end": end, "prev": prev, "next": nxt,
        "rows": selectors.quarterly_table(body, year, quarter), "kinds": selectors.KINDS,
        "kind_labels": selectors.kind_labels(body), "current": selectors.quarter_of(timezone.localdate())})
