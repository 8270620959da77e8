"""The one workflow primitive: every state machine's moves are checked, made and recorded here.

A model declares its table beside the field it governs: `TRANSITIONS` for `state` (or for the field named by
`STATE_FIELD`), `<FIELD>_TRANSITIONS` for any other field (`TALLY_STATE_TRANSITIONS` for `tally_state`), each
mapping a state to the states it may move to. Optional `ACTIONS` (`<FIELD>_ACTIONS`) name moves for templates and
services: an action is a target state (allowed wherever the table allows that target) or a pair (target, states)
for a move made only under its name — a finished count is queued again only by "count_again", never by a plain
move to "queued". `REFUSED_MOVE` is the model's message for a refused move (with %(from)s and %(to)s).

A model whose moves are kept has a `TransitionRecord` subclass pointing to it; `transition()` writes one row
per move. Services keep their own checks, audit rows and side effects; they call `transition()` for the move.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

__all__ = ["TransitionError", "TransitionRecord", "allowed", "can", "check", "record", "sources", "state_fields",
           "transition", "update"]


class TransitionError(ValidationError):
    """A move the model's table does not allow; its message names both states."""


class TransitionRecord(models.Model):
    """One move of a state machine, with who and when: a concrete subclass adds the foreign key to its model (with
    related_name="transitions") and its `from_state`/`to_state` fields, whose length and choices are its model's."""

    at = models.DateTimeField(gettext_lazy("time"), auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=gettext_lazy("by"), null=True, blank=True,
                           on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(gettext_lazy("note"), max_length=300, blank=True)

    class Meta:
        abstract = True
        ordering = ["at", "id"]

    def __str__(self):
        subject = next(f for f in self._meta.fields if f.is_relation and f.name != "by")
        return f"{getattr(self, subject.name)} {self.from_state}→{self.to_state}"


def state_fields(choices, max_length: int) -> tuple[models.CharField, models.CharField]:
    """A record's `from_state` ("" for the first row, when the object is created) and `to_state`."""
    return (models.CharField(gettext_lazy("from"), max_length=max_length, choices=choices, blank=True),
            models.CharField(gettext_lazy("to"), max_length=max_length, choices=choices))


def _field(model, field: str | None) -> str:
    return field or getattr(model, "STATE_FIELD", "state")


def _attr(model, field: str, suffix: str):
    main = getattr(model, "STATE_FIELD", "state")
    return getattr(model, suffix if field == main else f"{field.upper()}_{suffix}", None)


def _table(model, field: str) -> dict:
    table = _attr(model, field, "TRANSITIONS")
    if table is None:
        raise ImproperlyConfigured(f"{model.__name__}.{field} has no transition table")
    return table


def _actions(model, field: str) -> dict:
    return _attr(model, field, "ACTIONS") or {}


def _label(model, field: str, value) -> str:
    f = model._meta.get_field(field)
    return str(dict(f.flatchoices).get(value, value))


def _resolve(model, field: str, frm: str, to: str) -> str | None:
    """The target state of the move (a state or an action) from `frm`, or None when it is not allowed."""
    action = _actions(model, field).get(to)
    if isinstance(action, tuple):
        target, states = action
        return target if frm in states else None
    target = action if action is not None else to
    return target if target in _table(model, field).get(frm, ()) else None


def allowed(obj, field: str | None = None) -> tuple[str, ...]:
    """The states `obj` may move to now, the named-only moves included."""
    model, field = type(obj), _field(type(obj), field)
    frm = getattr(obj, field)
    targets = list(_table(model, field).get(frm, ()))
    for action in _actions(model, field).values():
        if isinstance(action, tuple) and frm in action[1] and action[0] not in targets:
            targets.append(action[0])
    return tuple(targets)


def can(obj, action: str, field: str | None = None) -> bool:
    """May `obj` make this move now? `action` is a target state or one of the model's named actions."""
    model, field = type(obj), _field(type(obj), field)
    return _resolve(model, field, getattr(obj, field), action) is not None


def sources(model, to: str, field: str | None = None) -> tuple[str, ...]:
    """The states from which a move to `to` (a state or an action) is allowed: for guarded queryset updates."""
    field = _field(model, field)
    return tuple(s for s in _table(model, field) if _resolve(model, field, s, to) is not None)


def update(queryset, to: str, *, field: str | None = None, **values) -> int:
    """Move the rows of `queryset` that may make the move, in one UPDATE (a task's progress, a failure marked after
    commit): rows in a state the table does not allow are left as they are. No record is written."""
    model = queryset.model
    field = _field(model, field)
    target = _actions(model, field).get(to, to)
    target = target[0] if isinstance(target, tuple) else target
    return queryset.filter(**{f"{field}__in": sources(model, to, field)}).update(**{field: target}, **values)


def _record_model(model, field: str):
    if field != getattr(model, "STATE_FIELD", "state"):
        return None, None
    for rel in model._meta.related_objects:
        if isinstance(rel.related_model, type) and issubclass(rel.related_model, TransitionRecord):
            return rel.related_model, rel.field.name
    return None, None


def check(obj, to: str, *, field: str | None = None, error: type[ValidationError] = TransitionError) -> str:
    """The state `obj` would move to by `to` (a state or a named action); raises `error`, whose message names both
    states, when its table refuses the move. Changes nothing: for code that sets and saves the state itself."""
    model, field = type(obj), _field(type(obj), field)
    frm = getattr(obj, field)
    target = _resolve(model, field, frm, to)
    if target is None:
        action = _actions(model, field).get(to, to)
        shown = action[0] if isinstance(action, tuple) else action
        message = _attr(model, field, "REFUSED_MOVE") or _("“%(from)s” cannot become “%(to)s”.")
        labels = {"from": _label(model, field, frm), "to": _label(model, field, shown)}
        raise error(str(message) % (labels | {"state": labels["from"]}))
    return target


def transition(obj, to: str, *, actor=None, note: str = "", field: str | None = None,
               also: Iterable[str] | None = (), error: type[ValidationError] = TransitionError) -> str:
    """Move `obj` to `to` (a state or a named action) if its table allows it, save it and record the move.

    Saves the state field and the fields named in `also` (None: the whole row); raises `error` (see `check`) on a
    refused move. Returns the state moved from.
    """
    field = _field(type(obj), field)
    frm = getattr(obj, field)
    setattr(obj, field, check(obj, to, field=field, error=error))
    obj.save(update_fields=None if also is None else [field, *also])
    record, subject = _record_model(type(obj), field)
    if record is not None:
        _write(record, subject, obj, frm, getattr(obj, field), actor, note)
    return frm


def _write(record, subject: str, obj, frm: str, to: str, actor, note: str) -> None:
    row = {subject: obj, "from_state": frm, "to_state": to,
           "by": actor if actor is not None and getattr(actor, "is_authenticated", False) else None}
    if any(f.name == "note" for f in record._meta.fields):
        row["note"] = note[:300]
    record.objects.create(**row)


def record(obj, *, from_state: str, actor=None, note: str = "") -> None:
    """A history row that is not a move made by `transition`: from "" when the object is created, or from its state
    to itself for an event worth keeping in the history (a deadline put off)."""
    field = _field(type(obj), None)
    model, subject = _record_model(type(obj), field)
    _write(model, subject, obj, from_state, getattr(obj, field), actor, note)
