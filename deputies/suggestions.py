"""Services for deputies' suggestions and supervision groups."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from congress import workflows
from congress.models import User
from congress.predicates import manageable_accounts
from congress.services import audit_record
from congress.workdays import add_months, add_working_days
from deputies.models import (
    DutyActivity,
    HandlingUnit,
    Mandate,
    Suggestion,
    SuggestionExtension,
    SupervisionGroup,
)
from deputies.predicates import forget_unit_flags
from deputies.services import require_people_in_scope, update_with_people


class SuggestionError(ValidationError):
    pass


REPLY_MONTHS = 3  # a unit replies within three months of being assigned the suggestion
MAX_MONTHS = 6  # extensions put the reply off to six months at most
RETURN_WORKING_DAYS = 5  # a unit returns a misrouted suggestion within five working days


def default_due(day: datetime.date) -> datetime.date:
    """The reply is due three calendar months after the suggestion was (re)assigned."""
    return add_months(day, REPLY_MONTHS)


def return_deadline(s: Suggestion) -> datetime.date | None:
    """The last day the main unit may return the suggestion as misrouted: five working days after assignment."""
    return add_working_days(s.assigned_on, RETURN_WORKING_DAYS) if s.assigned_on else None


def _actor(user):
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def _check_authors(body, people, on):
    holders = set(Mandate.objects.filter(term__body=body, person__in=people).active_on(on).values_list("person_id", flat=True))
    outsiders = [p.name for p in people if p.pk not in holders]
    if outsiders:
        raise SuggestionError(_("Not deputies of this body: %(names)s.") % {"names": ", ".join(outsiders)})


@transaction.atomic
def suggestion_submit(*, body, lead, title: str, text: str, submitted_on: datetime.date, co_authors=(), meeting=None,
                      acting_user=None) -> Suggestion:
    if meeting is not None and meeting.body_id != body.pk:
        raise SuggestionError(_("The meeting belongs to another body."))
    _check_authors(body, [lead, *co_authors], submitted_on)
    s = Suggestion(body=body, lead=lead, title=title.strip(), text=text.strip(), submitted_on=submitted_on,
                   meeting=meeting)
    s.full_clean()
    s.save()
    s.co_authors.set([p for p in co_authors if p.pk != lead.pk])
    workflows.record(s, from_state="", actor=acting_user)
    audit_record(actor=acting_user, action="suggestion.submit", obj=s, division=body.division,
                 after={"title": s.title, "authors": 1 + len(co_authors)})
    return s


def _move(s: Suggestion, to: str, acting_user, note: str = "") -> None:
    workflows.transition(s, to, actor=acting_user, note=note, also=None, error=SuggestionError)


@transaction.atomic
def handling_unit_create(*, body, name: str, accounts=(), acting_user=None) -> HandlingUnit:
    unit = HandlingUnit(body=body, name=name.strip())
    unit.full_clean()
    unit.save()
    unit.accounts.set(accounts)
    forget_unit_flags([a.pk for a in accounts])
    audit_record(actor=acting_user, action="handling_unit.create", obj=unit, division=body.division,
                 after={"name": unit.name, "accounts": [a.username for a in accounts]})
    return unit


@transaction.atomic
def handling_unit_update(*, unit: HandlingUnit, name: str, accounts, acting_user=None) -> HandlingUnit:
    """Rename a unit or change who signs in for it; the accounts are ones the staff member may manage."""
    accounts = list(accounts)
    if acting_user is not None:
        allowed = set(manageable_accounts(acting_user).filter(pk__in=[a.pk for a in accounts]).values_list("pk", flat=True))
        if any(a.pk not in allowed for a in accounts) or any(a.is_staff for a in accounts):
            raise SuggestionError(_("A unit's accounts are sign-in accounts you manage, not staff accounts."))
    before = {"name": unit.name, "accounts": sorted(unit.accounts.values_list("username", flat=True))}
    touched = {a.pk for a in accounts} | set(unit.accounts.values_list("pk", flat=True))
    unit.name = name.strip()
    unit.full_clean()
    unit.save()
    unit.accounts.set(accounts)
    forget_unit_flags(touched)
    audit_record(actor=acting_user, action="handling_unit.update", obj=unit, division=unit.body.division,
                 before=before, after={"name": unit.name, "accounts": sorted(a.username for a in accounts)})
    return unit


@transaction.atomic
def handling_unit_account_create(*, unit: HandlingUnit, username: str, password: str, acting_user=None):
    """A sign-in account for a handling unit: not staff, no scope; it sees the unit's queue only."""
    user = User(username=username)
    user.set_password(password)
    user.full_clean()
    user.save()
    unit.accounts.add(user)
    forget_unit_flags([user.pk])
    audit_record(actor=acting_user, action="handling_unit.account_create", obj=unit, division=unit.body.division,
                 after={"username": username})
    return user


