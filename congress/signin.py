"""Slowing down sign-ins to an account under attack, at every sign-in page (the site's and the admin's).

The lockout (django-axes) is per account and address, so that nobody can lock a deputy out by failing on their
predictable login. An account failing from many addresses is not barred either: each further attempt waits, a
little longer per failure, at most LOGIN_SLOWDOWN_MAX seconds; the right password still works.
"""

import datetime
import time

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.utils import timezone


def login_delay(username: str) -> float:
    """Seconds a sign-in for this account waits before its password is checked: 0 unless the account had
    LOGIN_SLOWDOWN_AFTER failures or more within the cool-off, from all addresses together; then
    LOGIN_SLOWDOWN_STEP per failure beyond, at most LOGIN_SLOWDOWN_MAX."""
    if not username or not settings.AXES_ENABLED or settings.LOGIN_SLOWDOWN_AFTER <= 0:
        return 0.0
    since = timezone.now() - (get_cool_off() or datetime.timedelta(hours=1))
    failures = (AccessAttempt.objects.filter(username=username[:255], attempt_time__gte=since)
                .aggregate(n=Sum("failures_since_start"))["n"] or 0)
    if failures < settings.LOGIN_SLOWDOWN_AFTER:
        return 0.0
    return min(settings.LOGIN_SLOWDOWN_MAX, settings.LOGIN_SLOWDOWN_STEP * (failures - settings.LOGIN_SLOWDOWN_AFTER + 1))


class SlowDownBackend:
    """An authentication backend that authenticates nobody: placed after django-axes' (so a locked-out address is
    refused at once, holding no worker) and before the one that checks the password, it waits login_delay().
    The sign-in page reads request.login_delay to say why it was slow."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        delay = login_delay(username or "")
        if request is not None:
            request.login_delay = delay
        if delay:
            time.sleep(delay)
        return None
    # No get_user(): a backend that has one is what Django's test client and login() may pick to hold a session.
