"""Reads of the archives app: search, dashboards, what a student or guardian may see."""

from __future__ import annotations

import datetime as dt
import uuid as uuid_lib
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from talentport.archives.models import (
    ArchiveBatch,
    ArchiveEvent,
    ArchiveFile,
    ArchiveStatus,
    GuardianLink,
    GuardianLinkStatus,
)
from talentport.archives.services import archive_is_adult
from talentport.common.crypto import blind_index_filter
from talentport.common.idcard import IdentityFormatError, validate_id_card
from talentport.people import permissions
from talentport.people.permissions import Perm

OVERDUE_DAYS = 30

ACTION_LABELS = {
    "received": "学校移交，档案已接收",
    "stored": "档案已入库",
    "materials_added": "补充材料",
    "transfer_requested": "申请转递",
    "in_transit": "机要寄出，转递中",
    "delivered": "已送达接收单位",
    "transfer_cancelled": "撤销转递申请",
    "student_linked": "本人账户绑定",
    "guardian_linked": "添加监护人查看",
    "guardian_consented": "本人同意监护人查看",
    "guardian_revoked": "撤销监护人查看",
    "claim_code_sent": "发送认领验证码",
    "claim_refused": "认领未通过",
    "claim_code_regenerated": "重新生成认领码",
}
#: Events the family timeline shows (account administration stays out of it).
FAMILY_ACTIONS = frozenset([*ArchiveStatus.values, "transfer_cancelled"])


def _uuid(value: Any) -> uuid_lib.UUID | None:
    try:
        return value if isinstance(value, uuid_lib.UUID) else uuid_lib.UUID(str(value))
    except ValueError:
        return None


def is_staff_user(user: Any) -> bool:
    """Archive staff: window specialists and administrators holding a scope."""
    return permissions.can(user, Perm.ARCHIVE_MANAGE)


def _in_scope(user: Any) -> Any:
    """Rows of the jurisdictions in ``user``'s archive scopes (nothing for anyone else)."""
    return permissions.scope_q(user, Perm.ARCHIVE_MANAGE, path="jurisdiction")


def archive_file_get_for_staff(*, user: Any, uuid: Any) -> ArchiveFile | None:
    """A file the staff member may handle, else None (a 404: out of scope is not told)."""
    public_id = _uuid(uuid)
    if public_id is None:
        return None
    return (
        ArchiveFile.objects.select_related("batch", "student")
        .filter(_in_scope(user), uuid=public_id)
        .first()
    )


def archive_file_get(*, uuid: Any) -> ArchiveFile | None:
    public_id = _uuid(uuid)
    if public_id is None:
        return None
    return ArchiveFile.objects.select_related("batch", "student").filter(uuid=public_id).first()


def is_id_card_query(q: str) -> bool:
    """Whether a search text is a (valid) ID number, i.e. searched through the index."""
    try:
        validate_id_card((q or "").strip())
    except IdentityFormatError:
        return False
    return True


def archive_file_search(
    *,
    user: Any,
    q: str = "",
    school: str = "",
    status: str = "",
    batch: ArchiveBatch | None = None,
) -> QuerySet[ArchiveFile]:
    """Files in the staff member's scope, by exact ID number (through the blind index) or
    by part of the name."""
    files = ArchiveFile.objects.filter(_in_scope(user))
    q = (q or "").strip()
    if q:
        try:
            number = validate_id_card(q)
        except IdentityFormatError:
            files = files.filter(name__icontains=q)
        else:
            files = files.filter(blind_index_filter(ArchiveFile, "id_card_index", number))
    if school:
        files = files.filter(school=school)
    if status:
        files = files.filter(status=status)
    if batch is not None:
        files = files.filter(batch=batch)
    return files


def archive_timeline(*, file: ArchiveFile, family: bool = False) -> list[dict[str, Any]]:
    events = ArchiveEvent.objects.filter(file=file).select_related("actor")
    if family:
        events = events.filter(action__in=FAMILY_ACTIONS)
    out = []
    for event in events:
        out.append(
            {
                "uuid": event.uuid,
                "at": event.at,
                "action": event.action,
                "label": ACTION_LABELS.get(event.action, event.action),
                "from_state": event.from_state,
                "to_state": event.to_state,
                "to_state_label": str(ArchiveStatus(event.to_state).label)
                if event.to_state
                else "",
                "note": event.note,
                "actor": ("工作人员" if family else str(event.actor)) if event.actor_id else "系统",
            }
        )
    return out


def archive_batch_list(*, user: Any) -> QuerySet[ArchiveBatch]:
    return ArchiveBatch.objects.filter(_in_scope(user)).select_related("imported_by")