def _unit(body, unit) -> HandlingUnit:
    if isinstance(unit, HandlingUnit):
        if unit.body_id != body.pk:
            raise SuggestionError(_("The handling unit belongs to another body."))
        return unit
    if not (unit or "").strip():
        raise SuggestionError(_("Name the handling unit."))
    return HandlingUnit.objects.get_or_create(body=body, name=unit.strip()[:120])[0]


def _set_deadlines(s: Suggestion, on: datetime.date, due_date: datetime.date | None) -> None:
    s.assigned_on, s.due_limit = on, add_months(on, MAX_MONTHS)
    s.due_date, s.overdue = due_date or default_due(on), False
    if s.due_date < on:
        raise SuggestionError(_("The due date cannot be before the day of assignment."))
    if s.due_date > s.due_limit:
        raise SuggestionError(_("A reply is due at most six months after the suggestion was assigned (%(limit)s).")
                              % {"limit": s.due_limit.isoformat()})


@transaction.atomic
def suggestion_assign(*, suggestion: Suggestion, unit, assisting=(), due_date: datetime.date | None = None,
                      on: datetime.date | None = None, acting_user=None) -> Suggestion:
    """Assign (or, after a unit returned it, reassign) a suggestion to a main unit and assisting units. `unit` is a
    HandlingUnit or the name of one (created for the body if new). The reply is due three months on, unless
    staff set an earlier date; never more than six."""
    s = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
    main = _unit(s.body, unit)
    helpers = [_unit(s.body, u) for u in assisting]
    if main in helpers:
        raise SuggestionError(_("The main unit cannot also be an assisting unit."))
    was_returned_by = s.unit if s.state == Suggestion.State.RETURNED else ""
    s.main_unit, s.unit, s.return_reason = main, main.name, ""
    _set_deadlines(s, on or timezone.localdate(), due_date)
    _move(s, Suggestion.State.ASSIGNED, acting_user, s.unit)
    s.assisting_units.set(helpers)
    audit_record(actor=acting_user, action="suggestion.reassign" if was_returned_by else "suggestion.assign", obj=s,
                 division=s.body.division,
                 after={"unit": s.unit, "assisting": [u.name for u in helpers], "due": s.due_date.isoformat(),
                        **({"returned_by": was_returned_by} if was_returned_by else {})})
    return s


@transaction.atomic
def suggestion_return(*, suggestion: Suggestion, reason: str, on: datetime.date, on_behalf: bool = False,
                      acting_user=None) -> Suggestion:
    """The main unit sends a misrouted suggestion back, with its reason, within five working days of assignment.
    Staff may do it `on_behalf` of a unit that tells them by phone or letter: the same rule, and the audit row
    says so."""
    s = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
    if not reason.strip():
        raise SuggestionError(_("Say why the suggestion is not for your unit."))
    if s.state == Suggestion.State.ASSIGNED and on > return_deadline(s):
        raise SuggestionError(
            _("A misrouted suggestion is returned within %(n)s working days of assignment (by %(date)s); "
              "handle it, or ask the congress office.") % {"n": RETURN_WORKING_DAYS,
                                                           "date": return_deadline(s).isoformat()})
    s.return_reason = reason.strip()[:500]
    note = (_("returned by the congress office for the unit") + ": " if on_behalf else "") + s.return_reason
    _move(s, Suggestion.State.RETURNED, acting_user, note)
    audit_record(actor=acting_user, action="suggestion.return", obj=s, division=s.body.division,
                 after={"unit": s.unit, "reason": s.return_reason, "on": on.isoformat(),
                        **({"on_behalf_of": s.unit} if on_behalf else {})})
    return s


@transaction.atomic
def suggestion_extension_request(*, suggestion: Suggestion, until: datetime.date, reason: str, on: datetime.date,
                                 acting_user=None) -> SuggestionExtension:
    s = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
    if s.state != Suggestion.State.ASSIGNED:
        raise SuggestionError(_("Only a suggestion being handled can have its reply put off."))
    if not reason.strip():
        raise SuggestionError(_("Give the reason for the extension."))
    if until <= s.due_date:
        raise SuggestionError(_("The new due date comes after the current one (%(due)s).") % {"due": s.due_date.isoformat()})
    if until > s.due_limit:
        raise SuggestionError(_("A reply is due at most six months after the suggestion was assigned (%(limit)s).")
                              % {"limit": s.due_limit.isoformat()})
    if s.extensions.filter(state=SuggestionExtension.State.PENDING).exists():
        raise SuggestionError(_("This suggestion already has an extension request awaiting decision."))
    ext = SuggestionExtension.objects.create(suggestion=s, until=until, reason=reason.strip()[:500], requested_on=on,
                                             requested_by=_actor(acting_user))
    audit_record(actor=acting_user, action="suggestion.extension_request", obj=s, division=s.body.division,
                 after={"until": until.isoformat(), "reason": ext.reason})
    return ext


