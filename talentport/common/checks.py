"""System checks of the deployment (``manage.py check --deploy``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core import checks
from django.utils.translation import gettext as _


def _within(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


@checks.register(checks.Tags.security, deploy=True)
def media_outside_code(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Uploaded files must not live in the code checkout, the package or static files.

    Inside the checkout they are swept up by copies and archives of the code (and lost
    with a fresh checkout); under STATIC_ROOT anyone could fetch them without a login.
    An error in production, a warning elsewhere.
    """
    media = Path(settings.MEDIA_ROOT).resolve()
    package = Path(settings.BASE_DIR).resolve()
    roots = [
        (package.parent, _("代码目录")),
        (package, _("程序包目录")),
        (Path(settings.STATIC_ROOT).resolve(), "STATIC_ROOT"),
    ]
    level = checks.Error if settings.PRODUCTION else checks.Warning
    for root, label in roots:
        if _within(media, root):
            return [
                level(
                    _("MEDIA_ROOT（%(media)s）位于%(label)s（%(root)s）之内")
                    % {"media": media, "label": label, "root": root},
                    hint=_(
                        "设置 TALENTPORT_DATA_DIR（或 MEDIA_ROOT）为代码之外的目录，"
                        "例如 /var/lib/talentport"
                    ),
                    id="talentport.E001" if settings.PRODUCTION else "talentport.W001",
                )
            ]
    return []
