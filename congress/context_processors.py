from django.conf import settings

from congress.predicates import is_scoped_staff


def site(request):
    voter = getattr(request, "cast_pass", None)
    if voter is not None:  # a cast with a pass (congress/casting.py): what the pass says, nothing loaded
        return {"tasks_run_eagerly": settings.CELERY_TASK_ALWAYS_EAGER, "elder_mode": request.COOKIES.get("elder") == "1",
                **voter.context()}
    user = getattr(request, "user", None)
    return {
        "tasks_run_eagerly": settings.CELERY_TASK_ALWAYS_EAGER,
        "is_staff_member": bool(user and is_scoped_staff(user)),
        # elderly mode (长辈版, static/css/site.css): a class on <html>, set from the switch's cookie
        "elder_mode": request.COOKIES.get("elder") == "1",
        "is_deputy": bool(user and user.is_authenticated and hasattr(user, "person")),
    }
