from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OverviewConfig(AppConfig):
    """The top layer: pages that read every app (the city dashboard, a deputy's duty record) and the demo builders
    that lay every app's data. It has no models of its own."""

    name = "overview"
    verbose_name = _("Overview")
    default_auto_field = "django.db.models.BigAutoField"