@transaction.atomic
def suggestion_extension_decide(*, extension: SuggestionExtension, approve: bool, note: str = "",
                                acting_user=None) -> SuggestionExtension:
    ext = SuggestionExtension.objects.select_for_update().select_related("suggestion").get(pk=extension.pk)
    if ext.state != SuggestionExtension.State.PENDING:
        raise SuggestionError(_("This extension request has already been decided."))
    s = Suggestion.objects.select_for_update().get(pk=ext.suggestion_id)
    if approve:
        if s.state != Suggestion.State.ASSIGNED:
            raise SuggestionError(_("Only a suggestion being handled can have its reply put off."))
        s.due_date, s.overdue = ext.until, False
        s.full_clean()
        s.save(update_fields=["due_date", "overdue"])
        workflows.record(s, from_state=s.state, actor=acting_user,
                         note=_("extended to %(date)s") % {"date": ext.until.isoformat()} + f": {ext.reason}")
    elif not note.strip():
        raise SuggestionError(_("Say why the extension is refused."))
    ext.state = SuggestionExtension.State.APPROVED if approve else SuggestionExtension.State.REFUSED
    ext.decided_by, ext.decision_note = _actor(acting_user), note.strip()[:300]
    ext.save()
    audit_record(actor=acting_user, action="suggestion.extension_decide", obj=s, division=s.body.division,
                 after={"until": ext.until.isoformat(), "state": ext.state, "note": ext.decision_note})
    return ext


@transaction.atomic
def suggestion_reply(*, suggestion: Suggestion, reply: str, on: datetime.date, confidential: bool = False,
                     acting_user=None) -> Suggestion:
    s = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
    if not reply.strip():
        raise SuggestionError(_("Write the unit's reply."))
    s.reply, s.replied_on, s.overdue, s.satisfaction = reply.strip(), on, False, ""
    s.confidential = confidential
    _move(s, Suggestion.State.ANSWERED, acting_user)
    audit_record(actor=acting_user, action="suggestion.reply", obj=s, division=s.body.division,
                 after={"replied_on": on.isoformat(), "confidential": confidential})
    return s


@transaction.atomic
def suggestion_evaluate(*, suggestion: Suggestion, satisfaction: str, on: datetime.date | None = None,
                        acting_user=None) -> Suggestion:
    """The lead deputy's verdict: satisfied (or basically) closes it; dissatisfied sends it back to the unit, to be
    handled again within three months of the verdict."""
    s = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
    if satisfaction not in Suggestion.Satisfaction.values:
        raise SuggestionError(_("Say whether you are satisfied with the handling."))
    if s.state != Suggestion.State.ANSWERED:
        raise SuggestionError(_("A suggestion is evaluated after the unit has replied."))
    s.satisfaction = satisfaction
    if satisfaction == Suggestion.Satisfaction.DISSATISFIED:
        s.times_reopened += 1
        _set_deadlines(s, on or timezone.localdate(), None)
        _move(s, Suggestion.State.ASSIGNED, acting_user, _("reopened: the deputy is dissatisfied"))
    else:
        _move(s, Suggestion.State.CLOSED, acting_user, s.get_satisfaction_display())
    audit_record(actor=acting_user, action="suggestion.evaluate", obj=s, division=s.body.division,
                 after={"satisfaction": satisfaction, "state": s.state})
    return s


@transaction.atomic
def suggestions_flag_overdue(*, on_date: datetime.date) -> int:
    return Suggestion.objects.filter(state=Suggestion.State.ASSIGNED, due_date__lt=on_date, overdue=False).update(overdue=True)


@transaction.atomic
def supervision_group_create(*, body, name: str, members=(), matters: str = "", acting_user=None) -> SupervisionGroup:
    members = list(members)
    require_people_in_scope(acting_user, members)
    g = SupervisionGroup(body=body, name=name, matters=matters)
    g.full_clean()
    g.save()
    g.members.set(members)
    audit_record(actor=acting_user, action="supervision_group.create", obj=g, division=body.division,
                 after={"name": name, "members": len(members)})
    return g


@transaction.atomic
def duty_activity_record(*, body, kind: str, date: datetime.date, title: str, participants, acting_user=None):
    participants = list(participants)
    require_people_in_scope(acting_user, participants)
    _check_authors(body, participants, date)
    a = DutyActivity(body=body, kind=kind, date=date, title=title)
    a.full_clean()
    a.save()
    a.participants.set(participants)
    audit_record(actor=acting_user, action="duty_activity.record", obj=a, division=body.division,
                 after={"kind": kind, "participants": len(participants)})
    return a


@transaction.atomic
def supervision_group_update(*, group: SupervisionGroup, acting_user=None, members=None, **fields) -> SupervisionGroup:
    return update_with_people(group, allowed=("name", "matters"), fields=fields, relation="members", people=members,
                              acting_user=acting_user, action="supervision_group.update",
                              division=lambda g: g.body.division)


@transaction.atomic
def duty_activity_update(*, activity, acting_user=None, participants=None, **fields):
    """Correct a recorded duty activity; its participants stay deputies of the body, within scope."""
    return update_with_people(activity, allowed=("kind", "date", "title"), fields=fields, relation="participants",
                              people=participants, acting_user=acting_user, action="duty_activity.update",
                              division=lambda a: a.body.division,
                              check=lambda a, people: _check_authors(a.body, people, a.date))
