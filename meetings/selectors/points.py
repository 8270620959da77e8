"""Duty points (履职积分) counted: approved self-reported activities, plus meetings attended, suggestions submitted
and reception days on duty, counted from the records already kept. In meetings, as it reads meetings; the quarterly
table's page and XLSX and the duty record (overview) show it."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

import tablib
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from deputies.models import DutyReport, Mandate, Person, PointKind, Reception, Suggestion
from deputies.points import rules_of
from meetings.models import Attendee

KINDS = [k.value for k in PointKind]


def quarter_range(year: int, quarter: int) -> tuple[datetime.date, datetime.date]:
    if quarter not in (1, 2, 3, 4):
        raise ValueError("quarter is 1 to 4")
    start = datetime.date(year, 3 * quarter - 2, 1)
    nxt = datetime.date(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1)
    return start, nxt - datetime.timedelta(days=1)


def quarter_of(day: datetime.date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


@dataclass
class PointsRow:
    person: Person
    counts: dict = field(default_factory=dict)
    total: int = 0


def _counts(body, start, end, people=None) -> dict[int, dict[str, int]]:
    """{person id: {kind: count}} for the body and period: four grouped queries."""
    out: dict[int, dict[str, int]] = defaultdict(dict)

    def add(rows, kind=None):
        for pid, k, n in rows:
            out[pid][kind or k] = out[pid].get(kind or k, 0) + n

    who = {} if people is None else {"person__in": people}
    add(DutyReport.objects.filter(body=body, state=DutyReport.State.APPROVED, date__range=(start, end), **who)
        .values_list("person", "kind").annotate(n=Count("pk")).order_by())
    add(Attendee.objects.filter(meeting__body=body, status=Attendee.Status.PRESENT, meeting__date__range=(start, end),
                                **who).values_list("person", "status").annotate(n=Count("pk")).order_by(), "meeting")
    sugg = Suggestion.objects.filter(body=body, submitted_on__range=(start, end))
    authors = defaultdict(set)
    for s_id, lead, co in sugg.values_list("pk", "lead", "co_authors"):
        authors[lead].add(s_id)
        if co:
            authors[co].add(s_id)
    for pid, ids in authors.items():
        if people is None or pid in {p.pk for p in people}:
            out[pid]["suggestion"] = len(ids)
    rec = Reception.objects.filter(station__division__path__startswith=body.division.path, date__range=(start, end))
    if people is not None:
        rec = rec.filter(on_duty__in=people)
    for pid, n in rec.values_list("on_duty").annotate(n=Count("pk", distinct=True)).order_by():
        if people is None or pid in {p.pk for p in people}:
            out[pid]["station_duty"] = n
    return out


def _row(person, counts, rules) -> PointsRow:
    return PointsRow(person=person, counts={k: counts.get(k, 0) for k in KINDS},
                     total=sum(counts.get(k, 0) * rules[k] for k in KINDS))


def person_points(person, body, start: datetime.date, end: datetime.date) -> PointsRow:
    return _row(person, _counts(body, start, end, [person]).get(person.pk, {}), rules_of(body))


def quarterly_table(body, year: int, quarter: int) -> list[PointsRow]:
    """Every deputy seated in the body during the quarter, highest points first."""
    start, end = quarter_range(year, quarter)
    seated = Person.objects.filter(pk__in=Mandate.objects.filter(term__body=body, start_date__lte=end)
                                   .filter(Q(end_date__isnull=True) | Q(end_date__gte=start)).values("person"))
    counts, rules = _counts(body, start, end), rules_of(body)
    rows = [_row(p, counts.get(p.pk, {}), rules) for p in seated.order_by("name")]
    return sorted(rows, key=lambda r: -r.total)


def kind_labels(body) -> list[str]:
    rules = rules_of(body)
    return [f"{PointKind(k).label} (×{rules[k]})" for k in KINDS]


def quarterly_dataset(body, year: int, quarter: int) -> tablib.Dataset:
    data = tablib.Dataset(headers=[_("Deputy"), *kind_labels(body), _("Points")])
    for r in quarterly_table(body, year, quarter):
        data.append([r.person.name, *[r.counts[k] for k in KINDS], r.total])
    data.title = f"{year}Q{quarter}"
    return data
