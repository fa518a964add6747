"""政策沙盘: before a draft version is published, what it would change over the stored
profiles — who would become eligible, who would lose eligibility, whose amount would
change, and the change in total commitment (Σ max_total) by district and by degree,
with a masked sample of the people affected. The same reading and engine as the push
(:mod:`talentport.policies.push`), in the queue, chunk by chunk with progress.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal
from typing import Any

import polars as pl
from django.db import transaction
from django.utils import timezone

from talentport.people import permissions
from talentport.people.models import TalentProfile
from talentport.people.permissions import Perm
from talentport.policies.engine import Policy, PolicyError, parse_policy_text
from talentport.policies.engine.batch import evaluate_lines
from talentport.policies.engine.vector import eligible_col, total_col
from talentport.policies.models import PolicyPreview, PushRunStatus
from talentport.policies.push import _chunks, chunk_size

SAMPLE = 20
UNKNOWN = "未填写"


def preview_create(
    *, text: str, actor: Any, note: str = "", as_of: dt.date | None = None
) -> PolicyPreview:
    """Record a preview of a draft (which must parse) and queue it. Raises PolicyError, or
    PermissionDenied for an actor who may not publish in the draft's jurisdiction."""
    from talentport.common.tasks import enqueue_on_commit
    from talentport.policies.tasks import preview_task

    policy = parse_policy_text(text)
    # Only staff who may publish the draft's jurisdiction may see what it would change:
    # decided before anything is recorded or queued.
    permissions.require(actor, Perm.POLICY_PUBLISH, permissions.Target(policy.jurisdiction))
    preview = PolicyPreview.objects.create(
        policy_id=policy.id,
        jurisdiction=policy.jurisdiction,
        text=text,
        note=note[:300],
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        as_of=as_of or timezone.localdate(),
        total=TalentProfile.objects.count(),
    )
    enqueue_on_commit(preview_task, preview.pk)
    return preview


def _commitment(frame: pl.DataFrame, policies: list[Policy]) -> pl.Expr:
    """Σ max_total in fen of the policies a row is eligible for (no stated total: 0)."""
    parts = [
        pl.when(pl.col(eligible_col(p.id))).then(pl.col(total_col(p.id)).fill_null(0)).otherwise(0)
        for p in policies
        if eligible_col(p.id) in frame.columns
    ]
    return pl.sum_horizontal(parts) if parts else pl.lit(0)


def _side(frame: pl.DataFrame, policies: list[Policy], pid: str, tag: str) -> pl.DataFrame:
    present = eligible_col(pid) in frame.columns
    return frame.select(
        "id",
        pl.col("bad").fill_null(True).alias(f"bad_{tag}"),
        (pl.col(eligible_col(pid)).fill_null(False) if present else pl.lit(False)).alias(
            f"e_{tag}"
        ),
        (pl.col(total_col(pid)) if present else pl.lit(None, dtype=pl.Int64)).alias(f"t_{tag}"),
        _commitment(frame, policies).cast(pl.Int64).alias(f"sum_{tag}"),
    )


def _compare(
    rows: Any, current: list[Policy], proposed: list[Policy], pid: str, as_of: dt.date
) -> pl.DataFrame:
    payload = b"\n".join(rows.payload)
    before = _side(evaluate_lines(payload, current, as_of=as_of), current, pid, "b")
    after = _side(evaluate_lines(payload, proposed, as_of=as_of), proposed, pid, "a")
    facts = pl.DataFrame(
        {"id": rows.ids, "text": rows.texts}, schema={"id": pl.Int64, "text": pl.String}
    )
    facts = facts.select(
        "id",
        pl.col("text")
        .str.json_path_match("$.employment.district")
        .fill_null(UNKNOWN)
        .alias("district"),
        pl.col("text").str.json_path_match("$.education.degree").fill_null(UNKNOWN).alias("degree"),
    )
    joined = before.join(after, on="id").join(facts, on="id")
    joined = joined.filter(~pl.col("bad_b") & ~pl.col("bad_a"))
    return joined.with_columns(
        (~pl.col("e_b") & pl.col("e_a")).alias("became"),
        (pl.col("e_b") & ~pl.col("e_a")).alias("lost"),
        (
            pl.col("e_b")
            & pl.col("e_a")
            & (pl.col("t_b").fill_null(-1) != pl.col("t_a").fill_null(-1))
        ).alias("changed"),
        (pl.col("sum_a") - pl.col("sum_b")).alias("delta"),
    )


