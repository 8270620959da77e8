"""Every write to people, mandates and deputies' accounts goes through here."""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from congress.models import Division, Term
from congress.predicates import can_manage_division, people_outside_scope
from congress.services import audit_record, snapshot
from deputies import rules
from deputies.models import Mandate, Person

PERSON_FIELDS = (
    "name", "gender", "date_of_birth", "ethnicity", "nationality", "education", "sector", "affiliation",
    "phone", "is_community_worker", "area", "in_area_since",
)


def require_people_in_scope(acting_user, people, what: str = "") -> None:
    """Every person of a many-to-many write lies within the acting staff member's scope (by their bodies)."""
    outsiders = people_outside_scope(acting_user, list(people))
    if outsiders:
        raise ValidationError(
            _("Outside your scope (they hold no mandate in a body you manage): %(names)s.")
            % {"names": ", ".join(p.name for p in outsiders)}
        )


def update_with_people(obj, *, allowed, fields: dict, relation: str, people, acting_user, action: str, division,
                       check=None):
    """Change `fields` (among `allowed`) of a record and, when `people` is given, the people of its many-to-many
    `relation`, all within the acting staff member's scope; `check(obj, people)` may refuse the result. Audited
    with the fields and the people before and after. The caller holds the transaction."""
    unknown = set(fields) - set(allowed)
    if unknown:
        raise ValueError(f"{action} cannot change {sorted(unknown)}")
    obj = type(obj).objects.select_for_update().get(pk=obj.pk)

    def state(chosen):
        return {**snapshot(obj, fields=list(allowed)), relation: sorted(p.pk for p in chosen)}

    before = state(getattr(obj, relation).all())
    for key, value in fields.items():
        setattr(obj, key, value)
    chosen = list(people) if people is not None else list(getattr(obj, relation).all())
    if people is not None:
        require_people_in_scope(acting_user, chosen)
    if check is not None:
        check(obj, chosen)
    obj.full_clean()
    obj.save()
    if people is not None:
        getattr(obj, relation).set(chosen)
    audit_record(actor=acting_user, action=action, obj=obj, division=division(obj), before=before, after=state(chosen))
    return obj


@transaction.atomic
def person_create(*, acting_user=None, **fields) -> Person:
    unknown = set(fields) - set(PERSON_FIELDS)
    if unknown:
        raise ValueError(f"person_create got unknown fields {sorted(unknown)}")
    person = Person(**fields)
    person.full_clean()
    person.save()
    audit_record(actor=acting_user, action="person.create", obj=person, division=person.area, after=snapshot(person))
    return person


@transaction.atomic
def person_update(*, person: Person, acting_user=None, **fields) -> Person:
    unknown = set(fields) - set(PERSON_FIELDS)
    if unknown:
        raise ValueError(f"person_update got unknown fields {sorted(unknown)}")
    before = snapshot(person)
    for key, value in fields.items():
        setattr(person, key, value)
    person.full_clean()
    person.save()
    audit_record(actor=acting_user, action="person.update", obj=person, division=person.area,
                 before=before, after=snapshot(person))
    return person


def _lock_term(term: Term) -> Term:
    # Serialises seat counting: two staff adding the 100th seat at once cannot both succeed.
    return Term.objects.select_for_update().select_related("body__division").get(pk=term.pk)


@transaction.atomic
def mandate_create(*, person: Person, term: Term, role: str, start_date: datetime.date,
                   acting_user=None) -> tuple[Mandate, list[str]]:
    """Seat a person. Refuses whole with the rules broken; returns the mandate and any warnings."""
    term = _lock_term(term)
    report = rules.mandate_check(person=person, term=term, role=role, start_date=start_date)
    if not report.ok:
        raise ValidationError(report.errors)
    mandate = Mandate(person=person, term=term, role=role, start_date=start_date)
    mandate.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            mandate.save()
    except IntegrityError as exc:
        raise ValidationError(_("Rule (one seat): this person already holds an open mandate in this term.")) from exc
    audit_record(actor=acting_user, action="mandate.create", obj=mandate, division=term.body.division,
                 after=snapshot(mandate))
    return mandate, report.warnings


