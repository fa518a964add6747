from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommonConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "talentport.common"
    verbose_name = _("公共")

    def ready(self) -> None:
        from talentport.common import (
            auth_audit,
            checks,  # noqa: F401 - registers the system checks
        )

        auth_audit.connect()
