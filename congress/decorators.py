from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from congress.predicates import is_scoped_staff


def staff_required(view):
    """Signed-in staff with a scope; others are sent to sign in (anonymous) or refused (403)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_scoped_staff(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def checks_staff_session(view):
    """Marks a view that applies login and the staff-session rule itself (congress.casting.signed_in), so that
    congress.middleware.StaffSessionMiddleware does not load the session before it: a cast with a pass
    (congress/castpass.py) must not."""
    view.checks_staff_session = True
    return view
