import datetime
import sys
import time

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.db import InterfaceError, OperationalError
from django.db.models import Sum
from django.http import HttpResponse, HttpResponseServerError
from django.shortcuts import redirect, render
from django.template import loader
from django.utils import timezone

from congress.predicates import is_scoped_staff


def home(request):
    user = request.user
    if user.is_authenticated:
        if is_scoped_staff(user):
            return redirect("deputies:bodies")
        if hasattr(user, "person"):
            return redirect("deputies:me")
    return render(request, "home.html")


def login_delay(username: str) -> float:
    """Seconds a sign-in for this account waits before its password is checked: 0 unless the account had
    LOGIN_SLOWDOWN_AFTER failures or more within the cool-off, from all addresses together; then
    LOGIN_SLOWDOWN_STEP per failure beyond, at most LOGIN_SLOWDOWN_MAX. The account is never barred: the lockout
    (django-axes) is per account and address, so a deputy signing in from their own device still gets in."""
    if not username or not settings.AXES_ENABLED or settings.LOGIN_SLOWDOWN_AFTER <= 0:
        return 0.0
    since = timezone.now() - (get_cool_off() or datetime.timedelta(hours=1))
    failures = (AccessAttempt.objects.filter(username=username, attempt_time__gte=since)
                .aggregate(n=Sum("failures_since_start"))["n"] or 0)
    if failures < settings.LOGIN_SLOWDOWN_AFTER:
        return 0.0
    return min(settings.LOGIN_SLOWDOWN_MAX, settings.LOGIN_SLOWDOWN_STEP * (failures - settings.LOGIN_SLOWDOWN_AFTER + 1))


class LoginView(auth_views.LoginView):
    """Django's sign-in page; a refused sign-in answers 422, like every other form sent back with its errors.

    An account under attack is slowed down (login_delay), not barred; the page says so."""

    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        self.delay = login_delay(request.POST.get("username", "")[:150])
        if self.delay:
            time.sleep(self.delay)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 422
        return response

    def get_context_data(self, **kwargs):
        return super().get_context_data(slowed_down=bool(getattr(self, "delay", 0)), **kwargs)


def csrf_failure(request, reason=""):
    return render(request, "403_csrf.html", status=403)


def healthz(request):
    """Liveness probe for the load balancer; touches neither the database nor the queue."""
    return HttpResponse("ok", content_type="text/plain")


def server_error(request):
    """handler500. A database that is restarting or unreachable is not a bug but a moment to wait: the request's
    transaction was rolled back whole (a ballot is either stored with its voter record or not at all), so say so
    with a 503 and Retry-After instead of a 500. Rendered without the request context, which would query the
    database again (the 500 page likewise); only the request's CSP nonce is passed, for the page's <style>."""
    exc = sys.exc_info()[1]
    if isinstance(exc, OperationalError | InterfaceError):
        response = HttpResponse(loader.render_to_string("503.html", {"request": request}), status=503)
        response["Retry-After"] = "5"
        return response
    return HttpResponseServerError(loader.render_to_string("500.html"))
