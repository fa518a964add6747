"""Access to personal data (ID numbers, phones, passports) is logged, append-only.

Call :func:`log_pii_access` whenever a decrypted value is shown to or exported by a
person, or use :func:`pii_reveal`, which logs and returns the value in one step.  A
list, a search or an export logs every subject it shows with one
:func:`log_pii_access_many` (one ``bulk_create``, never one query per row).  Each
record carries the actor, the client's IP and the path of the request (from
:mod:`talentport.common.request_context`, so callers need not pass them).  Masked
display (``mask_id_card``, ``mask_phone``) needs no log.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.db import models
from django.http import HttpRequest

from talentport.common.models import PiiAccessLog
from talentport.common.request_context import client_ip, current_request, request_path

logger = logging.getLogger("talentport.pii")

#: Rows written per INSERT by :func:`log_pii_access_many`.
BULK_SIZE = 500


def _subject_ref(subject: models.Model) -> tuple[str, str]:
    subject_id = getattr(subject, "uuid", None) or subject.pk
    if subject_id is None:
        raise ValueError("被查看的对象尚未保存，无法记录查看")
    return subject._meta.label_lower, str(subject_id)


def _checked(field: str, purpose: str) -> str:
    if not field:
        raise ValueError("必须注明查看的字段")
    purpose = (purpose or "").strip()
    if not purpose:
        raise ValueError("查看个人信息必须注明目的")
    return purpose[:200]


def _where(request: HttpRequest | None) -> tuple[str | None, str]:
    request = request if request is not None else current_request()
    if request is None:
        return None, ""
    return client_ip(request), request_path(request)


def _actor(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def log_pii_access(
    *,
    actor: Any,
    subject: models.Model,
    field: str,
    purpose: str,
    request: HttpRequest | None = None,
) -> PiiAccessLog:
    """Record that ``actor`` saw ``field`` of ``subject`` for ``purpose``.

    ``actor`` is a user (an anonymous user or None is recorded as no actor, e.g. a
    system job).  ``purpose`` is required: say why, e.g. "受理档案转递申请".  IP and
    path come from ``request``, by default the request being served.
    """
    purpose = _checked(field, purpose)
    subject_type, subject_id = _subject_ref(subject)
    actor_obj = _actor(actor)
    ip, path = _where(request)
    entry = PiiAccessLog.objects.create(
        actor=actor_obj,
        subject_type=subject_type,
        subject_id=subject_id,
        field=field,
        purpose=purpose,
        ip=ip,
        path=path,
    )
    logger.info(
        "pii access: actor=%s subject=%s#%s field=%s",
        getattr(actor_obj, "pk", None),
        subject_type,
        subject_id,
        field,
    )
    return entry


def log_pii_access_many(
    *,
    actor: Any,
    subjects: Iterable[models.Model],
    field: str,
    purpose: str,
    request: HttpRequest | None = None,
) -> int:
    """Record one read per subject of a list, search result or export, in bulk.

    Returns the number of records written (a subject listed twice counts once).
    """
    purpose = _checked(field, purpose)
    actor_obj = _actor(actor)
    ip, path = _where(request)
    seen: set[tuple[str, str]] = set()
    rows: list[PiiAccessLog] = []
    for subject in subjects:
        ref = _subject_ref(subject)
        if ref in seen:
            continue
        seen.add(ref)
        rows.append(
            PiiAccessLog(
                actor=actor_obj,
                subject_type=ref[0],
                subject_id=ref[1],
                field=field,
                purpose=purpose,
                ip=ip,
                path=path,
            )
        )
    if rows:
        PiiAccessLog.objects.bulk_create(rows, batch_size=BULK_SIZE)
        logger.info(
            "pii access: actor=%s subjects=%d field=%s",
            getattr(actor_obj, "pk", None),
            len(rows),
            field,
        )
    return len(rows)


def pii_reveal(*, actor: Any, subject: models.Model, field: str, purpose: str) -> Any:
    """The (decrypted) value of ``subject.field``, after logging the access.

    A reveal of a whole value is a sensitive event too: it also goes into the
    hash-chained audit journal (who, what, why, from where)."""
    from talentport.common.services import audit_event_record

    if not hasattr(subject, field):
        raise ValueError(f"{subject._meta.label} 没有字段 {field}")
    log_pii_access(actor=actor, subject=subject, field=field, purpose=purpose)
    audit_event_record(
        subject=subject, action="pii.reveal", actor=actor, reason=purpose, data={"field": field}
    )
    return getattr(subject, field)
