from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "talentport.people"
    verbose_name = _("用户与人才")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from talentport.people import checks  # noqa: F401 - registers the deploy checks
        from talentport.people.stepup import step_up_on_login

        user_logged_in.connect(step_up_on_login, dispatch_uid="talentport.step_up_on_login")