@transaction.atomic
def mandate_end(*, mandate: Mandate, end_date: datetime.date, reason: str, acting_user=None) -> Mandate:
    if mandate.end_date is not None:
        raise ValidationError(_("This mandate has already ended."))
    if reason not in Mandate.EndReason.values:
        raise ValidationError(_("Choose a reason for ending the mandate."))
    if end_date < mandate.start_date:
        raise ValidationError(_("A mandate ends after it starts."))
    before = snapshot(mandate)
    mandate.end_date = end_date
    mandate.end_reason = reason
    mandate.full_clean(validate_constraints=False)
    mandate.save(update_fields=["end_date", "end_reason"])
    audit_record(actor=acting_user, action="mandate.end", obj=mandate, division=mandate.term.body.division,
                 before=before, after=snapshot(mandate))
    return mandate


@transaction.atomic
def mandates_close_for_ended_terms(*, on_date: datetime.date) -> int:
    """End, with reason "term ended", every open mandate whose term is over. Running it again changes nothing."""
    ended = Mandate.objects.select_for_update().filter(end_date__isnull=True, term__end_date__lt=on_date)
    count = 0
    for mandate in ended.select_related("term__body__division"):
        before = snapshot(mandate)
        mandate.end_date = mandate.term.end_date
        mandate.end_reason = Mandate.EndReason.TERM_ENDED
        mandate.save(update_fields=["end_date", "end_reason"])
        audit_record(actor=None, action="mandate.end", obj=mandate, division=mandate.term.body.division,
                     before=before, after=snapshot(mandate))
        count += 1
    return count


@transaction.atomic
def deputy_account_create(*, person: Person, username: str | None = None, password: str | None = None,
                          acting_user=None) -> tuple[object, str]:
    """Give a deputy a sign-in account linked to their person. Returns the account and its initial password."""
    if person.user_id:
        raise ValidationError(_("%(name)s already has an account.") % {"name": person.name})
    User = get_user_model()
    username = username or f"d{person.pk:06d}"
    password = password or secrets.token_urlsafe(9)
    user = User(username=username, first_name=person.name, is_staff=False)
    user.set_password(password)
    user.full_clean()
    user.save()
    person.user = user
    person.save(update_fields=["user"])
    audit_record(actor=acting_user, action="account.create_deputy", obj=person, division=person.area,
                 after={"username": username})
    return user, password


@dataclass
class RosterRow:
    """One valid row of a roster file, ready to be seated."""

    line: int
    person_fields: dict
    role: str
    start_date: datetime.date


def find_existing_person(fields: dict) -> Person | None:
    """A roster row names an existing person when name, date of birth and area all match."""
    return Person.objects.filter(
        name=fields["name"], date_of_birth=fields["date_of_birth"], area=fields["area"]
    ).first()


@transaction.atomic
def roster_import(*, term: Term, rows: list[RosterRow], acting_user=None) -> list[Mandate]:
    """Seat every row or none. Rules are checked again here: the preview may be stale."""
    if acting_user is not None:
        outside = [_("Row %(line)s: the division %(code)s is outside your scope.")
                   % {"line": r.line, "code": r.person_fields["area"].code}
                   for r in rows if not can_manage_division(acting_user, r.person_fields["area"])]
        if outside:
            raise ValidationError(outside)
    term = _lock_term(term)
    seated_roles = [r for r in rows if r.role in rules.SEAT_ROLES]
    seat_report = rules.seat_check(term, len(seated_roles))
    if not seat_report.ok:
        raise ValidationError(seat_report.errors)
    mandates = []
    for row in rows:
        person = find_existing_person(row.person_fields)
        if person is None:
            person = person_create(acting_user=acting_user, **row.person_fields)
        report = rules.mandate_check(person=person, term=term, role=row.role, start_date=row.start_date,
                                     check_seats=False)
        if not report.ok:
            raise ValidationError([_("Row %(line)s: %(msg)s") % {"line": row.line, "msg": m} for m in report.errors])
        mandate = Mandate(person=person, term=term, role=row.role, start_date=row.start_date)
        mandate.save()
        mandates.append(mandate)
    audit_record(actor=acting_user, action="roster.import", obj=term, division=term.body.division,
                 after={"rows": len(rows)})
    return mandates


def division_for_code(code: str) -> Division | None:
    return Division.objects.filter(code=code).first()
