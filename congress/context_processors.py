from django.conf import settings

from congress.predicates import is_scoped_staff


def site(request):
    user = getattr(request, "user", None)
    return {
        "tasks_run_eagerly": settings.CELERY_TASK_ALWAYS_EAGER,
        "is_staff_member": bool(user and is_scoped_staff(user)),
        # elderly mode (长辈版, static/css/site.css): a class on <html>, set from the switch's cookie
        "elder_mode": request.COOKIES.get("elder") == "1",
        "is_deputy": bool(user and user.is_authenticated and hasattr(user, "person")),
    }
