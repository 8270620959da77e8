"""Reads shared by the roster pages, the composition report and its exports."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.apps import apps
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from congress.models import CongressBody, Term
from deputies.models import Mandate, Person
from deputies.rules import SEAT_ROLES, seat_limit

AGE_BANDS = [
    (_("under 35"), 0, 35),
    (_("35–44"), 35, 45),
    (_("45–54"), 45, 55),
    (_("55–64"), 55, 65),
    (_("65 and over"), 65, 200),
]


def current_term(body: CongressBody, on_date: datetime.date | None = None) -> Term | None:
    on_date = on_date or timezone.localdate()
    return (
        Term.objects.filter(body=body, start_date__lte=on_date, end_date__gte=on_date).first()
        or Term.objects.filter(body=body).order_by("-number").first()
    )


def roster(term: Term, on_date: datetime.date | None = None):
    """The mandates of a term active on a date, with their people: one query."""
    on_date = on_date or timezone.localdate()
    return (
        Mandate.objects.filter(term=term).active_on(on_date)
        .select_related("person", "person__area", "term__body")
        .order_by("role", "person__name", "pk")
    )


def _birth_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


@dataclass
class Composition:
    body: CongressBody
    term: Term
    on_date: datetime.date
    seats_filled: int
    seat_limit: int | None
    fixed_attendees: int
    women: int
    community_workers: int
    age_bands: list[tuple[str, int]]
    education: list[tuple[str, int]]
    sectors: list[tuple[str, int]]
    affiliations: list[tuple[str, int]]

    def share(self, n: int) -> float:
        return round(100.0 * n / self.seats_filled, 1) if self.seats_filled else 0.0

    @property
    def women_share(self) -> float:
        return self.share(self.women)

    @property
    def community_worker_share(self) -> float:
        return self.share(self.community_workers)

    def table_rows(self):
        """Rows (section, item, count, share %) for the exports."""
        rows = [
            (_("Seats"), _("Seats filled"), self.seats_filled, ""),
            (_("Seats"), _("Authorised seats"), self.seat_limit or "", ""),
            (_("Seats"), _("Fixed attendees"), self.fixed_attendees, ""),
            (_("Gender"), _("Women"), self.women, self.women_share),
            (_("Community workers"), _("Community workers"), self.community_workers, self.community_worker_share),
        ]
        for section, items in ((_("Age"), self.age_bands), (_("Education"), self.education),
                               (_("Occupation sector"), self.sectors), (_("Political affiliation"), self.affiliations)):
            rows.extend((section, label, n, self.share(n)) for label, n in items)
        return rows


def composition(term: Term, on_date: datetime.date | None = None) -> Composition:
    """Who fills the seats of a term: four queries whatever the size of the body."""
    on_date = on_date or timezone.localdate()
    active = Mandate.objects.filter(term=term).active_on(on_date)
    seat = Q(role__in=SEAT_ROLES)
    age_aggregates = {}
    for i, (_label, low, high) in enumerate(AGE_BANDS):
        # age >= low  <=> born on or before (on_date - low years); age < high <=> born after (on_date - high years)
        age_aggregates[f"age_{i}"] = Count(
            "pk", filter=seat & Q(person__date_of_birth__lte=_birth_before(on_date, low),
                                  person__date_of_birth__gt=_birth_before(on_date, high))
        )
    totals = active.aggregate(
        n=Count("pk", filter=seat),
        women=Count("pk", filter=seat & Q(person__gender=Person.Gender.FEMALE)),
        community=Count("pk", filter=seat & Q(person__is_community_worker=True)),
        fixed=Count("pk", filter=Q(role=Mandate.Role.FIXED_ATTENDEE)),
        **age_aggregates,
    )
    seated = active.filter(seat)

    def breakdown(field, choices):
        counts = dict(seated.values_list(f"person__{field}").annotate(n=Count("pk")).order_by())
        return [(label, counts.get(value, 0)) for value, label in choices if counts.get(value, 0)]

    return Composition(
        body=term.body, term=term, on_date=on_date,
        seats_filled=totals["n"], seat_limit=seat_limit(term.body), fixed_attendees=totals["fixed"],
        women=totals["women"], community_workers=totals["community"],
        age_bands=[(label, totals[f"age_{i}"]) for i, (label, _lo, _hi) in enumerate(AGE_BANDS)],
        education=breakdown("education", Person.Education.choices),
        sectors=breakdown("sector", Person.Sector.choices),
        affiliations=breakdown("affiliation", Person.Affiliation.choices),
    )


def bodies_with_seats(user, on_date: datetime.date | None = None):
    """The bodies a staff member may see, each with its open seats counted: one query."""
    on_date = on_date or timezone.localdate()
    return (
        CongressBody.objects.in_scope(user)
        .select_related("division")
        .annotate(
            seated=Count(
                "terms__mandates",
                filter=Q(terms__start_date__lte=on_date, terms__end_date__gte=on_date,
                         terms__mandates__role__in=SEAT_ROLES, terms__mandates__start_date__lte=on_date)
                & (Q(terms__mandates__end_date__isnull=True) | Q(terms__mandates__end_date__gt=on_date)),
            )
        )
        .order_by("division__path", "kind")
    )


def mandates_of_user(user):
    if not user.is_authenticated:
        return Mandate.objects.none()
    return Mandate.objects.filter(person__user=user).select_related("term__body__division").order_by("-start_date")


def supervised_projects(user):
    """The livelihood projects the user supervises as a deputy (shown on /me/). The projects app sits above this
    one, so its model is reached by its lazy name; nothing of its code is called."""
    if not user.is_authenticated:
        return []
    Supervisor = apps.get_model("projects", "ProjectSupervisor")
    return (Supervisor.objects.filter(person__user=user, project__state__in=["implementation", "completed", "evaluated"])
            .select_related("project__body").order_by("project__year", "project__title"))
