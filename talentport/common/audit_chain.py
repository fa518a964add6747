"""The audit journal as a hash chain: every row seals the one before it.

Each :class:`~talentport.common.models.AuditEvent` row stores ``seq`` (1, 2, 3 … with
no gaps), ``prev_hash`` (the ``hash`` of row ``seq - 1``; 64 zeros for the first row)
and ``hash``: HMAC-SHA256 under ``settings.AUDIT_CHAIN_KEY`` of the row's canonical
serialisation (:func:`canonical_bytes`: sorted-key JSON of every column that says what
happened, ``prev_hash`` included).  Editing, inserting or deleting a row behind the
application's back breaks the chain at that row; without the key nobody can re-seal it.

Appends are serialised by one row, :class:`~talentport.common.models.AuditChainHead`
(the last ``seq`` and ``hash``), locked with ``SELECT … FOR UPDATE`` on PostgreSQL; on
SQLite every transaction is ``BEGIN IMMEDIATE`` (settings), which already holds the
database's single write lock.  The head stays locked until the surrounding
transaction commits, so two transactions appending at once take turns and never fork
the chain; one that rolls back releases its numbers with it.  Cost: one row lock and
one ``UPDATE`` per append (per ``bulk_create`` call, however many rows it holds).

:func:`chain_verify` walks the chain in ``seq`` order in chunks (bounded memory
whatever the journal's size) and names the first row that does not hold.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import hmac
import json
import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone

logger = logging.getLogger("talentport.audit")

GENESIS_HASH = "0" * 64
CHAIN_VERSION = 1
HEAD_PK = 1
VERIFY_CHUNK = 2000

# The columns sealed by the hash, in the canonical document's key names.
SEALED_FIELDS = (
    "seq",
    "uuid",
    "at",
    "actor_id",
    "on_behalf_of_id",
    "subject_type",
    "subject_id",
    "action",
    "from_state",
    "to_state",
    "reason",
    "data",
    "ip",
    "prev_hash",
)


class Reason:
    """Why verification stopped at a row (``first_bad.reason``)."""

    HASH_MISMATCH = "hash_mismatch"  # the row's content is not what was sealed
    PREV_HASH_MISMATCH = "prev_hash_mismatch"  # the row does not follow the one before
    SEQ_GAP = "seq_gap"  # a row is missing (deleted)
    HEAD_MISMATCH = "head_mismatch"  # the chain head does not seal the newest row
    HEAD_MISSING = "head_missing"  # the chain head row is gone


def _key() -> bytes:
    key = getattr(settings, "AUDIT_CHAIN_KEY", "") or ""
    if not key:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("AUDIT_CHAIN_KEY 未配置")
    return str(key).encode("utf-8")


def _normal_json(value: Any) -> Any:
    """The value as a JSON column gives it back on either database.

    As a round trip through JSON would: tuples become lists and keys strings.
    PostgreSQL's ``jsonb`` prints an integral float (``1e20``) as an integer, so
    integral floats are sealed as integers.
    """
    if isinstance(value, bool) or value is None or isinstance(value, str | int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    if isinstance(value, Mapping):
        return {str(k): _normal_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_normal_json(v) for v in value]
    return value


def _utc_iso(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_document(row: Mapping[str, Any]) -> dict[str, Any]:
    """The sealed content of one row (``row`` maps :data:`SEALED_FIELDS` to values)."""
    data = row.get("data")
    if data is not None:
        data = _normal_json(data)
    return {
        "v": CHAIN_VERSION,
        "seq": int(row["seq"]),
        "uuid": str(row["uuid"]),
        "at": _utc_iso(row["at"]),
        "actor": row.get("actor_id"),
        "on_behalf_of": row.get("on_behalf_of_id"),
        "subject_type": row.get("subject_type") or "",
        "subject_id": row.get("subject_id") or "",
        "action": row.get("action") or "",
        "from_state": row.get("from_state") or "",
        "to_state": row.get("to_state") or "",
        "reason": row.get("reason") or "",
        "data": data if data is not None else {},
        "ip": row.get("ip") or None,
        "prev_hash": row.get("prev_hash") or "",
    }


def canonical_bytes(row: Mapping[str, Any]) -> bytes:
    return json.dumps(
        canonical_document(row), sort_keys=True, ensure_ascii=False, separators=(",", ":")
    ).encode("utf-8")


def row_hash(row: Mapping[str, Any], *, key: bytes | None = None) -> str:
    return hmac.new(key or _key(), canonical_bytes(row), hashlib.sha256).hexdigest()


def _values_of(event: Any) -> dict[str, Any]:
    return {name: getattr(event, name) for name in SEALED_FIELDS}


def _current_ip() -> str | None:
    from talentport.common.request_context import client_ip, current_request

    request = current_request()
    return client_ip(request) if request is not None else None


def _head_sql(using: str) -> tuple[str, str]:
    """The SELECT that locks the head and the UPDATE that moves it (plain SQL: an append
    pays two short statements, not two ORM queries)."""
    from talentport.common.models import AuditChainHead

    connection = connections[using]
    table = connection.ops.quote_name(AuditChainHead._meta.db_table)
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    return (
        f"SELECT seq, hash FROM {table} WHERE id = %s{lock}",  # noqa: S608 - no user input
        f"UPDATE {table} SET seq = %s, hash = %s, updated_at = %s WHERE id = %s",  # noqa: S608
    )


def _locked_head(using: str) -> tuple[int, str]:
    """The chain head's (seq, hash), locked until the surrounding transaction ends.

    Created on first use if missing (a fresh or flushed database), from the newest
    chained row so that the chain carries on where it stands.
    """
    from talentport.common.models import AuditChainHead, AuditEvent

    select, _update = _head_sql(using)
    with connections[using].cursor() as cursor:
        cursor.execute(select, [HEAD_PK])
        row = cursor.fetchone()
    if row is not None:
        return int(row[0]), str(row[1])
    last = (
        AuditEvent.objects.using(using)
        .filter(seq__isnull=False)
        .order_by("-seq")
        .values("seq", "hash")
        .first()
    )
    if last is not None:
        logger.warning("audit chain head missing: recreated at seq %s", last["seq"])
    AuditChainHead.objects.using(using).bulk_create(
        [
            AuditChainHead(
                pk=HEAD_PK,
                seq=last["seq"] if last else 0,
                hash=last["hash"] if last else GENESIS_HASH,
            )
        ],
        ignore_conflicts=True,
    )
    with connections[using].cursor() as cursor:
        cursor.execute(select, [HEAD_PK])
        row = cursor.fetchone()
    return int(row[0]), str(row[1])


@contextmanager
def chained(events: Sequence[Any], *, using: str) -> Iterator[None]:
    """Number and seal ``events`` (unsaved AuditEvent instances) as the next rows of the
    chain; the caller inserts them inside the ``with`` block."""
    key = _key()
    ip_field = events[0]._meta.get_field("ip") if events else None
    # No savepoint inside a caller's transaction: a failed append fails that transaction
    # (the head moves only with the rows), and two statements fewer per event.
    with transaction.atomic(using=using, savepoint=False):
        seq, prev = _locked_head(using)
        ip = _current_ip() if any(not e.ip for e in events) else None
        for event in events:
            if event.seq is not None:
                raise ValueError("审计事件的序号由哈希链分配，不能预先指定")
            if not event.ip and ip:
                event.ip = ip
            # sealed as stored: an IPv6 address the way the column writes it, "" as NULL
            event.ip = ip_field.get_prep_value(event.ip) if ip_field and event.ip else None
            seq += 1
            event.seq = seq
            event.prev_hash = prev
            event.hash = row_hash(_values_of(event), key=key)
            prev = event.hash
        yield
        if events:
            connection = connections[using]
            _select, update = _head_sql(using)
            now = connection.ops.adapt_datetimefield_value(timezone.now())
            with connection.cursor() as cursor:
                cursor.execute(update, [seq, prev, now, HEAD_PK])


# --------------------------------------------------------------------------- #
# Verification
# --------------------------------------------------------------------------- #


@dataclasses.dataclass(frozen=True)
class FirstBad:
    seq: int | None
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"seq": self.seq, "reason": self.reason}


@dataclasses.dataclass(frozen=True)
class VerifyResult:
    events: int
    ok: bool
    first_bad: FirstBad | None
    first_seq: int | None = None  # where the walk started (1 unless only the tail was walked)
    last_seq: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "events": self.events,
            "ok": self.ok,
            "first_bad": self.first_bad.as_dict() if self.first_bad else None,
        }


_ROW_FIELDS = (*SEALED_FIELDS, "hash")


def _rows(using: str, *, after: int, upto: int | None, chunk: int) -> Iterable[dict[str, Any]]:
    """Rows with ``after < seq <= upto``, in order, ``chunk`` at a time (keyset paging)."""
    from talentport.common.models import AuditEvent

    rows = AuditEvent.objects.using(using).order_by("seq")
    if upto is not None:
        rows = rows.filter(seq__lte=upto)
    while True:
        batch = list(rows.filter(seq__gt=after).values_list(*_ROW_FIELDS)[:chunk])
        if not batch:
            return
        for values in batch:
            yield dict(zip(_ROW_FIELDS, values, strict=True))
        after = batch[-1][0]


def _same(a: str | None, b: str | None) -> bool:
    return hmac.compare_digest((a or "").encode("utf-8"), (b or "").encode("utf-8"))


def chain_verify(
    *, using: str = "default", tail: int | None = None, chunk: int = VERIFY_CHUNK
) -> VerifyResult:
    """Recompute every hash in ``seq`` order; the first row that does not hold.

    The walk ends at the chain head read when it starts (rows appended meanwhile are
    for the next run), so it runs beside a working portal.  ``tail`` walks only the
    newest ``tail`` rows, anchored on the row before them: quick, but it proves
    nothing about the older rows.
    """
    from talentport.common.models import AuditChainHead, AuditEvent

    key = _key()
    head = AuditChainHead.objects.using(using).filter(pk=HEAD_PK).values("seq", "hash").first()
    upto = head["seq"] if head is not None else None
    expected_seq, prev_hash = 1, GENESIS_HASH
    if tail is not None and upto is not None and upto > tail:
        expected_seq = upto - tail + 1
        anchor = (
            AuditEvent.objects.using(using)
            .filter(seq=expected_seq - 1)
            .values_list("hash", flat=True)
            .first()
        )
        if anchor is None:
            return VerifyResult(0, False, FirstBad(expected_seq - 1, Reason.SEQ_GAP), expected_seq)
        prev_hash = anchor
    first_seq, events = expected_seq, 0

    def broken(seq: int | None, reason: str) -> VerifyResult:
        return VerifyResult(events, False, FirstBad(seq, reason), first_seq, expected_seq - 1)

    for row in _rows(using, after=expected_seq - 1, upto=upto, chunk=chunk):
        events += 1
        if row["seq"] != expected_seq:
            return broken(expected_seq, Reason.SEQ_GAP)
        if not _same(row["prev_hash"], prev_hash):
            return broken(row["seq"], Reason.PREV_HASH_MISMATCH)
        if not _same(row_hash(row, key=key), row["hash"]):
            return broken(row["seq"], Reason.HASH_MISMATCH)
        prev_hash = row["hash"]
        expected_seq += 1
    last_seq = expected_seq - 1
    if head is None:
        if events:
            return broken(last_seq, Reason.HEAD_MISSING)
    elif head["seq"] != last_seq:
        # The journal ends before the head says it does: the newest rows were removed.
        return broken(last_seq + 1, Reason.SEQ_GAP)
    elif not _same(head["hash"], prev_hash):
        return broken(last_seq, Reason.HEAD_MISMATCH)
    if head is not None:
        # A row numbered past the head was not appended through the chain.  (Read the
        # rows first, then the head: a real append commits its row and the head together,
        # so the head read later is never behind the rows read earlier.)
        newest = AuditEvent.objects.using(using).order_by("-seq").values_list("seq", flat=True)
        newest_seq = newest.first() or 0
        head_now = (
            AuditChainHead.objects.using(using).filter(pk=HEAD_PK).values_list("seq", flat=True)
        )
        now_seq = head_now.first() or 0
        if newest_seq > now_seq:
            return broken(now_seq + 1, Reason.HEAD_MISMATCH)
    return VerifyResult(events, True, None, first_seq if events else None, last_seq or None)
