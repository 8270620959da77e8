"""Every write to the congress structure goes through here."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.forms.models import model_to_dict
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from congress.models import AuditLog, CongressBody, Division, Session, Term, User
from congress.predicates import can_manage_account, staff_divisions_grantable


def _jsonable(value):
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def snapshot(instance, fields=None) -> dict:
    """A JSON-safe view of a model instance for the audit log."""
    return {k: _jsonable(v) for k, v in model_to_dict(instance, fields=fields).items()}


def audit_record(*, actor: User | None, action: str, obj, division: Division | None = None,
                 before: dict | None = None, after: dict | None = None) -> AuditLog:
    changes = {}
    if before is not None:
        changes["before"] = before
    if after is not None:
        changes["after"] = after
    return AuditLog.objects.create(
        actor=actor if (actor is not None and actor.is_authenticated) else None,
        action=action,
        object_type=obj._meta.label,
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        division=division,
        changes=changes,
    )


def division_check(level: str, parent: Division | None) -> None:
    allowed = Division.PARENT_LEVELS[Division.Level(level)]
    if not allowed:
        if parent is not None:
            raise ValidationError(_("A municipality has no parent division."))
        return
    if parent is None or parent.level not in allowed:
        names = ", ".join(str(Division.Level(x).label) for x in allowed)
        raise ValidationError(
            _("A %(level)s must sit under: %(parents)s.") % {"level": Division.Level(level).label, "parents": names}
        )


@transaction.atomic
def division_create(*, code: str, name: str, level: str, parent: Division | None = None,
                    acting_user: User | None = None) -> Division:
    division_check(level, parent)
    path = f"{parent.path if parent else ''}{code}/"
    division = Division(code=code, name=name, level=level, parent=parent, path=path)
    division.full_clean()
    division.save()
    audit_record(actor=acting_user, action="division.create", obj=division, division=division, after=snapshot(division))
    return division


@transaction.atomic
def division_update(*, division: Division, name: str, acting_user: User | None = None) -> Division:
    before = snapshot(division)
    division.name = name
    division.full_clean()
    division.save(update_fields=["name"])
    audit_record(actor=acting_user, action="division.update", obj=division, division=division,
                 before=before, after=snapshot(division))
    return division


def body_check(kind: str, division: Division, parent: CongressBody | None, seats: int | None) -> None:
    allowed = CongressBody.KINDS_BY_LEVEL.get(Division.Level(division.level), ())
    if kind not in allowed:
        if kind == CongressBody.Kind.DELIBERATION_CONGRESS:
            raise ValidationError(_("A deliberation deputies' congress sits only in a sub-district."))
        if division.level == Division.Level.SUBDISTRICT:
            raise ValidationError(
                _("A sub-district has no people's congress; it has a deliberation deputies' congress instead.")
            )
        raise ValidationError(
            _("A %(kind)s cannot sit in a %(level)s.")
            % {"kind": CongressBody.Kind(kind).label, "level": Division.Level(division.level).label}
        )
    parent_kind = CongressBody.PARENT_KIND.get(CongressBody.Kind(kind))
    if parent_kind:
        if parent is None or parent.kind != parent_kind or parent.division_id != division.pk:
            raise ValidationError(
                _("A %(kind)s belongs to the %(parent)s of the same division.")
                % {"kind": CongressBody.Kind(kind).label, "parent": CongressBody.Kind(parent_kind).label}
            )
    elif parent is not None:
        raise ValidationError(_("A congress has no parent body."))
    if kind == CongressBody.Kind.DELIBERATION_CONGRESS and seats is not None and seats > CongressBody.MAX_DELIBERATION_SEATS:
        raise ValidationError(_("A sub-district deliberation congress has at most 100 seats."))


@transaction.atomic
def body_create(*, name: str, kind: str, division: Division, parent: CongressBody | None = None,
                seats: int | None = None, fixed_attendees_vote: bool = False, min_close_turnout_percent: int = 50,
                acting_user: User | None = None) -> CongressBody:
    body_check(kind, division, parent, seats)
    body = CongressBody(name=name, kind=kind, division=division, parent=parent, seats=seats,
                        fixed_attendees_vote=fixed_attendees_vote, min_close_turnout_percent=min_close_turnout_percent)
    body.full_clean()
    body.save()
    audit_record(actor=acting_user, action="body.create", obj=body, division=division, after=snapshot(body))
    return body


COLOUR_FIELDS = ("colour_yellow_below", "colour_orange_below", "colour_red_below", "supervision_task_days")


@transaction.atomic
def body_update(*, body: CongressBody, acting_user: User | None = None, **fields) -> CongressBody:
    before = snapshot(body)
    allowed = {"name", "seats", "fixed_attendees_vote", "min_close_turnout_percent", *COLOUR_FIELDS}
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"body_update cannot change {sorted(unknown)}")
    for key, value in fields.items():
        setattr(body, key, value)
    body_check(body.kind, body.division, body.parent, body.seats)
    body.full_clean()
    body.save()
    audit_record(actor=acting_user, action="body.update", obj=body, division=body.division,
                 before=before, after=snapshot(body))
    return body


def five_years_after(start: datetime.date) -> datetime.date:
    try:
        return start.replace(year=start.year + Term.LENGTH_YEARS) - datetime.timedelta(days=1)
    except ValueError:  # 29 February
        return start.replace(year=start.year + Term.LENGTH_YEARS, day=28)


def term_check(*, body: CongressBody, start_date: datetime.date, end_date: datetime.date) -> None:
    # Elections slip by weeks, never by years: a term is five years, give or take a season.
    if not (datetime.timedelta(days=365 * 4 + 250) <= end_date - start_date <= datetime.timedelta(days=365 * 5 + 120)):
        raise ValidationError(_("A term lasts five years: the end date must be about five years after the start."))
    if Term.objects.filter(body=body, start_date__lt=end_date, end_date__gt=start_date).exists():
        raise ValidationError(_("This term overlaps another term of the same body."))


@transaction.atomic
def term_create(*, body: CongressBody, number: int, start_date: datetime.date,
                end_date: datetime.date | None = None, acting_user: User | None = None) -> Term:
    end_date = end_date or five_years_after(start_date)
    term_check(body=body, start_date=start_date, end_date=end_date)
    term = Term(body=body, number=number, start_date=start_date, end_date=end_date)
    term.full_clean()
    term.save()
    audit_record(actor=acting_user, action="term.create", obj=term, division=body.division, after=snapshot(term))
    return term


@transaction.atomic
def session_create(*, term: Term, number: int, start_date: datetime.date,
                   end_date: datetime.date | None = None, acting_user: User | None = None) -> Session:
    if not term.covers(start_date):
        raise ValidationError(_("A session is held within its term."))
    session = Session(term=term, number=number, start_date=start_date, end_date=end_date)
    session.full_clean()
    session.save()
    audit_record(actor=acting_user, action="session.create", obj=session, division=term.body.division,
                 after=snapshot(session))
    return session


STAFF_GROUP = "congress-office-staff"
STAFF_APPS = ("congress", "deputies", "projects", "meetings")


def staff_group():
    """The permission group every congress-office account belongs to; scope narrows what it sees."""
    group, _created = Group.objects.get_or_create(name=STAFF_GROUP)
    perms = Permission.objects.filter(content_type__app_label__in=STAFF_APPS).exclude(
        content_type__model="user", codename__in=["add_user", "delete_user"]
    )
    group.permissions.set(perms)
    return group


@transaction.atomic
def staff_account_create(*, username: str, password: str, division: Division, email: str = "",
                         first_name: str = "", acting_user: User | None = None) -> User:
    user = User(username=username, email=email, first_name=first_name, is_staff=True, division=division)
    user.set_password(password)
    user.full_clean()
    user.save()
    user.groups.add(staff_group())
    audit_record(actor=acting_user, action="account.create_staff", obj=user, division=division,
                 after={"username": username, "division": division.pk})
    return user


# --- Managing sign-in accounts: who may is decided by congress.predicates.manageable_accounts ------------------

# What a staff member (not a superuser) may change on an account they manage. Sign-in name, staff and
# superuser rights, groups and permissions are for superusers only.
ACCOUNT_FIELDS_STAFF = {"first_name", "last_name", "email", "is_active", "division"}
ACCOUNT_FIELDS_SUPERUSER = ACCOUNT_FIELDS_STAFF | {"username", "is_staff", "is_superuser", "groups", "user_permissions"}


def _require_manageable(account: User, acting_user: User | None) -> None:
    if acting_user is not None and not can_manage_account(acting_user, account):
        raise ValidationError(_("You may not manage this account: it belongs to a level above your scope."))


def account_check(*, account: User, acting_user: User | None, fields: dict) -> None:
    """Refuse, before anything is written, a change the acting staff member may not make."""
    _require_manageable(account, acting_user)
    if acting_user is None:
        return
    allowed = ACCOUNT_FIELDS_SUPERUSER if acting_user.is_superuser else ACCOUNT_FIELDS_STAFF
    refused = sorted(set(fields) - allowed)
    if refused:
        raise ValidationError(_("Only a superuser may change: %(fields)s.") % {"fields": ", ".join(refused)})
    division = fields.get("division", account.division)
    if "division" in fields and division is not None and not staff_divisions_grantable(acting_user).filter(
            pk=division.pk).exists():
        raise ValidationError(_("You may give a staff scope only below your own division."))
    if fields.get("is_staff", account.is_staff) and division is None and not fields.get(
            "is_superuser", account.is_superuser):
        raise ValidationError(_("A staff account needs a staff scope."))


@transaction.atomic
def account_update(*, account: User, acting_user: User | None, **fields) -> User:
    account_check(account=account, acting_user=acting_user, fields=fields)
    unknown = set(fields) - ACCOUNT_FIELDS_SUPERUSER
    if unknown:
        raise ValueError(f"account_update cannot change {sorted(unknown)}")
    fields_plain = {k: v for k, v in fields.items() if k not in ("groups", "user_permissions")}
    before = snapshot(account, fields=sorted(fields_plain))
    for key, value in fields_plain.items():
        setattr(account, key, value)
    account.full_clean(exclude=["password"])
    account.save()
    for m2m in ("groups", "user_permissions"):
        if m2m in fields:
            getattr(account, m2m).set(fields[m2m])
    audit_record(actor=acting_user, action="account.update", obj=account, division=_account_division(account),
                 before=before, after=snapshot(account, fields=sorted(fields_plain)))
    return account


def _account_division(account: User) -> Division | None:
    person = getattr(account, "person", None)
    return account.division or (person.area if person is not None else None)


@transaction.atomic
def account_password_set(*, account: User, password: str | None, acting_user: User | None) -> User:
    """Staff set (or, with None, disable) another person's password. Audited; the holder is told by e-mail."""
    _require_manageable(account, acting_user)
    if password is None:
        account.set_unusable_password()
    else:
        account.set_password(password)
    account.save(update_fields=["password"])
    audit_record(actor=acting_user, action="account.password_reset" if password else "account.password_disable",
                 obj=account, division=_account_division(account),
                 after={"notified": bool(account.email)})  # never the password or its hash
    if account.email:
        transaction.on_commit(lambda: _tell_password_changed(account, acting_user, disabled=password is None))
    return account


def _tell_password_changed(account: User, acting_user: User | None, *, disabled: bool) -> None:
    # Accounts carry no language of their own yet: the site's language is the users' language.
    with translation.override(getattr(account, "language", "") or settings.LANGUAGE_CODE):
        subject = _("Your password was changed by the congress office")
        if disabled:
            subject = _("Password sign-in to your account was disabled by the congress office")
        body = _(
            "Dear %(name)s,\n\nOn %(when)s the congress office (%(office)s) %(what)s for your account “%(username)s”.\n"
            "If you did not ask for this, contact the congress office at once.\n"
        ) % {
            "name": account.get_full_name() or account.username,
            "when": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
            "office": (acting_user.first_name or acting_user.username) if acting_user else pgettext("actor", "system"),
            "what": _("disabled password sign-in") if disabled else _("set a new password"),
            "username": account.username,
        }
    send_mail(str(subject), str(body), None, [account.email], fail_silently=False)
