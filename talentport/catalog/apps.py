from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "talentport.catalog"
    verbose_name = _("服务目录")

    def ready(self) -> None:
        from talentport.catalog import signals  # noqa: F401  (registers the handlers)
