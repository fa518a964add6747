"""政策找人 over the stored profiles: the talent database and every account's profile.

One code path with ``talentport match``: stored profiles are read in primary-key chunks
as JSON text (no model instances, no decryption), evaluated column-wise by
:func:`talentport.policies.engine.batch.evaluate_lines` against the policies in force,
and diffed in bulk against each person's :class:`PushState`. Only the rows that changed
reach Python; each chunk's writes (state, notices, grants) and the run's checkpoint are
one transaction, so a run killed at any point resumes where it stopped and tells nobody
twice. Notices go to the outbox (one per person per push, listing everything new); the
outbox sends them after commit.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import logging
import queue
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

import orjson
import polars as pl
from django.conf import settings
from django.db import connection, connections, transaction
from django.db.models import Count, Max, Q, TextField
from django.db.models.functions import Cast, Length
from django.urls import reverse
from django.utils import timezone

from talentport.common.bulk import WritesBehind, bulk_insert, cyclic_gc_paused
from talentport.funds.models import Grant
from talentport.notify.models import MessageKind
from talentport.notify.outbox import OutboxItem, outbox_queue
from talentport.people.models import TalentProfile
from talentport.policies.engine import Policy
from talentport.policies.engine.batch import MatchError, _select, evaluate_lines
from talentport.policies.engine.vector import eligible_col, total_col, window_col
from talentport.policies.models import PolicyVersion, PushRun, PushRunStatus, PushState

logger = logging.getLogger("talentport.policies")

REMINDER_DAYS = 60
#: Amounts are stored in 14-digit columns (yuan, 2 decimals): a larger total marks a
#: profile stored before validation was strict; it is skipped, not pushed.
TOTAL_LIMIT_FEN = 10**14


def chunk_size() -> int:
    return int(getattr(settings, "PUSH_CHUNK_SIZE", 20_000))


@dataclass
class PushReport:
    """What a push did; :meth:`contract` is the JSON of contract §9."""

    profiles: int = 0
    newly_eligible: int = 0
    no_longer_eligible: int = 0
    people_notified: int = 0
    reminders: int = 0
    grants: int = 0
    skipped_invalid: int = 0

    def add(self, other: PushReport) -> None:
        for name, value in asdict(other).items():
            setattr(self, name, getattr(self, name) + value)

    def contract(self) -> dict[str, int]:
        data = asdict(self)
        data.pop("skipped_invalid")
        return data

    @classmethod
    def from_counts(cls, counts: dict[str, Any]) -> PushReport:
        known = set(asdict(cls()))
        return cls(**{k: int(v) for k, v in counts.items() if k in known})


@dataclass
class _Rows:
    """One chunk of stored profiles as the push reads them."""

    ids: list[int] = field(default_factory=list)
    payload: list[bytes] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    digests: list[int] = field(default_factory=list)
    checked: list[int | None] = field(default_factory=list)
    user: dict[int, int] = field(default_factory=dict)
    reachable: set[int] = field(default_factory=set)


def _chunks(after: int, size: int, only: Sequence[int] | None) -> Iterator[_Rows]:
    """Stored profiles with a primary key above ``after``, ``size`` at a time."""
    base = TalentProfile.objects.all()
    if only is not None:
        base = base.filter(pk__in=list(only))
    last = after
    while True:
        # the chunk's last key first (an index-only scan), then the rows by key range: a
        # plain ORDER BY … LIMIT lets PostgreSQL sort the whole rest of the table when its
        # statistics are behind (right after an import): 3× slower at 100k
        ahead = base.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)
        bound = next(iter(ahead[size - 1 : size]), None)
        window = base.filter(pk__gt=last)
        if bound is not None:
            window = window.filter(pk__lte=bound)
        rows = list(
            window.order_by("pk")
            .annotate(
                text=Cast("data", TextField()),
                phone_len=Length("contact_phone"),
                email_len=Length("contact_email"),
            )
            .values_list("pk", "text", "user_id", "consent", "phone_len", "email_len", "checked")
        )
        if not rows:
            return
        chunk = _Rows()
        for pk, text, user_id, consent, phone_len, email_len, checked in rows:
            text = text or "{}"
            chunk.ids.append(pk)
            chunk.texts.append(text)
            chunk.checked.append(checked)
            chunk.payload.append(_payload(pk, text))
            chunk.digests.append(_digest(text))
            if user_id is not None:
                chunk.user[pk] = user_id
            elif consent and ((phone_len or 0) > 0 or (email_len or 0) > 0):
                chunk.reachable.add(pk)
        yield chunk
        last = rows[-1][0]


def _chunks_ahead(after: int, size: int, only: Sequence[int] | None) -> Iterator[_Rows]:
    """:func:`_chunks`, the next one read by a thread (its own database connection)
    while this one is evaluated and written: on PostgreSQL the reading is mostly a wait
    on the server, which runs on another core. Inside a transaction (the caller's, or
    a test's) the chunks are read in line, where the caller's transaction sees them."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield from _chunks(after, size, only)
        return
    ready: queue.Queue[_Rows | BaseException | None] = queue.Queue(maxsize=1)
    stop = threading.Event()

    def offer(item: _Rows | BaseException | None) -> bool:
        while not stop.is_set():
            try:
                ready.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def read() -> None:
        try:
            for rows in _chunks(after, size, only):
                if not offer(rows):
                    return
            offer(None)
        except BaseException as exc:  # handed to the consumer, raised there
            offer(exc)
        finally:
            connections.close_all()  # this thread's connection

    reader = threading.Thread(target=read, name="push-read-ahead", daemon=True)
    reader.start()
    try:
        while True:
            item = ready.get()
            if item is None:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()  # the consumer stopped early (a run taken over) or is done
        reader.join(timeout=30)


def _digest(text: str) -> int:
    return int.from_bytes(
        hashlib.blake2b(text.encode(), digest_size=8).digest(), "big", signed=True
    )


def _invalid(rows: _Rows, state: pl.DataFrame) -> set[int]:
    """Rows that fail the contract's validation (as stored), among those new or changed
    since they were last evaluated; the columnar checks only cover the fields policies read.

    A document its writer validated under this release (its ``checked`` digest matches)
    is not validated again; any other one is."""
    from talentport.policies.services import profile_checked_digest, stored_profile_errors

    known = dict(
        zip(state.get_column("id").to_list(), state.get_column("digest").to_list(), strict=True)
    )
    bad: set[int] = set()
    for pk, text, digest, checked in zip(
        rows.ids, rows.texts, rows.digests, rows.checked, strict=True
    ):
        if known.get(pk) == digest:
            continue
        try:
            data = orjson.loads(text)
        except orjson.JSONDecodeError:
            bad.add(pk)
            continue
        if checked is not None and checked == profile_checked_digest(data):
            continue
        if stored_profile_errors(data):
            bad.add(pk)
    return bad


def _payload(pk: int, text: str | None) -> bytes:
    """The stored profile as a JSONL line with the row's id first, as the engine reads."""
    body = (text or "{}").strip()
    if not body.startswith("{"):
        body = '{"__not_an_object": true}'
    inner = body[1:].lstrip()
    sep = "" if inner.startswith("}") else ","
    return f'{{"id":{pk}{sep}{inner}'.replace("\n", " ").encode()


def _state_frame(ids: list[int]) -> pl.DataFrame:
    rows = list(
        PushState.objects.filter(profile_id__gte=ids[0], profile_id__lte=ids[-1]).values_list(
            "profile_id", "eligible", "reminded", "digest"
        )
    )
    return pl.DataFrame(
        rows,
        schema={"id": pl.Int64, "was": pl.String, "reminded": pl.String, "digest": pl.Int64},
        orient="row",
    )


#: A PushState row as written: (profile_id, eligible, reminded, digest).
_StateRow = tuple[int, str, str, int]


@dataclass
class _Change:
    pk: int
    newly: list[str]
    lost: list[str]
    reminders: list[tuple[str, dt.date]]
    keep_state: str
    keep_reminded: str
    digest: int


#: :func:`_diff`'s answer when nothing changed.
_NO_CHANGE = pl.DataFrame(
    schema={
        "id": pl.Int64,
        "newly": pl.List(pl.String),
        "lost": pl.List(pl.String),
        "due_new": pl.List(pl.String),
        "keep_state": pl.String,
        "keep_reminded": pl.String,
        "digest": pl.Int64,
    }
)


def _diff(
    frame: pl.DataFrame,
    state: pl.DataFrame,
    digests: pl.DataFrame,
    chosen: Sequence[Policy],
    today: dt.date,
) -> tuple[pl.DataFrame, int, int]:
    """The rows whose eligibility, due reminders or document changed, with their changes
    (columns ``id``, ``newly``, ``lost``, ``due_new``, ``keep_state``, ``keep_reminded``,
    ``digest``).

    Returns ``(changed, evaluated, skipped)``. The whole comparison runs in polars.
    """
    ids = [p.id for p in chosen]
    limit = today + dt.timedelta(days=REMINDER_DAYS)
    frame = frame.with_columns(pl.col("bad").fill_null(True))
    if not all(total_col(pid) in frame.columns for pid in ids):
        # every line of the chunk was refused: no policy column was ever built
        return _NO_CHANGE, 0, frame.height
    if ids:
        over = pl.any_horizontal(
            [pl.col(total_col(pid)).fill_null(0) >= TOTAL_LIMIT_FEN for pid in ids]
        )
        frame = frame.with_columns(pl.col("bad") | over.fill_null(True))
    skipped = frame.filter(pl.col("bad")).height
    good = frame.filter(~pl.col("bad"))
    if not ids or good.height == 0:
        return _NO_CHANGE, good.height, skipped
    ordered = sorted(set(ids))
    # Strings, not lists, for the common case: "a,b,c" of the eligible ids in sorted
    # order (a list per row costs far more in polars than one concatenated string).
    now_str = pl.concat_str(
        [
            pl.when(pl.col(eligible_col(pid))).then(pl.lit(pid + ",")).otherwise(pl.lit(""))
            for pid in ordered
        ]
    ).str.strip_chars_end(",")
    due_str = pl.concat_str(
        [
            pl.when(
                pl.col(eligible_col(pid))
                & pl.col(window_col(pid)).is_not_null()
                & (pl.col(window_col(pid)) >= today)
                & (pl.col(window_col(pid)) <= limit)
            )
            .then(pl.lit(pid + "@") + pl.col(window_col(pid)).cast(pl.String) + pl.lit(","))
            .otherwise(pl.lit(""))
            for pid in ordered
        ]
    ).str.strip_chars_end(",")
    wanted = ordered

    def split(column: str) -> pl.Expr:
        return (
            pl.col(column)
            .fill_null("")
            .str.split(",")
            .list.eval(pl.element().filter(pl.element() != ""))
        )

    work = (
        good.select("id", now_str.alias("now_str"), due_str.alias("due_str"))
        .join(state.rename({"digest": "was_digest"}), on="id", how="left")
        .join(digests, on="id")
    )
    # The common case first, on plain strings: the same eligibility as last time, no
    # reminder due, the profile unchanged. Only the rest goes through the list algebra.
    work = work.filter(
        ~(
            pl.col("was").is_not_null()
            & (pl.col("now_str") == pl.col("was"))
            & (pl.col("due_str") == "")
            & (pl.col("digest") == pl.col("was_digest"))
        )
    ).with_columns(split("now_str").alias("now"), split("due_str").alias("due"))
    # What was known of the chosen policies only: a push for some policies keeps the
    # state of the others untouched. A reminder is kept only while its date is ahead.
    work = work.with_columns(
        pl.col("was").is_not_null().alias("known"),
        split("was").list.eval(pl.element().filter(pl.element().is_in(wanted))).alias("was_chosen"),
        split("was").list.eval(pl.element().filter(~pl.element().is_in(wanted))).alias("others"),
        split("reminded").alias("reminded_list"),
    ).with_columns(
        pl.col("now").list.set_difference(pl.col("was_chosen")).list.sort().alias("newly"),
        pl.col("was_chosen").list.set_difference(pl.col("now")).list.sort().alias("lost"),
        pl.col("due").list.set_difference(pl.col("reminded_list")).list.sort().alias("due_new"),
    )
    work = work.with_columns(
        pl.concat_list("others", "now")
        .list.unique()
        .list.sort()
        .list.join(",")
        .alias("keep_state"),
        pl.concat_list(
            pl.col("reminded_list").list.eval(
                pl.element().filter(pl.element().str.extract("@(.*)$") >= today.isoformat())
            ),
            "due_new",
        )
        .list.unique()
        .list.sort()
        .list.join(",")
        .alias("keep_reminded"),
    )
    changed = work.filter(
        (pl.col("newly").list.len() > 0)
        | (pl.col("lost").list.len() > 0)
        | (pl.col("due_new").list.len() > 0)
        | ~pl.col("known")
        | (pl.col("digest") != pl.col("was_digest"))
    )
    columns = ["id", "newly", "lost", "due_new", "keep_state", "keep_reminded", "digest"]
    return changed.select(columns), good.height, skipped


def _changes(changed: pl.DataFrame) -> list[_Change]:
    """The rows of :func:`_diff`'s frame as objects, for the people who are told."""
    columns = ["id", "newly", "lost", "due_new", "keep_state", "keep_reminded", "digest"]
    return [
        _Change(
            pk=pk,
            newly=newly,
            lost=lost,
            reminders=[
                (key.partition("@")[0], dt.date.fromisoformat(key.partition("@")[2]))
                for key in due_new
            ],
            keep_state=keep_state,
            keep_reminded=keep_reminded,
            digest=digest,
        )
        for pk, newly, lost, due_new, keep_state, keep_reminded, digest in zip(
            *(changed.get_column(c).to_list() for c in columns), strict=True
        )
    ]


@dataclass
class _Context:
    chosen: list[Policy]
    by_id: dict[str, Policy]
    versions: dict[str, int]
    departments: dict[str, int]
    today: dt.date
    dry_run: bool


def _link() -> str:
    return reverse("policies:check_results")


def _notice(change: _Change, fen: Callable[[str], Any], ctx: _Context) -> tuple[str, str] | None:
    """The one message a person gets from this push, or None when there is nothing."""
    plain = [p for p in change.newly if not ctx.by_id[p].auto_grant]
    auto = [p for p in change.newly if ctx.by_id[p].auto_grant]
    if not (plain or auto or change.reminders):
        return None
    lines: list[str] = []

    def amount(pid: str) -> str:
        value = fen(pid)
        return f"，最高 {Decimal(value) / 100:,.0f} 元" if value else ""

    if plain:
        lines.append("可享受：")
        lines += [f"· {ctx.by_id[p].title}{amount(p)}" for p in plain]
    if auto:
        lines.append("免申即享（无需申请，工作人员确认后发放）：")
        lines += [f"· {ctx.by_id[p].title}{amount(p)}" for p in auto]
    if change.reminders:
        lines.append("申报即将截止：")
        lines += [
            f"· {ctx.by_id[p].title}：{day.isoformat()} 截止，请尽快申报"
            for p, day in change.reminders
        ]
    count = len(plain) + len(auto)
    if count:
        title = f"为您找到 {count} 项可享受的政策"
    else:
        title = f"{len(change.reminders)} 项政策申报即将截止"
    return title, "\n".join(lines)


def _act(
    frame: pl.DataFrame,
    changed: pl.DataFrame,
    rows: _Rows,
    ctx: _Context,
    report: PushReport,
) -> tuple[list[_StateRow], list[OutboxItem], list[_GrantRow]]:
    """What the chunk's changes write: every changed row's state and its new grants
    straight from the frames; a Python object only for the people who are told (an
    account holder, or an imported person who consented and can be reached)."""
    if changed.height == 0:
        return [], [], []
    report.newly_eligible += int(changed.get_column("newly").list.len().sum())
    report.no_longer_eligible += int(changed.get_column("lost").list.len().sum())
    states: list[_StateRow] = changed.select("id", "keep_state", "keep_reminded", "digest").rows()
    grants: list[_GrantRow] = []
    for policy in ctx.chosen:
        if not policy.auto_grant:
            continue
        pid = policy.id
        won = changed.filter(pl.col("newly").list.contains(pid)).select("id")
        if won.height == 0:
            continue
        amounts = won.join(frame.select("id", total_col(pid)), on="id", how="left")
        version, department = ctx.versions.get(pid, 1), ctx.departments.get(pid)
        grants += [
            (
                pk,
                pid,
                version,
                policy.title,
                None if amount is None else Decimal(amount) / 100,
                policy.jurisdiction,
                department,
            )
            for pk, amount in amounts.rows()
        ]
    told = changed.filter(pl.col("id").is_in([*rows.user, *rows.reachable]))
    if told.height == 0:
        return states, [], grants
    position: dict[int, int] = {}
    totals: dict[str, list[Any]] = {}

    def fen(pid: str, pk: int) -> Any:
        if not position:
            position.update((key, i) for i, key in enumerate(frame.get_column("id").to_list()))
        if pid not in totals:
            totals[pid] = frame.get_column(total_col(pid)).to_list()
        return totals[pid][position[pk]]

    link = ""
    items: list[OutboxItem] = []
    for change in _changes(told):
        notice = _notice(change, functools.partial(_fen_of, fen, change.pk), ctx)
        if notice is None:
            continue
        told_text = "|".join(
            [str(change.pk), ctx.today.isoformat(), ",".join(change.newly)]
            + [f"{p}@{d.isoformat()}" for p, d in change.reminders]
        )
        digest = hashlib.sha256(told_text.encode()).hexdigest()[:32]
        kind = MessageKind.POLICY_ELIGIBLE if change.newly else MessageKind.POLICY_REMINDER
        link = link or _link()  # once, and only when someone is told (it loads the URLs)
        user_id = rows.user.get(change.pk)
        items.append(
            OutboxItem(
                dedupe_key=f"push:{change.pk}:{digest}",
                kind=kind,
                title=notice[0],
                body=notice[1],
                link=link,
                user_id=user_id,
                profile_id=None if user_id is not None else change.pk,
            )
        )
        report.people_notified += 1
        report.reminders += len(change.reminders)
    return states, items, grants


def _fen_of(fen: Callable[[str, int], Any], pk: int, pid: str) -> Any:
    return fen(pid, pk)


def _upsert_states(states: list[_StateRow]) -> None:
    """Insert or update the states in bulk (COPY on PostgreSQL; see common.bulk)."""
    bulk_insert(
        PushState,
        ["profile_id", "eligible", "reminded", "digest"],
        states,
        conflict=["profile_id"],
        update=["eligible", "reminded", "digest", "updated_at"],
    )


#: A grant as written: the columns of :data:`_GRANT_COLUMNS`.
_GrantRow = tuple[int, str, int, str, Decimal | None, str, int | None]
_GRANT_COLUMNS = [
    "profile_id",
    "policy_id",
    "policy_version",
    "title",
    "amount",
    "jurisdiction",
    "department_id",
]


def _write(states: list[_StateRow], items: list[OutboxItem], grants: list[_GrantRow]) -> int:
    """The chunk's writes, in bulk. Returns the number of grants created (one per
    profile and policy, ever: the unique constraint skips those already recorded)."""
    if states:
        _upsert_states(states)
    outbox_queue(items)
    created = bulk_insert(
        Grant, _GRANT_COLUMNS, grants, conflict=["profile_id", "policy_id"], returning=["id"]
    )
    return len(created)


def _context(policy_ids: Sequence[str] | None, as_of: dt.date | None, dry_run: bool) -> _Context:
    from talentport.policies.selectors import policies_in_force
    from talentport.policies.services import policy_departments

    policies = policies_in_force()
    chosen = _select(list(policy_ids) if policy_ids is not None else None, policies)
    versions = {
        row["policy_id"]: row["v"]
        for row in PolicyVersion.objects.values("policy_id").annotate(v=Max("version"))
    }
    return _Context(
        chosen=chosen,
        by_id={p.id: p for p in chosen},
        versions=versions,
        departments=policy_departments(),
        today=as_of or timezone.localdate(),
        dry_run=dry_run,
    )


ChunkDone = Callable[[int, int, PushReport], bool]


def push_profiles(
    *,
    policy_ids: Sequence[str] | None = None,
    as_of: dt.date | None = None,
    dry_run: bool = False,
    profile_ids: Sequence[int] | None = None,
    after: int = 0,
    on_chunk: ChunkDone | None = None,
) -> PushReport:
    """Push the policies in force (or ``policy_ids`` among them) to stored profiles.

    ``on_chunk(last_pk, processed, chunk_report)`` is called inside each chunk's
    transaction (after its writes): a run records its checkpoint there, and returning
    False rolls the chunk back and stops (another executor took over). Raises
    :class:`MatchError` for an unknown policy id.
    """
    with cyclic_gc_paused():
        return _push(policy_ids, as_of, dry_run, profile_ids, after, on_chunk)


def _push(
    policy_ids: Sequence[str] | None,
    as_of: dt.date | None,
    dry_run: bool,
    profile_ids: Sequence[int] | None,
    after: int,
    on_chunk: ChunkDone | None,
) -> PushReport:
    ctx = _context(policy_ids, as_of, dry_run)
    report = PushReport()
    written: list[PushReport] = []  # the chunks committed, in order
    stopped = threading.Event()
    with WritesBehind() as behind:
        for rows in _chunks_ahead(after, chunk_size(), profile_ids):
            part, writes = _chunk(rows, ctx)
            if dry_run:
                states, items, grants = writes
                part.grants = len(_new_grants(grants))
                if on_chunk is not None and not on_chunk(rows.ids[-1], len(rows.ids), part):
                    break
                report.add(part)
                continue
            behind.submit(
                functools.partial(
                    _commit, writes, part, rows.ids[-1], len(rows.ids), on_chunk, written, stopped
                )
            )
            if stopped.is_set():  # the chunk before was refused (another executor took over)
                break
    for part in written:
        report.add(part)
    return report


_Writes = tuple[list["_StateRow"], list[OutboxItem], list["_GrantRow"]]


def _commit(
    writes: _Writes,
    part: PushReport,
    last_pk: int,
    count: int,
    on_chunk: ChunkDone | None,
    written: list[PushReport],
    stopped: threading.Event,
) -> None:
    """One chunk's writes and its checkpoint, in one transaction (run one chunk behind
    the evaluation on PostgreSQL, see common.bulk.WritesBehind)."""
    if stopped.is_set():
        return
    with transaction.atomic():
        part.grants = _write(*writes)
        if on_chunk is not None and not on_chunk(last_pk, count, part):
            transaction.set_rollback(True)
            stopped.set()
            return
    written.append(part)


def _chunk(rows: _Rows, ctx: _Context) -> tuple[PushReport, _Writes]:
    """One chunk evaluated and compared: its figures and what it would write."""
    state = _state_frame(rows.ids)
    invalid = _invalid(rows, state)
    frame = evaluate_lines(b"\n".join(rows.payload), ctx.chosen, as_of=ctx.today)
    if invalid:
        frame = frame.with_columns(pl.col("bad") | pl.col("id").is_in(list(invalid)))
    digests = pl.DataFrame(
        {"id": rows.ids, "digest": rows.digests}, schema={"id": pl.Int64, "digest": pl.Int64}
    )
    changed, evaluated, skipped = _diff(frame, state, digests, ctx.chosen, ctx.today)
    part = PushReport(profiles=evaluated, skipped_invalid=skipped)
    writes = _act(frame, changed, rows, ctx, part)
    if skipped:
        _log_skipped(frame)
    return part, writes


def _log_skipped(frame: pl.DataFrame) -> None:
    """Name the skipped profiles by their public id only (no personal data in a log)."""
    bad = frame.filter(pl.col("bad").fill_null(True)).get_column("id").drop_nulls().to_list()
    named = TalentProfile.objects.filter(pk__in=bad[:50]).values_list("uuid", flat=True)
    logger.warning(
        "policy push skipped %d invalid stored profiles: %s%s",
        len(bad),
        ", ".join(str(u) for u in named),
        " …" if len(bad) > 50 else "",
    )


def _new_grants(grants: list[_GrantRow]) -> list[_GrantRow]:
    """The grants not already recorded for their (profile, policy): what a dry run would
    create."""
    if not grants:
        return []
    existing = set(
        Grant.objects.filter(profile_id__any_of={g[0] for g in grants}).values_list(
            "profile_id", "policy_id"
        )
    )
    return [g for g in grants if (g[0], g[1]) not in existing]


# --------------------------------------------------------------------------- #
# Runs: recorded, executed in the queue, resumable
# --------------------------------------------------------------------------- #


def stale_after() -> dt.timedelta:
    """A running run whose worker has shown no progress for this long is taken over."""
    return dt.timedelta(seconds=int(getattr(settings, "PUSH_STALE_SECONDS", 600)))


def push_run_create(
    *,
    trigger: str,
    actor: Any = None,
    policy_ids: Sequence[str] | None = None,
    policy_version: PolicyVersion | None = None,
    as_of: dt.date | None = None,
    dry_run: bool = False,
    queue: bool = True,
) -> PushRun:
    """Record a run (waiting) and hand it to the queue once the transaction commits
    (``queue=False``: the caller executes it itself, as the CLI does)."""
    run = PushRun.objects.create(
        trigger=trigger,
        started_by=actor if getattr(actor, "is_authenticated", False) else None,
        policy_ids=list(policy_ids) if policy_ids is not None else None,
        policy_version=policy_version,
        as_of=as_of,
        dry_run=dry_run,
    )  # its total is counted when a worker starts it: counting a million rows is
    # not for the publishing request
    if queue:
        transaction.on_commit(lambda: push_run_enqueue(run.pk))
    return run


def push_run_enqueue(run_id: int) -> bool:
    from talentport.common.tasks import enqueue
    from talentport.policies.tasks import push_run_task

    sent = enqueue(push_run_task, run_id)
    if sent:
        PushRun.objects.filter(pk=run_id, status=PushRunStatus.WAITING).update(queued=True)
    return sent


def _claim(run_id: int) -> PushRun | None:
    """Take the run for this executor: waiting, or running with a stale heartbeat."""
    now = timezone.now()
    taken = PushRun.objects.filter(
        Q(status=PushRunStatus.WAITING)
        | Q(status=PushRunStatus.RUNNING, heartbeat_at__lt=now - stale_after())
        | Q(status=PushRunStatus.RUNNING, heartbeat_at__isnull=True),
        pk=run_id,
    ).update(status=PushRunStatus.RUNNING, heartbeat_at=now)
    if not taken:
        return None
    run = PushRun.objects.get(pk=run_id)
    if run.started_at is None:
        PushRun.objects.filter(pk=run_id, started_at__isnull=True).update(started_at=now)
    return run


def push_run_execute(
    run_id: int, *, progress: Callable[[int, int], None] | None = None
) -> PushRun | None:
    """Execute (or resume) a run. Safe to call twice: the second call finds it taken or
    done and returns None. ``progress(processed, total)`` follows it chunk by chunk."""
    run = _claim(run_id)
    if run is None:
        return None
    if not run.checkpoint:
        run.total = TalentProfile.objects.count()
        PushRun.objects.filter(pk=run_id).update(total=run.total)
    state = {"checkpoint": run.checkpoint}
    totals = PushReport.from_counts(run.counts or {})

    def on_chunk(last_pk: int, processed: int, part: PushReport) -> bool:
        merged = PushReport.from_counts(asdict(totals))
        merged.add(part)
        moved = PushRun.objects.filter(
            pk=run_id, checkpoint=state["checkpoint"], status=PushRunStatus.RUNNING
        ).update(
            checkpoint=last_pk,
            processed=run.processed + processed,
            counts=asdict(merged),
            heartbeat_at=timezone.now(),
        )
        if not moved:
            return False
        state["checkpoint"] = last_pk
        run.processed += processed
        totals.add(part)
        if progress is not None:
            progress(run.processed, run.total)
        return True

    try:
        push_profiles(
            policy_ids=run.policy_ids,
            as_of=run.as_of,
            dry_run=run.dry_run,
            after=run.checkpoint,
            on_chunk=on_chunk,
        )
    except MatchError as exc:
        PushRun.objects.filter(pk=run_id).update(
            status=PushRunStatus.FAILED,
            error="; ".join(exc.problems)[:300],
            finished_at=timezone.now(),
        )
        return PushRun.objects.get(pk=run_id)
    PushRun.objects.filter(
        pk=run_id, status=PushRunStatus.RUNNING, checkpoint=state["checkpoint"]
    ).update(status=PushRunStatus.DONE, finished_at=timezone.now(), heartbeat_at=timezone.now())
    return PushRun.objects.get(pk=run_id)


def push_runs_resume() -> int:
    """Hand back to the queue the runs that wait (the broker was down when they were
    recorded) or whose worker died; the scheduler calls this every few minutes."""
    now = timezone.now()
    due = list(
        PushRun.objects.filter(
            Q(status=PushRunStatus.WAITING, created_at__lt=now - dt.timedelta(minutes=1))
            | Q(status=PushRunStatus.RUNNING, heartbeat_at__lt=now - stale_after())
        ).values_list("pk", flat=True)[:100]
    )
    return sum(1 for pk in due if push_run_enqueue(pk))


def push_stats() -> dict[str, int]:
    """Figures for staff: stored profiles, imported, consenting and reachable."""
    agg = TalentProfile.objects.aggregate(
        total=Count("id"),
        accounts=Count("id", filter=Q(user__isnull=False)),
        imported=Count("id", filter=~Q(source="")),
        consented=Count("id", filter=~Q(source="") & Q(consent=True)),
    )
    return {k: int(v or 0) for k, v in agg.items()}
