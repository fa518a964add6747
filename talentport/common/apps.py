from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommonConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "talentport.common"
    verbose_name = _("公共")

    def ready(self) -> None:
        from talentport.common import (  # noqa: F401 - registers the checks, the any_of lookup
            auth_audit,
            bulk,
            checks,
        )

        auth_audit.connect()
