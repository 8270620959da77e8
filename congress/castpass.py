"""The cast pass: how a cast ballot is let in without loading the session and the account.

Casting is the hot path of a vote (issue 11): a few hundred deputies press "vote" within a minute. Loading the
session and the account on that request (two statements and the unpickling, the staff-session rule, the menu's
flags) cost more than the cast itself. So the vote page, which loads them as every page does, hands the deputy a
*cast pass* in a hidden field: a value signed with SECRET_KEY (HMAC-SHA256, `salted_hmac`, salted for this use) that
names

* the poll and the account,
* a digest of the session key the page was served to (the pass is worth nothing with any other session cookie),
* a digest of the account's stored password hash (a password changed since, by the holder or by staff, voids it,
  as it ends the holder's other sessions in Django),
* when it was made (it is taken for CAST_PASS_SECONDS), and what the receipt page shows of the account (its name, and the menu's staff/deputy/unit flags), and for a staff
  account the time of sign-in (the staff-session rule of congress.middleware holds on this path too).

The cast statement itself (congress.polls.cast, `signed_in=`) checks that the session is still in the database and
not expired, that the account is active and that its password digest is the pass's, in the same statement that
stores the ballot: a signed-out session, a disabled account or a changed password stores nothing and sends the
request down the ordinary path (sign in again). So the pass is as strong as the session cookie it is bound to,
no more: it lets a request skip *loading* the session, never skip *having* one.

Nothing here concerns what is chosen; the pass is made before the ballot is filled in and says nothing of it.
"""

from __future__ import annotations

import base64
import hmac
import time
from dataclasses import dataclass

from django.conf import settings
from django.utils.crypto import salted_hmac

from congress.middleware import STAFF_SIGNED_IN_AT, is_staff_account
from congress.polls import SignedIn
from congress.polls import signed_in_digest as digest

SALT = "congress.castpass"
FIELD = "cast_pass"
# Session engines whose sessions are rows of django_session (the cast statement looks the key up there).
DATABASE_SESSIONS = ("django.contrib.sessions.backends.db", "django.contrib.sessions.backends.cached_db")


class Voter:
    """The signed-in account as the receipt page needs it (base.html: `user.is_authenticated`, the name), from the
    pass, without loading the account."""

    is_authenticated = True
    is_anonymous = False

    def __init__(self, pk: int, name: str):
        self.pk = self.id = pk
        self.username = name

    def get_full_name(self) -> str:
        return self.username


@dataclass(frozen=True)
class Pass:
    poll_id: int
    user_id: int
    signed_in: SignedIn
    name: str
    staff: bool
    deputy: bool
    unit: bool

    def context(self) -> dict:
        """The page context that stands in for the auth, messages and site context processors on the receipt page
        (none of them loads anything then; the view's context is laid over theirs)."""
        return {"user": Voter(self.user_id, self.name), "messages": (), "is_staff_member": self.staff,
                "is_deputy": self.deputy, "is_unit_account": self.unit}


def enabled() -> bool:
    return settings.SESSION_ENGINE in DATABASE_SESSIONS and getattr(settings, "CAST_PASS_SECONDS", 0) > 0


def issue(request, poll_id: int, *, staff: bool, deputy: bool, unit: bool) -> str:
    """A pass for this signed-in request's account and session to cast in poll `poll_id` ("" where passes are off or
    the session has no key yet)."""
    user, key = request.user, request.session.session_key
    if not enabled() or not key or not user.is_authenticated:
        return ""
    started, staff_account = 0, is_staff_account(user)  # the staff-session rule's test, not the menu's
    if staff_account:
        started = request.session.get(STAFF_SIGNED_IN_AT)
        if not isinstance(started, int):
            return ""  # the staff-session rule ends this session on its next ordinary request
    name = user.get_full_name() or user.get_username()
    flags = int(staff) | int(deputy) << 1 | int(unit) << 2 | int(staff_account) << 3
    value = ".".join([str(poll_id), str(user.pk), digest(key), digest(user.password), str(flags), str(started),
                      str(int(time.time())), base64.urlsafe_b64encode(name.encode()).decode().rstrip("=")])
    return f"{value}.{_signature(value)}"


def _signature(value: str) -> str:
    """HMAC-SHA256 with a key derived from SECRET_KEY for this use (`salted_hmac`, as django.core.signing does; the
    pass is a flat string rather than signing's JSON: the cast is the hot path)."""
    return salted_hmac(SALT, value, algorithm="sha256").hexdigest()


def read(request) -> Pass | None:
    """The request's pass, if it is well signed, recent, bound to this request's session cookie, and (for a staff
    account) within the staff-session hours; None otherwise (the ordinary path then answers)."""
    value = request.POST.get(FIELD, "")
    key = request.COOKIES.get(settings.SESSION_COOKIE_NAME, "")
    if not value or not key or not enabled():
        return None
    value, _dot, signature = value.rpartition(".")
    if not hmac.compare_digest(signature, _signature(value)):
        return None
    try:
        poll_id, user_id, session, password, flags, started, issued, name = value.split(".")
        poll_id, user_id, flags, started, issued = int(poll_id), int(user_id), int(flags), int(started), int(issued)
        name = base64.urlsafe_b64decode(name + "=" * (-len(name) % 4)).decode()
    except ValueError:  # well signed, so only a pass of another shape (an older version of this code)
        return None
    if not 0 <= time.time() - issued <= settings.CAST_PASS_SECONDS:
        return None
    if not hmac.compare_digest(str(session), digest(key)):
        return None
    if flags & 8 and time.time() - started > settings.STAFF_SESSION_HOURS * 3600:
        return None  # a staff account past its hours: the ordinary path ends the session
    return Pass(poll_id=poll_id, user_id=user_id, signed_in=SignedIn(key, password), name=name, staff=bool(flags & 1),
                deputy=bool(flags & 2), unit=bool(flags & 4))
