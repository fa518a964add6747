from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "talentport.portal"
    verbose_name = _("门户")

    def ready(self) -> None:
        from talentport.portal import signals  # noqa: F401  (registers the handlers)
