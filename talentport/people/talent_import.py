"""The talent database import (contract §9, seed 003 §二(十) 意愿来青留学人才信息库).

``talent_profiles_import(content, source=...)`` reads a JSONL file (one contract profile
a line, with an extra ``"id"`` and optionally ``"contact"`` and ``"consent"``) or an
``.xlsx`` made from :func:`template_workbook`, and upserts by (source, id):

- the whole file is read and decoded before anything is written: a file that is not
  UTF-8, a truncated last line, an unreadable workbook → :class:`ImportFileError`,
  nothing stored;
- each line is then created, updated, unchanged (its sha256 equals the stored
  ``data_digest``: nothing written, nothing validated again) or refused with its reasons;
  a refused line changes nothing;
- writes are bulk, one transaction per chunk of :data:`CHUNK` lines; existing rows are
  fetched per chunk with only their key, digest and consent.

Contact details are encrypted by the model fields; the masked forms are stored next to
them for lists. The audit event of an import carries counts only.
"""

from __future__ import annotations

import functools
import hashlib
import io
import itertools
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import orjson
from django.db import connection, transaction
from django.utils import timezone

from talentport.common.bulk import WritesBehind, bulk_insert, cyclic_gc_paused
from talentport.common.crypto import blind_index, encrypt
from talentport.common.idcard import IdentityFormatError, mask_email, validate_cn_mobile
from talentport.people.models import ImportRunStatus, ProfileImportRun, TalentProfile
from talentport.policies.services import profile_checked_digest, stored_profile_errors

#: Lines per transaction (and per query for the rows already stored).
CHUNK = 5_000
#: Above this many lines the staff page runs the import in the queue.
QUEUE_THRESHOLD = 2_000
#: Refused lines kept on the run for the staff page (the report itself has them all).
MAX_KEPT_REFUSALS = 2_000
MAX_ID_LENGTH = 120
MAX_NAME_LENGTH = 80
MAX_EMAIL_LENGTH = 254
MAX_SOURCE_LENGTH = 60

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
_MOBILE = re.compile(r"1[3-9]\d{9}")
_CONTACT_KEYS = ("name", "phone", "email")

Progress = Callable[[int, int], None]


class ImportFileError(Exception):
    """The whole file is refused: nothing is stored."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    refused: list[dict[str, Any]] = field(default_factory=list)
    run: Any = None  # the ProfileImportRun that records it

    def as_dict(self) -> dict[str, Any]:
        """Exactly the report of contract §9."""
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "refused": self.refused,
        }

    @property
    def counts(self) -> dict[str, int]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "refused": len(self.refused),
        }


#: What a line that is not JSON parses to.
NOT_JSON: Any = object()


class CellErrors(list[dict[str, str]]):
    """The cells of a spreadsheet row that could not be read (the row is refused)."""


@dataclass
class _Line:
    number: int
    key: str
    digest: str
    profile: dict[str, Any]
    contact: dict[str, str]
    consent: bool


def _error(field_path: str, message: str) -> dict[str, str]:
    return {"field": field_path, "message": message}


# --------------------------------------------------------------------------- reading


def _read_all(content: bytes | str | Path | IO[bytes]) -> bytes:
    if isinstance(content, bytes):
        return content
    if isinstance(content, str | Path):
        try:
            return Path(content).read_bytes()
        except OSError as exc:
            raise ImportFileError(f"无法读取文件：{exc.strerror or exc}") from exc
    return content.read()


def _is_xlsx(raw: bytes, filename: str) -> bool:
    return raw[:4] == b"PK\x03\x04" or filename.lower().endswith(".xlsx")


def jsonl_records(raw: bytes) -> Iterator[tuple[int, bytes | None, Any]]:
    """``(line number, line bytes, parsed object or NOT_JSON)`` for each
    non-blank line; raises ImportFileError for a file that is not UTF-8 or whose last
    line (no newline after it) is cut off. The whole file is checked before the first
    record is given; the records are parsed as they are asked for (a million parsed
    lines held at once would take gigabytes)."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        where = raw.count(b"\n", 0, exc.start) + 1
        raise ImportFileError(f"文件不是 UTF-8 编码（第 {where} 行），未导入任何记录") from exc
    tail = raw[raw.rfind(b"\n") + 1 :]
    if tail.strip():  # the last line has no newline after it: complete, or cut off?
        try:
            orjson.loads(tail)
        except orjson.JSONDecodeError as exc:
            last = raw.count(b"\n") + 1
            raise ImportFileError(
                f"文件不完整：最后一行（第 {last} 行）被截断，未导入任何记录"
            ) from exc
    return _parsed_lines(raw)


