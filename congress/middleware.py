"""Request and response hardening Django 5.2 does not do itself.

The Content-Security-Policy is django-csp's (settings.CONTENT_SECURITY_POLICY, with a nonce per response), its
header built once per process (ContentSecurityPolicyMiddleware).
"""

import secrets
import time

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from congress.clientip import from_trusted_proxy

# What a proxy writes about the connection it forwards. From anyone else they are the client's say-so: an untrusted
# peer sending "X-Forwarded-Proto: https" over plain HTTP must not be taken for HTTPS (secure cookies, redirects).
FORWARDED_HEADERS = ("HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_HOST",
                     "HTTP_X_FORWARDED_PORT", "HTTP_X_REAL_IP", "HTTP_FORWARDED")


class TrustedProxyMiddleware:
    """First in the chain: drop the X-Forwarded-* headers unless the request came from one of TRUSTED_PROXIES."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not from_trusted_proxy(request):
            for header in FORWARDED_HEADERS:
                request.META.pop(header, None)
        return self.get_response(request)


STAFF_PREFIXES = ("/staff/", "/admin/")


def is_staff_account(user) -> bool:
    return bool(user and user.is_authenticated and (user.is_staff or user.is_superuser))


class SecurityHeadersMiddleware:
    """Permissions-Policy on every response; nothing kept in any cache for staff pages and for files (exports,
    downloads: every response with a Content-Disposition)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = getattr(settings, "PERMISSIONS_POLICY", "")
        if policy and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = policy
        if request.path_info.startswith(STAFF_PREFIXES) or response.has_header("Content-Disposition"):
            add_never_cache_headers(response)
        return response


STAFF_SIGNED_IN_AT = "staff_signed_in_at"


@receiver(user_logged_in, dispatch_uid="congress.staff_session_start")
def _staff_session_start(sender, request, user, **kwargs):
    """A staff session lasts a working day from sign-in (STAFF_SESSION_HOURS), however busy it is."""
    if request is None or not hasattr(request, "session") or not is_staff_account(user):
        return
    request.session[STAFF_SIGNED_IN_AT] = int(time.time())
    if not settings.SESSION_EXPIRE_AT_BROWSER_CLOSE:  # else the cookie already ends with the browser
        request.session.set_expiry(int(settings.STAFF_SESSION_HOURS * 3600))


def staff_session_ended(request):
    """A staff session older than STAFF_SESSION_HOURS (or without a start: made before this rule) is ended: the
    response asking to sign in again; None for any other request."""
    user = getattr(request, "user", None)
    if is_staff_account(user):
        started = request.session.get(STAFF_SIGNED_IN_AT)
        if not isinstance(started, int) or time.time() - started > settings.STAFF_SESSION_HOURS * 3600:
            logout(request)
            messages.info(request, _("Your staff session ended after a working day. Please sign in again."))
            return redirect_to_login(request.get_full_path())
    return None


class StaffSessionMiddleware:
    """After AuthenticationMiddleware: the staff-session rule (`staff_session_ended`) before every view, except the
    views that apply it themselves (congress.decorators.checks_staff_session: a cast with a pass loads no session,
    congress/castpass.py)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if getattr(view_func, "checks_staff_session", False):
            return None
        return staff_session_ended(request)


# What a view sets to have a policy of its own (csp.decorators): then the library builds the header itself.
_CSP_OF_ITS_OWN = ("_csp_config", "_csp_update", "_csp_replace", "_csp_config_ro", "_csp_update_ro", "_csp_replace_ro")
_CSP_HEADERS = ((False, HEADER, "CONTENT_SECURITY_POLICY", "_csp_exempt"),
                (True, HEADER_REPORT_ONLY, "CONTENT_SECURITY_POLICY_REPORT_ONLY", "_csp_exempt_ro"))
_NONCE_MARK = secrets.token_hex(16)  # where the response's nonce goes in a built header
_csp_built: dict[tuple[bool, bool], str] = {}  # (report only, with a nonce): the header


@receiver(setting_changed, dispatch_uid="congress.csp_settings_changed")
def _forget_built_csp(setting, **kwargs):
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        _csp_built.clear()


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with the same headers, built once per process: the library builds each from the
    settings on every response (twice: the policy and the report-only one), which cost a cast ballot about a tenth
    of its time in the web process. The settings' policy is built with a marker where the nonce goes, and each
    response that used a nonce gets its own in its place; a response with a policy of its own (csp.decorators) is
    left to the library (tests/congress/test_security.py compares the two)."""

    def process_response(self, request, response):
        if any(getattr(response, name, None) is not None for name in _CSP_OF_ITS_OWN):
            return super().process_response(request, response)
        if settings.DEBUG and response.status_code in (500, 404):  # the debug pages, as the library leaves them
            return response
        nonce = getattr(request, "_csp_nonce", None)
        for report_only, header, setting, exempt in _CSP_HEADERS:
            policy = _csp_built.get((report_only, bool(nonce)))
            if policy is None:
                policy = build_policy(nonce=_NONCE_MARK if nonce else None, report_only=report_only)
                _csp_built[(report_only, bool(nonce))] = policy
            if not policy or getattr(response, exempt, False) or header in response:
                continue
            prefixes = (getattr(settings, setting, None) or {}).get("EXCLUDE_URL_PREFIXES") or ()
            if request.path_info.startswith(tuple(prefixes)):
                continue
            response[header] = policy.replace(_NONCE_MARK, nonce) if nonce else policy
        if nonce is None:  # as the library: a nonce asked for after the header is written is an error
            request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response
