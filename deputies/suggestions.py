"""Services for deputies' suggestions and supervision groups."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from congress.services import audit_record
from deputies.models import Mandate, Suggestion, SuggestionTransition, SupervisionGroup
from deputies.services import require_people_in_scope, update_with_people


class SuggestionError(ValidationError):
    pass


def default_due(day: datetime.date) -> datetime.date:
    """Units answer within SUGGESTION_DUE_DAYS (three months by default)."""
    return day + datetime.timedelta(days=getattr(settings, "SUGGESTION_DUE_DAYS", 90))


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
    SuggestionTransition.objects.create(suggestion=s, from_state="", to_state=s.state, by=_actor(acting_user))
    audit_record(actor=acting_user, action="suggestion.submit", obj=s, division=body.division,
                 after={"title": s.title, "authors": 1 + len(co_authors)})
    return s


def _move(s: Suggestion, to: str, acting_user, note: str = "") -> None:
    frm = s.state
    if to not in Suggestion.TRANSITIONS[Suggestion.State(frm)]:
        raise SuggestionError(
            _("A suggestion that is “%(from)s” cannot become “%(to)s”.")
            % {"from": Suggestion.State(frm).label, "to": Suggestion.State(to).label}
        )
    s.state = to
    s.save()
    SuggestionTransition.objects.create(suggestion=s, from_state=frm, to_state=to, by=_actor(acting_user), note=note[:300])


@transaction.atomic
def suggestion_assign(*, suggestion: Suggestion, unit: str, due_date: datetime.date | None = None,
                      acting_user=None) -> Suggestion:
    s = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
    if not unit.strip():
        raise SuggestionError(_("Name the handling unit."))
    s.unit, s.due_date, s.overdue = unit.strip(), due_date or default_due(s.submitted_on), False
    _move(s, Suggestion.State.ASSIGNED, acting_user, s.unit)
    audit_record(actor=acting_user, action="suggestion.assign", obj=s, division=s.body.division,
                 after={"unit": s.unit, "due": s.due_date.isoformat()})
    return s


@transaction.atomic
def suggestion_reply(*, suggestion: Suggestion, reply: str, on: datetime.date, acting_user=None) -> Suggestion:
    s = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
    if not reply.strip():
        raise SuggestionError(_("Write the unit's reply."))
    s.reply, s.replied_on, s.overdue, s.satisfaction = reply.strip(), on, False, ""
    _move(s, Suggestion.State.ANSWERED, acting_user)
    audit_record(actor=acting_user, action="suggestion.reply", obj=s, division=s.body.division,
                 after={"replied_on": on.isoformat()})
    return s


@transaction.atomic
def suggestion_evaluate(*, suggestion: Suggestion, satisfaction: str, acting_user=None) -> Suggestion:
    """The lead deputy's verdict: satisfied closes it, dissatisfied sends it back to the unit."""
    s = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
    if satisfaction not in Suggestion.Satisfaction.values:
        raise SuggestionError(_("Say whether you are satisfied with the handling."))
    if s.state != Suggestion.State.ANSWERED:
        raise SuggestionError(_("A suggestion is evaluated after the unit has replied."))
    s.satisfaction = satisfaction
    if satisfaction == Suggestion.Satisfaction.DISSATISFIED:
        s.times_reopened += 1
        s.due_date = default_due(s.replied_on or s.submitted_on)
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
    from deputies.models import DutyActivity

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
