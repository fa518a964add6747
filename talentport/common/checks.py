"""System checks of the deployment (``manage.py check --deploy``): where uploads live and
the keys that protect personal data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core import checks
from django.core.checks import Error, Tags, Warning, register
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


MIN_KEY_LENGTH = 32


def _key_errors(name: str, dev_default_name: str, code: int) -> list[Error]:
    value = str(getattr(settings, name, "") or "")
    new_key = _("生成一个新的随机密钥，经环境变量 %(name)s 或 %(name)s_FILE 提供。") % {
        "name": name
    }
    errors = []
    if value == settings.SECRET_KEY:
        errors.append(
            Error(
                _("%(name)s 与 SECRET_KEY 相同：个人信息的加密密钥必须单独设置") % {"name": name},
                hint=new_key,
                id=f"talentport.E{code:03d}",
            )
        )
    if value == getattr(settings, dev_default_name, None):
        errors.append(
            Error(
                _("%(name)s 是开发环境的默认值，不能用于生产") % {"name": name},
                hint=new_key,
                id=f"talentport.E{code + 1:03d}",
            )
        )
    elif len(value) < MIN_KEY_LENGTH:
        errors.append(
            Error(
                _("%(name)s 过短（至少 %(length)d 个字符）")
                % {"name": name, "length": MIN_KEY_LENGTH},
                hint=new_key,
                id=f"talentport.E{code + 2:03d}",
            )
        )
    return errors


@register(Tags.security, deploy=True)
def check_field_encryption_keys(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    """Errors when the personal-data keys are SECRET_KEY, the development default or
    short; a warning while SECRET_KEY is still listed as an old key."""
    problems: list[Any] = [
        *_key_errors("FIELD_ENCRYPTION_KEY", "DEV_FIELD_ENCRYPTION_KEY", 101),
        *_key_errors("FIELD_BLIND_INDEX_KEY", "DEV_FIELD_BLIND_INDEX_KEY", 111),
    ]
    for name in ("FIELD_ENCRYPTION_OLD_KEYS", "FIELD_BLIND_INDEX_OLD_KEYS"):
        if settings.SECRET_KEY in (getattr(settings, name, None) or []):
            problems.append(
                Warning(
                    _("%(name)s 仍含 SECRET_KEY") % {"name": name},
                    hint=_(
                        "运行 talentport manage pii_rotate 把全部数据改用新密钥后，从旧密钥中删除它。"
                    ),
                    id="talentport.W121",
                )
            )
    return problems
