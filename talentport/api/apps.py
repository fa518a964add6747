from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "talentport.api"
    verbose_name = _("接口")

    def ready(self) -> None:
        # The OpenAPI extension of the session scheme registers itself on import.
        from talentport.api import authentication  # noqa: F401
