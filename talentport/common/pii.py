"""Access to personal data (ID numbers, phones, passports) is logged, append-only.

Call :func:`log_pii_access` whenever a decrypted value is shown to or exported by a
person, or use :func:`pii_reveal`, which logs and returns the value in one step.
Masked display (``mask_id_card``, ``mask_phone``) needs no log.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import models

from talentport.common.models import PiiAccessLog

logger = logging.getLogger("talentport.pii")


def _subject_ref(subject: models.Model) -> tuple[str, str]:
    subject_id = getattr(subject, "uuid", None) or subject.pk
    if subject_id is None:
        raise ValueError("被查看的对象尚未保存，无法记录查看")
    return subject._meta.label_lower, str(subject_id)


def log_pii_access(*, actor: Any, subject: models.Model, field: str, purpose: str) -> PiiAccessLog:
    """Record that ``actor`` saw ``field`` of ``subject`` for ``purpose``.

    ``actor`` is a user (an anonymous user or None is recorded as no actor, e.g. a
    system job).  ``purpose`` is required: say why, e.g. "受理档案转递申请".
    """
    if not field:
        raise ValueError("必须注明查看的字段")
    purpose = (purpose or "").strip()
    if not purpose:
        raise ValueError("查看个人信息必须注明目的")
    subject_type, subject_id = _subject_ref(subject)
    actor_obj = actor if getattr(actor, "is_authenticated", False) else None
    entry = PiiAccessLog.objects.create(
        actor=actor_obj,
        subject_type=subject_type,
        subject_id=subject_id,
        field=field,
        purpose=purpose[:200],
    )
    logger.info(
        "pii access: actor=%s subject=%s#%s field=%s",
        getattr(actor_obj, "pk", None),
        subject_type,
        subject_id,
        field,
    )
    return entry


def pii_reveal(*, actor: Any, subject: models.Model, field: str, purpose: str) -> Any:
    """The (decrypted) value of ``subject.field``, after logging the access."""
    if not hasattr(subject, field):
        raise ValueError(f"{subject._meta.label} 没有字段 {field}")
    log_pii_access(actor=actor, subject=subject, field=field, purpose=purpose)
    return getattr(subject, field)
