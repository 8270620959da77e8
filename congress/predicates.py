"""Who may do what. Views, templates and the admin ask these, and nothing else decides.

Staff scope: an account's division. Municipal staff see the whole city,
district staff their district and everything below it, town and sub-district
staff their own division. Superusers see everything.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

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