def _parsed_lines(raw: bytes) -> Iterator[tuple[int, bytes | None, Any]]:
    loads = orjson.loads
    for number, line in enumerate(io.BytesIO(raw), start=1):
        line = line.rstrip(b"\r\n")
        if not line.strip():
            continue
        try:
            yield number, line, loads(line)
        except orjson.JSONDecodeError:
            yield number, line, NOT_JSON


def _nonblank_lines(raw: bytes) -> int:
    return sum(1 for line in io.BytesIO(raw) if line.strip())


# --------------------------------------------------------------------------- checks


def _check_id(value: object) -> tuple[str, dict[str, str] | None]:
    if isinstance(value, bool) or not isinstance(value, str | int):
        if value is None:
            return "", _error("id", "缺少编号 id（来源自己的编号，字符串或整数）")
        return "", _error("id", "编号 id 应为字符串或整数")
    key = str(value).strip()
    if not key:
        return "", _error("id", "编号 id 不能为空")
    if len(key) > MAX_ID_LENGTH:
        return "", _error("id", f"编号 id 过长（最多 {MAX_ID_LENGTH} 个字符）")
    return key, None


def mobile_check(value: object) -> str:
    """A mainland mobile number, normalised; IdentityFormatError for anything else
    (a landline too: the bureau contacts imported people by SMS)."""
    number = validate_cn_mobile(value)
    if not _MOBILE.fullmatch(number):
        raise IdentityFormatError("phone", "应为手机号码（11位，以13至19开头），不接受固定电话")
    return number


def _check_contact(value: object) -> tuple[dict[str, str], list[dict[str, str]]]:
    if value is None:
        return {}, []
    if not isinstance(value, dict):
        return {}, [_error("contact", "联系方式 contact 应为对象 {name, phone, email}")]
    errors: list[dict[str, str]] = []
    contact: dict[str, str] = {}
    for key in value:
        if key not in _CONTACT_KEYS:
            errors.append(
                _error(f"contact.{key}", "未知的联系方式字段（可用：name、phone、email）")
            )
    for key in _CONTACT_KEYS:
        item = value.get(key)
        if item is None or item == "":
            continue
        if not isinstance(item, str):
            errors.append(_error(f"contact.{key}", "应为字符串"))
            continue
        item = item.strip()
        if key == "name":
            if len(item) > MAX_NAME_LENGTH:
                errors.append(_error("contact.name", f"姓名过长（最多 {MAX_NAME_LENGTH} 个字）"))
            elif item:
                contact["name"] = item
        elif key == "phone":
            try:
                contact["phone"] = mobile_check(item)
            except IdentityFormatError as exc:
                errors.append(_error("contact.phone", exc.message))
        elif item:
            if len(item) > MAX_EMAIL_LENGTH or not _EMAIL.fullmatch(item):
                errors.append(_error("contact.email", "电子邮箱格式不对，例如 name@example.com"))
            else:
                contact["email"] = item
    return contact, errors


def _check_rest(obj: dict[str, Any]) -> tuple[_Line, list[dict[str, str]]]:
    """The contact, the consent and the profile of a line whose id is known."""
    profile = dict(obj)
    profile.pop("id", None)
    contact, errors = _check_contact(profile.pop("contact", None))
    consent = profile.pop("consent", False)
    if not isinstance(consent, bool):
        errors.append(_error("consent", "同意联系 consent 应为 true 或 false"))
    return _Line(0, "", "", profile, contact, consent is True), errors


