"""Who may do what. Views, templates and the admin ask these, and nothing else decides.

Staff scope: an account's division. Municipal staff see the whole city,
district staff their district and everything below it, town and sub-district
staff their own division. Superusers see everything.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import apps
from django.conf import settings
from django.db.models import Exists, OuterRef, Q

if TYPE_CHECKING:
    from congress.models import CongressBody, Division


def staff_scope_path(user) -> str | None:
    """The path prefix a staff member may see: "" for everything, None for nothing."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser:
        return ""
    if not user.is_staff or user.division_id is None:
        return None
    division = user.division
    if division.parent_id is None:
        return ""
    return division.path


def is_scoped_staff(user) -> bool:
    return staff_scope_path(user) is not None


def can_manage_division(user, division: Division | None) -> bool:
    prefix = staff_scope_path(user)
    if prefix is None or division is None:
        return False
    return division.path.startswith(prefix)


def can_manage_body(user, body: CongressBody) -> bool:
    return can_manage_division(user, body.division)


# --- People and accounts: authority follows the bodies a person sits in, not their address -----------------
#
# The deputies app sits above congress, so its models are reached by their lazy names and the reverse
# relations of User; no deputies code is called from here.


def _mandates_outside(prefix: str):
    return apps.get_model("deputies", "Mandate").objects.exclude(term__body__division__path__startswith=prefix)


def people_in_scope(user):
    """People a staff member may pick (station deputies, group members, participants): those holding
    a mandate in a body within the staff member's scope."""
    Person = apps.get_model("deputies", "Person")
    prefix = staff_scope_path(user)
    if prefix is None:
        return Person.objects.none()
    if prefix == "":
        return Person.objects.all()
    return Person.objects.filter(mandates__term__body__division__path__startswith=prefix).distinct()


def people_outside_scope(user, people) -> list:
    """Of `people`, those the staff member may not pick. No acting user (a system task, the seed) limits nothing."""
    if user is None:
        return []
    allowed = set(people_in_scope(user).filter(pk__in=[p.pk for p in people]).values_list("pk", flat=True))
    return [p for p in people if p.pk not in allowed]


def people_wholly_in_scope(user):
    """People whose every mandate lies in a body within the scope (without mandates: whose address does).
    Only for these may a staff member create or manage the sign-in account."""
    Person = apps.get_model("deputies", "Person")
    prefix = staff_scope_path(user)
    if prefix is None:
        return Person.objects.none()
    if prefix == "":
        return Person.objects.all()
    outside = Exists(_mandates_outside(prefix).filter(person=OuterRef("pk")))
    any_mandate = Exists(apps.get_model("deputies", "Mandate").objects.filter(person=OuterRef("pk")))
    return Person.objects.filter(~outside).filter(any_mandate | Q(area__path__startswith=prefix))


def manageable_accounts(user):
    """The accounts a staff member may view and manage (change, reset the password of).

    - a deputy's account: only when every body its person holds a mandate in lies within the scope;
    - a staff account: only when its division lies strictly below the staff member's own (never a
      colleague at the same level or above, never a superuser);
    - superusers manage every account.
    """
    User = apps.get_model(*_user_model_label().split("."))
    prefix = staff_scope_path(user)
    if prefix is None:
        return User.objects.none()
    if user.is_superuser:
        return User.objects.all()
    own = user.division.path
    below = Q(division__path__startswith=prefix) & ~Q(division__path=own) & Q(division__path__startswith=own)
    Person = apps.get_model("deputies", "Person")
    person_ok = Exists(people_wholly_in_scope(user).filter(pk=OuterRef("person__pk")))
    has_person = Exists(Person.objects.filter(user=OuterRef("pk")))
    return (
        User.objects.exclude(is_superuser=True)
        .filter(Q(division__isnull=True) | below)
        .filter(Q(is_staff=False) | Q(division__isnull=False))
        .filter(person_ok | (~has_person & Q(division__isnull=False)))
    )


def can_manage_account(user, account) -> bool:
    return account is not None and account.pk is not None and manageable_accounts(user).filter(pk=account.pk).exists()


def staff_divisions_grantable(user):
    """Divisions a staff member may give as another account's staff scope: strictly below their own."""
    from congress.models import Division  # cycle: congress.models imports congress.predicates (staff_scope_path)

    prefix = staff_scope_path(user)
    if prefix is None:
        return Division.objects.none()
    if user.is_superuser:
        return Division.objects.all()
    return Division.objects.filter(path__startswith=user.division.path).exclude(pk=user.division_id)


def _user_model_label() -> str:
    return settings.AUTH_USER_MODEL
