import sys

from django.contrib.auth import views as auth_views
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseRedirect, HttpResponseServerError
from django.shortcuts import redirect, render
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from congress.predicates import is_scoped_staff


def home(request):
    user = request.user
    if user.is_authenticated:
        if is_scoped_staff(user):
            return redirect("deputies:bodies")
        if hasattr(user, "person"):
            return redirect("deputies:me")
    return render(request, "home.html")


ELDER_COOKIE = "elder"
ELDER_COOKIE_AGE = 400 * 24 * 3600  # browsers keep a cookie at most 400 days


@require_POST
def elder_mode(request):
    """The elderly-mode switch (长辈版): a plain form in the header, no script. Remembered in a cookie, so it works
    signed out and on a shared kiosk alike; goes back to the page it was pressed on, if that page is ours."""
    on = request.POST.get("elder") == "1"
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        target = "/"
    response = HttpResponseRedirect(target)  # not redirect(): that would take "home" for a view's name
    if on:
        response.set_cookie(ELDER_COOKIE, "1", max_age=ELDER_COOKIE_AGE, samesite="Lax", httponly=True,
                            secure=request.is_secure())
    else:
        response.delete_cookie(ELDER_COOKIE, samesite="Lax")
    return response


class LoginView(auth_views.LoginView):
    """Django's sign-in page; a refused sign-in answers 422, like every other form sent back with its errors.

    An account under attack is slowed down (congress.signin), not barred; the page says so."""

    redirect_authenticated_user = True

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 422
        return response

    def get_context_data(self, **kwargs):
        return super().get_context_data(slowed_down=bool(getattr(self.request, "login_delay", 0)), **kwargs)


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
