from django.http import HttpResponse
from django.shortcuts import redirect, render

from congress.predicates import is_scoped_staff


def home(request):
    user = request.user
    if user.is_authenticated:
        if is_scoped_staff(user):
            return redirect("deputies:bodies")
        if hasattr(user, "person"):
            return redirect("deputies:me")
    return render(request, "home.html")


def csrf_failure(request, reason=""):
    return render(request, "403_csrf.html", status=403)


def healthz(request):
    """Liveness probe for the load balancer; touches neither the database nor the queue."""
    return HttpResponse("ok", content_type="text/plain")