def _yuan(fen: int) -> str:
    return str((Decimal(fen) / 100).quantize(Decimal("0.01")))


def preview_execute(preview_id: int) -> PolicyPreview | None:
    """Compute a preview (idempotent: a preview taken or done is left alone)."""
    taken = PolicyPreview.objects.filter(pk=preview_id, status=PushRunStatus.WAITING).update(
        status=PushRunStatus.RUNNING
    )
    if not taken:
        return None
    preview = PolicyPreview.objects.get(pk=preview_id)
    try:
        draft = parse_policy_text(preview.text)
    except PolicyError as exc:
        PolicyPreview.objects.filter(pk=preview_id).update(
            status=PushRunStatus.FAILED, error=str(exc)[:300]
        )
        return PolicyPreview.objects.get(pk=preview_id)
    from talentport.policies.selectors import policies_in_force

    current = policies_in_force()
    proposed = [p for p in current if p.id != draft.id] + [draft]
    counts = Counter(profiles=0, became_eligible=0, lost_eligibility=0, amount_changed=0)
    delta_total = 0
    by_district: Counter[str] = Counter()
    by_degree: Counter[str] = Counter()
    sample_ids: list[tuple[int, str, str, str]] = []
    processed = 0
    for rows in _chunks(0, chunk_size(), None):
        frame = _compare(rows, current, proposed, draft.id, preview.as_of)
        counts["profiles"] += frame.height
        counts["became_eligible"] += int(frame.get_column("became").sum())
        counts["lost_eligibility"] += int(frame.get_column("lost").sum())
        counts["amount_changed"] += int(frame.get_column("changed").sum())
        delta_total += int(frame.get_column("delta").sum())
        moved = frame.filter(pl.col("delta") != 0)
        for key, value in moved.group_by("district").agg(pl.col("delta").sum()).iter_rows():
            by_district[key] += int(value)
        for key, value in moved.group_by("degree").agg(pl.col("delta").sum()).iter_rows():
            by_degree[key] += int(value)
        if len(sample_ids) < SAMPLE:
            affected = frame.filter(pl.col("became") | pl.col("lost") | pl.col("changed")).head(
                SAMPLE - len(sample_ids)
            )
            for row in affected.iter_rows(named=True):
                change = "became" if row["became"] else "lost" if row["lost"] else "changed"
                sample_ids.append((row["id"], change, row["district"], row["degree"]))
        processed += len(rows.ids)
        PolicyPreview.objects.filter(pk=preview_id).update(processed=processed)
    result = {
        "counts": dict(counts),
        "commitment_delta": _yuan(delta_total),
        "by_district": {k: _yuan(v) for k, v in sorted(by_district.items())},
        "by_degree": {k: _yuan(v) for k, v in sorted(by_degree.items())},
        "sample": _sample(sample_ids),
    }
    with transaction.atomic():
        PolicyPreview.objects.filter(pk=preview_id).update(
            status=PushRunStatus.DONE, result=result, processed=processed
        )
    return PolicyPreview.objects.get(pk=preview_id)


def _sample(picked: list[tuple[int, str, str, str]]) -> list[dict[str, str]]:
    """Affected people as staff may see them here: masked, no name, no full number."""
    rows = {
        pk: (source, phone, user_id)
        for pk, source, phone, user_id in TalentProfile.objects.filter(
            pk__in=[p[0] for p in picked]
        ).values_list("pk", "source", "contact_phone_masked", "user_id")
    }
    out = []
    for pk, change, district, degree in picked:
        source, phone, user_id = rows.get(pk, ("", "", None))
        out.append(
            {
                "who": "注册用户" if user_id else (f"信息库·{source}" if source else "画像"),
                "phone": phone or "—",
                "change": change,
                "district": district,
                "degree": degree,
            }
        )
    return out