def _digest(line: bytes | None, obj: Any) -> str:
    if line is None:
        line = orjson.dumps(obj, option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(line).hexdigest()


# --------------------------------------------------------------------------- storing


class _Writer:
    """Rows of TalentProfile written in bulk per chunk (COPY or ``executemany``): the ORM's
    per-field preparation costs more than everything else of an import. The values are
    what the model fields would store (the JSON as the field prepares it, Fernet tokens,
    the blind index of the normalised phone, the masked forms)."""

    COLUMNS = (
        "data",
        "contact_name",
        "contact_phone",
        "contact_phone_index",
        "contact_phone_masked",
        "contact_email",
        "contact_email_masked",
        "consent",
        "consent_at",
        "data_digest",
        "checked",
        "updated_at",
    )

    def __init__(self) -> None:
        meta = TalentProfile._meta
        self.table = connection.ops.quote_name(meta.db_table)
        self.quote = connection.ops.quote_name
        self.data_field = meta.get_field("data")
        index_field = meta.get_field("contact_phone_index")
        self.index_scope: str = index_field.index_scope
        self.native_uuid = connection.features.has_native_uuid_field
        # JSON as text, written by orjson several times faster than the field's encoder:
        # SQLite keeps it as such, PostgreSQL reads it into jsonb (a str parameter is
        # sent untyped, COPY reads text)
        self.json_text = connection.vendor in {"sqlite", "postgresql"}
        self.postgres = connection.vendor == "postgresql"
        self.now = timezone.now()
        self.db_now = connection.ops.adapt_datetimefield_value(self.now)

    def values(self, line: _Line, was_consent: bool, consent_at: Any) -> list[Any]:
        phone = line.contact.get("phone")
        email = line.contact.get("email")
        name = line.contact.get("name")
        if line.consent and not was_consent:
            consent_at = self.db_now
        elif not line.consent:
            consent_at = None
        return [
            orjson.dumps(line.profile).decode()
            if self.json_text
            else self.data_field.get_db_prep_save(line.profile, connection),
            encrypt(name) if name else None,
            encrypt(phone) if phone else None,
            blind_index(phone, scope=self.index_scope) if phone else "",
            phone[:3] + "****" + phone[-4:] if phone else "",  # a normalised mobile number
            encrypt(email) if email else None,
            mask_email(email) if email else "",
            line.consent,
            consent_at,
            line.digest,
            profile_checked_digest(line.profile),  # validated by the caller
            self.db_now,
        ]

    def existing(self, source: str, keys: list[str]) -> dict[str, tuple[Any, ...]]:
        """key → (pk, digest, consent, consent_at as the column holds it, user id).

        Raw SQL with the condition of the partial unique index written out, so that
        SQLite searches that index rather than scanning the table."""
        sql = (  # noqa: S608 - quoted names of this model and placeholders only
            "SELECT {id}, {key}, {digest}, {consent}, {at}, {user} FROM {table} "
            "WHERE NOT ({source} = '') AND {source} = %s AND {key} {among}"
        ).format(
            id=self.quote("id"),
            key=self.quote("source_key"),
            digest=self.quote("data_digest"),
            consent=self.quote("consent"),
            at=self.quote("consent_at"),
            user=self.quote("user_id"),
            table=self.table,
            source=self.quote("source"),
            # one array parameter on PostgreSQL (parsed far faster than thousands)
            among="= ANY(%s)" if self.postgres else f"IN ({', '.join(['%s'] * len(keys))})",
        )
        params: list[Any] = [source, keys] if self.postgres else [source, *keys]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return {row[1]: (row[0], row[2], row[3], row[4], row[5]) for row in cursor.fetchall()}

    def insert(self, source: str, rows: list[tuple[_Line, list[Any]]]) -> None:
        columns = ("uuid", "created_at", "source", "source_key", "user_id", *self.COLUMNS)
        params = []
        for line, values in rows:
            key = uuid.uuid4()
            params.append(
                [key if self.native_uuid else key.hex, self.db_now, source, line.key, None, *values]
            )
        bulk_insert(TalentProfile, columns, params, prepared=True)  # COPY on PostgreSQL

    def update(self, rows: list[tuple[int, list[Any]]]) -> None:
        sql = "UPDATE {} SET {} WHERE {} = %s".format(  # noqa: S608 - names, placeholders
            self.table, ", ".join(f"{self.quote(c)} = %s" for c in self.COLUMNS), self.quote("id")
        )
        with connection.cursor() as cursor:
            cursor.executemany(sql, [[*values, pk] for pk, values in rows])


def _store_chunk(
    source: str,
    lines: list[_Line],
    report: ImportReport,
    refused: list[dict[str, Any]],
    behind: WritesBehind,
) -> None:
    """Check the chunk's lines here; its writes go to ``behind`` (one transaction)."""
    writer = _Writer()
    stored = writer.existing(source, [line.key for line in lines])
    new: list[tuple[_Line, list[Any]]] = []
    changed: list[tuple[int, list[Any]]] = []
    for pending in lines:
        existing = stored.get(pending.key)
        if existing is not None and (existing[1] == pending.digest or existing[4] is not None):
            # the very line stored before: nothing to check or write; or a profile an
            # account has taken over (sign-up linking), where what the person says wins
            report.unchanged += 1
            continue
        line, errors = _check_rest(pending.profile)
        line.number, line.key, line.digest = pending.number, pending.key, pending.digest
        errors += [_error(e.field, e.message) for e in stored_profile_errors(line.profile)]
        if errors:
            refused.append({"line": line.number, "errors": errors})
            continue
        if existing is None:
            new.append((line, writer.values(line, False, None)))
        else:
            changed.append((existing[0], writer.values(line, bool(existing[2]), existing[3])))
    if new or changed:
        behind.submit(functools.partial(_write_chunk, writer, source, new, changed))
    report.created += len(new)
    report.updated += len(changed)


def _write_chunk(
    writer: _Writer,
    source: str,
    new: list[tuple[_Line, list[Any]]],
    changed: list[tuple[int, list[Any]]],
) -> None:
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # a chunk's commit need not wait for its WAL to reach the disk: the run's
            # last commit (synchronous) flushes it with all before it, and a crash in
            # between leaves the run unfinished, to be imported again (idempotent)
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        if new:
            writer.insert(source, new)
        if changed:
            writer.update(changed)


def _records(raw: bytes, filename: str) -> tuple[int, Iterator[tuple[int, bytes | None, Any]]]:
    """How many records the file holds, and the records; the file is checked as a whole
    (ImportFileError) before this returns."""
    if _is_xlsx(raw, filename):
        from talentport.people.talent_xlsx import workbook_records

        rows = workbook_records(raw)
        return len(rows), iter(rows)
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    records = jsonl_records(raw)
    return _nonblank_lines(raw), records


def count_lines(raw: bytes, filename: str = "") -> int:
    """About how many records a file holds (for the choice of running it in the queue)."""
    if _is_xlsx(raw, filename):
        return QUEUE_THRESHOLD + 1 if len(raw) > 200_000 else 0
    return raw.count(b"\n") + (0 if raw.endswith(b"\n") else 1)


def talent_profiles_import(
    content: bytes | str | Path | IO[bytes],
    *,
    source: str,
    actor: Any = None,
    filename: str = "",
    progress: Progress | None = None,
    run: ProfileImportRun | None = None,
) -> ImportReport:
    """Import one file into the talent database under ``source`` (see the module doc).

    ``progress(processed, total)`` is called after each chunk. Every import that gets
    past reading the file is recorded as a :class:`ProfileImportRun` (``run``, when the
    staff page made one already), the subject of the audit event.
    """
    source = (source or "").strip()
    if not source:
        raise ImportFileError("请指定来源名称（--source）")
    if len(source) > MAX_SOURCE_LENGTH:
        raise ImportFileError(f"来源名称过长（最多 {MAX_SOURCE_LENGTH} 个字符）")
    if isinstance(content, str | Path) and not filename:
        filename = Path(content).name
    raw = _read_all(content)
    with cyclic_gc_paused():
        return _import(
            raw, source=source, actor=actor, filename=filename, progress=progress, run=run
        )


def _import(
    raw: bytes,
    *,
    source: str,
    actor: Any,
    filename: str,
    progress: Progress | None,
    run: ProfileImportRun | None,
) -> ImportReport:
    total, records = _records(raw, filename)  # the whole file checked before any write
    run = _run_start(run, source=source, actor=actor, filename=filename, total=total)
    with WritesBehind() as behind:
        return _import_records(records, total, source, actor, run, progress, behind)


def _import_records(
    records: Iterator[tuple[int, bytes | None, Any]],
    total: int,
    source: str,
    actor: Any,
    run: ProfileImportRun,
    progress: Progress | None,
    behind: WritesBehind,
) -> ImportReport:
    report = ImportReport()
    refused: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for start in range(0, total, CHUNK):
        lines: list[_Line] = []
        for number, line_bytes, obj in itertools.islice(records, CHUNK):
            if isinstance(obj, CellErrors):
                refused.append({"line": number, "errors": list(obj)})
                continue
            if not isinstance(obj, dict):
                message = "不是有效的 JSON" if obj is NOT_JSON else "应为 JSON 对象"
                refused.append({"line": number, "errors": [_error("profile", message)]})
                continue
            key, id_error = _check_id(obj.get("id"))
            if id_error is not None:
                _, errors = _check_rest(obj)
                refused.append({"line": number, "errors": [id_error, *errors]})
                continue
            first = seen.get(key)
            if first is not None:
                message = f"编号 {key} 与第 {first} 行重复（同一来源的编号在文件中只能出现一次）"
                refused.append({"line": number, "errors": [_error("id", message)]})
                continue
            seen[key] = number
            # the profile slot holds the whole record until the digest says it changed
            lines.append(_Line(number, key, _digest(line_bytes, obj), obj, {}, False))
        if lines:
            _store_chunk(source, lines, report, refused, behind)
        processed = min(total, start + CHUNK)
        # the progress is the run's heartbeat too (a quiet run is taken over, tasks.py)
        ProfileImportRun.objects.filter(pk=run.pk).update(
            processed=processed, updated_at=timezone.now()
        )
        if progress is not None:
            progress(processed, total)
    behind.close()  # every chunk stored before the run is done
    report.refused = sorted(refused, key=lambda r: r["line"])
    report.run = run
    _run_finish(run, report)
    _audit(report, actor=actor, total=total, run=run)
    return report


def _run_start(
    run: ProfileImportRun | None, *, source: str, actor: Any, filename: str, total: int
) -> ProfileImportRun:
    if run is None:
        run = ProfileImportRun(source=source, filename=filename[:255], actor=actor)
    run.status = ImportRunStatus.RUNNING
    run.total = total
    run.processed = 0
    run.error = ""
    run.save()
    return run


def _run_finish(run: ProfileImportRun, report: ImportReport) -> None:
    run.status = ImportRunStatus.DONE
    run.processed = run.total
    run.created_count = report.created
    run.updated_count = report.updated
    run.unchanged_count = report.unchanged
    run.refused_count = len(report.refused)
    run.refused = report.refused[:MAX_KEPT_REFUSALS]
    run.finished_at = timezone.now()
    run.save()


def _audit(report: ImportReport, *, actor: Any, total: int, run: ProfileImportRun) -> None:
    from talentport.common.services import audit_event_record

    data = {"source": run.source, "lines": total, **report.counts}
    audit_event_record(subject=run, action="people.profiles_import", actor=actor, data=data)
