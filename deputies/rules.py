"""The eligibility and seat rules for mandates, written once for the admin form, the service and the roster import.

Each check returns messages that name the rule they enforce, so a staff
member knows what to fix without reading the law.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from congress.models import CongressBody, Term
from deputies.models import Mandate, Person

MIN_AGE = 18
MIN_YEARS_IN_AREA = 1
SEAT_ROLES = (Mandate.Role.DEPUTY, Mandate.Role.DELIBERATION_DEPUTY)


@dataclass
class RuleReport:
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def extend(self, other: RuleReport) -> None:
        self.errors.extend(other.errors)
        self.warnings.extend(other.warnings)


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def role_fits_body(role: str, body: CongressBody) -> str | None:
    if body.is_deliberation and role == Mandate.Role.DEPUTY:
        return _("Rule (roles): a deliberation congress seats deliberation deputies and fixed attendees, not deputies.")
    if not body.is_deliberation and role == Mandate.Role.DELIBERATION_DEPUTY:
        return _("Rule (roles): deliberation deputies sit only in a sub-district deliberation congress.")
    return None


def deliberation_eligibility(person: Person, body: CongressBody, on_date: datetime.date) -> list[str]:
    """The three personal conditions for a deliberation deputy (议事代表)."""
    errors = []
    if person.nationality != "CN":
        errors.append(
            _("Rule (nationality): a deliberation deputy must be a citizen of the People's Republic of China; "
              "nationality given: %(nat)s.") % {"nat": person.nationality}
        )
    if person.date_of_birth and person.date_of_birth > _years_before(on_date, MIN_AGE):
        errors.append(
            _("Rule (age): a deliberation deputy must be at least 18 years old on %(date)s; born %(dob)s.")
            % {"date": on_date.isoformat(), "dob": person.date_of_birth.isoformat()}
        )
    area = person.area if person.area_id else None
    if area is None or not area.is_within(body.division):
        errors.append(
            _("Rule (residence): a deliberation deputy must live or work in %(division)s; address area given: %(area)s.")
            % {"division": body.division.name, "area": area.name if area else "—"}
        )
    elif person.in_area_since and person.in_area_since > _years_before(on_date, MIN_YEARS_IN_AREA):
        errors.append(
            _("Rule (residence): a deliberation deputy must have lived or worked in %(division)s for at least "
              "one year by %(date)s; in the area since %(since)s.")
            % {"division": body.division.name, "date": on_date.isoformat(), "since": person.in_area_since.isoformat()}
        )
    return errors


def seat_limit(body: CongressBody) -> int | None:
    if body.is_deliberation:
        return min(body.seats or CongressBody.MAX_DELIBERATION_SEATS, CongressBody.MAX_DELIBERATION_SEATS)
    return body.seats


def seats_filled(term: Term) -> int:
    return Mandate.objects.filter(term=term, end_date__isnull=True, role__in=SEAT_ROLES).count()


def seat_check(term: Term, adding: int, filled: int | None = None) -> RuleReport:
    """Errors when `adding` more seated mandates would exceed the limit; warnings outside the usual 30–80."""
    report = RuleReport()
    body = term.body
    filled = seats_filled(term) if filled is None else filled
    after = filled + adding
    limit = seat_limit(body)
    if limit is not None and after > limit:
        if body.is_deliberation and limit == CongressBody.MAX_DELIBERATION_SEATS:
            report.errors.append(
                _("Rule (seats): a deliberation congress has at most 100 seats per term; "
                  "%(filled)s are filled and %(adding)s more were asked for.") % {"filled": filled, "adding": adding}
            )
        else:
            report.errors.append(
                _("Rule (seats): %(body)s has %(limit)s seats in this term; %(filled)s are filled and "
                  "%(adding)s more were asked for.") % {"body": body.name, "limit": limit, "filled": filled, "adding": adding}
            )
    elif body.is_deliberation and adding:
        low, high = CongressBody.USUAL_DELIBERATION_SEATS
        if not (low <= after <= high):
            report.warnings.append(
                _("Note (seats): a deliberation congress normally has 30 to 80 deliberation deputies; "
                  "this term will have %(after)s.") % {"after": after}
            )
    return report


def mandate_check(*, person: Person, term: Term, role: str, start_date: datetime.date,
                  check_seats: bool = True) -> RuleReport:
    report = RuleReport()
    body = term.body
    problem = role_fits_body(role, body)
    if problem:
        report.errors.append(problem)
    if not term.covers(start_date):
        report.errors.append(
            _("Rule (term): the mandate must start within the term (%(start)s to %(end)s).")
            % {"start": term.start_date.isoformat(), "end": term.end_date.isoformat()}
        )
    if role == Mandate.Role.DELIBERATION_DEPUTY:
        report.errors.extend(deliberation_eligibility(person, body, start_date))
    if person.pk and Mandate.objects.filter(person=person, term=term, end_date__isnull=True).exists():
        report.errors.append(_("Rule (one seat): this person already holds an open mandate in this term."))
    if check_seats and role in SEAT_ROLES:
        report.extend(seat_check(term, 1))
    return report
