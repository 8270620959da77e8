"""Who may do what with suggestions and duty reports, beyond staff scope (congress.predicates).

A handling unit's account (承办单位) is a plain sign-in account listed in HandlingUnit.accounts: it sees the
suggestions its units handle (as main or assisting unit) and acts only on those its unit leads.
"""

from __future__ import annotations

from django.core.cache import cache
from django.db import transaction
from django.db.models import Q

from congress.models import CongressBody
from congress.predicates import is_scoped_staff
from deputies.models import HandlingUnit, Suggestion


def _active(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def units_of(user):
    if not _active(user):
        return HandlingUnit.objects.none()
    return HandlingUnit.objects.filter(accounts=user)


def is_unit_account(user) -> bool:
    return units_of(user).exists()


UNIT_FLAG_SECONDS = 300  # how long the nav may show a stale unit link if the cache could not be told


def _flag_key(user_id) -> str:
    return f"unit-account:{user_id}"


def shows_unit_queue(user) -> bool:
    """For the nav on every page, deputies' too: the answer is kept in the cache a few minutes, so a deputy's vote
    (a counted statement budget) pays no query for it; the unit's pages ask `is_unit_account` itself."""
    if not _active(user):
        return False
    flag = cache.get(_flag_key(user.pk))
    if flag is None:
        flag = is_unit_account(user)
        cache.set(_flag_key(user.pk), flag, UNIT_FLAG_SECONDS)
    return flag


def forget_unit_flags(user_ids) -> None:
    """Called by the services that change a unit's accounts: now, and again once committed (a page in between
    may have cached the old answer)."""
    keys = [_flag_key(pk) for pk in user_ids]
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys))


def unit_queue(user):
    """The suggestions a unit account sees: its units' as main or assisting unit, once assigned."""
    units = units_of(user)
    return (Suggestion.objects.filter(Q(main_unit__in=units) | Q(assisting_units__in=units))
            .exclude(state=Suggestion.State.SUBMITTED).distinct())


def can_handle_as_main_unit(user, suggestion) -> bool:
    """Return, reply to and ask to extend: the main unit's accounts only, while it is with them."""
    return (suggestion.main_unit_id is not None and suggestion.state == "assigned"
            and units_of(user).filter(pk=suggestion.main_unit_id).exists())


def can_return_for_unit(user, suggestion, on) -> bool:
    """Staff in scope return a misrouted suggestion on its main unit's behalf, under the unit's own deadline."""
    from deputies.suggestions import return_deadline  # cycle: deputies.suggestions imports deputies.predicates

    return (is_scoped_staff(user) and suggestion.state == "assigned" and suggestion.main_unit_id is not None
            and on <= return_deadline(suggestion)
            and type(suggestion).objects.in_scope(user).filter(pk=suggestion.pk).exists())


def points_bodies(user):
    """The bodies whose quarterly points table a user may read: staff, those in scope; a deputy, those they
    hold a current mandate in."""
    if not _active(user):
        return CongressBody.objects.none()
    if is_scoped_staff(user):
        return CongressBody.objects.in_scope(user)
    person = getattr(user, "person", None)
    if person is None:
        return CongressBody.objects.none()
    return CongressBody.objects.filter(terms__mandates__person=person, terms__mandates__end_date__isnull=True).distinct()
