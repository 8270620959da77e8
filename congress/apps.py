from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CongressConfig(AppConfig):
    name = "congress"
    verbose_name = _("Congress structure")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from congress import middleware  # noqa: F401 -- connects the staff-session start to user_logged_in