def archive_batch_get(*, user: Any, uuid: Any) -> ArchiveBatch | None:
    public_id = _uuid(uuid)
    if public_id is None:
        return None
    return ArchiveBatch.objects.filter(_in_scope(user), uuid=public_id).first()


@dataclass
class SchoolSummary:
    school: str
    total: int
    by_state: list[tuple[str, str, int]]  # (state, label, count) in state order


def archive_school_summary(*, user: Any) -> list[SchoolSummary]:
    rows = (
        ArchiveFile.objects.filter(_in_scope(user))
        .values("school", "status")
        .annotate(n=Count("id"))
        .order_by("school")
    )
    counts: dict[str, dict[str, int]] = {}
    for row in rows:
        counts.setdefault(row["school"], {})[row["status"]] = row["n"]
    return [
        SchoolSummary(
            school=school,
            total=sum(states.values()),
            by_state=[(s.value, str(s.label), states.get(s.value, 0)) for s in ArchiveStatus],
        )
        for school, states in sorted(counts.items())
    ]


def archive_overdue_transfers(
    *, user: Any, days: int = OVERDUE_DAYS, now: dt.datetime | None = None
) -> QuerySet[ArchiveFile]:
    """Transfers in the staff member's scope requested more than ``days`` ago and not
    yet delivered."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    return ArchiveFile.objects.filter(
        _in_scope(user),
        status__in=[ArchiveStatus.TRANSFER_REQUESTED, ArchiveStatus.IN_TRANSIT],
        transfer_requested_at__lt=cutoff,
    ).order_by("transfer_requested_at")


def guardian_link_visible(*, link: GuardianLink, today: dt.date | None = None) -> bool:
    """An active link shows the file while the student is a minor, or with their consent."""
    if link.status != GuardianLinkStatus.ACTIVE:
        return False
    return link.consented_at is not None or not archive_is_adult(file=link.file, today=today)


def archive_files_for_student(*, user: Any) -> QuerySet[ArchiveFile]:
    if not getattr(user, "is_authenticated", False):
        return ArchiveFile.objects.none()
    return ArchiveFile.objects.filter(student=user)


def archive_files_for_guardian(*, user: Any) -> list[ArchiveFile]:
    if not getattr(user, "is_authenticated", False):
        return []
    links = GuardianLink.objects.filter(
        guardian=user, status=GuardianLinkStatus.ACTIVE
    ).select_related("file")
    return [link.file for link in links if guardian_link_visible(link=link)]


def archive_file_for_family(*, user: Any, uuid: Any) -> tuple[ArchiveFile, str] | None:
    """The file and the viewer's relation ("student" or "guardian"), or None (→ 404)."""
    file = archive_file_get(uuid=uuid)
    if file is None or not getattr(user, "is_authenticated", False):
        return None
    if file.student_id == user.pk:
        return file, "student"
    for link in GuardianLink.objects.filter(
        Q(file=file) & Q(guardian=user) & Q(status=GuardianLinkStatus.ACTIVE)
    ):
        link.file = file
        if guardian_link_visible(link=link):
            return file, "guardian"
    return None


def guardian_links_of(*, file: ArchiveFile) -> QuerySet[GuardianLink]:
    return GuardianLink.objects.filter(file=file).select_related("guardian")


def guardian_link_get(*, file: ArchiveFile, uuid: Any) -> GuardianLink | None:
    public_id = _uuid(uuid)
    if public_id is None:
        return None
    return GuardianLink.objects.filter(file=file, uuid=public_id).select_related("file").first()


def guardian_account_get(*, username: str) -> Any:
    """The account with this user name (whether it is a guardian's the service decides)."""
    username = (username or "").strip()
    if not username:
        return None
    return get_user_model().objects.filter(username=username).first()


def archive_own_file(*, user: Any, uuid: Any) -> ArchiveFile | None:
    """The file if ``user`` is its student; None otherwise (guardians and strangers → 404)."""
    found = archive_file_for_family(user=user, uuid=uuid)
    if found is None or found[1] != "student":
        return None
    return found[0]


#: Order of the family progress list; a cancelled transfer simply moves the file back.
STEP_ORDER = list(ArchiveStatus.values)


def archive_progress_steps(*, file: ArchiveFile) -> list[dict[str, str]]:
    """The stages for the family progress list: ``done``, ``current``, ``todo``, or
    ``skipped`` (no materials were ever added)."""
    current = STEP_ORDER.index(file.status) if file.status in STEP_ORDER else -1
    steps = []
    for index, (value, label) in enumerate(ArchiveStatus.choices):
        state = "done" if index < current else "current" if index == current else "todo"
        if value == ArchiveStatus.MATERIALS_ADDED and state == "done" and not file.materials:
            state = "skipped"
        steps.append({"value": value, "label": str(label), "state": state})
    return steps
