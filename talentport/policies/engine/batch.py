"""Policy finds the person (contract §3): columnar evaluation of many profiles.

The work is one lazy polars query (see :func:`.vector.match_plan`): JSONL lines are read
as text, each line is decoded once into only the fields the selected policies read,
every condition is compiled once into a polars expression, and amounts, non-cumulation
and the output lines are computed column-wise, streamed over the input in parallel.
Money is carried in integer fen (0.01 yuan). The rare rows the columnar path cannot
settle exactly are finished by the scalar interpreter, so both paths give the same
answers.

This module imports polars only when a batch actually runs, so single-person commands
(``talentport eligibility``) do not pay for it.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Literal

import orjson

from .dsl import field_paths
from .evaluate import apply_non_cumulation, evaluate_policy, resolve_as_of
from .model import Policy, load_policies
from .scalar import flatten_profile
from .schema import fields, validate_profile

if TYPE_CHECKING:
    import polars as pl

MAX_REPORTED = 50
# the raw text of the first "id" value of a line (kept verbatim in the output)
_ID_RE = r'"id"\s*:\s*("(?:[^"\\]|\\.)*"|-?[0-9][0-9.eE+-]*|true|false|null)'
# the streaming engine runs the query over morsels of lines in parallel, in bounded memory
ENGINE: Literal["streaming", "in-memory"] = "streaming"


class MatchError(ValueError):
    """Input that cannot be matched; ``problems`` are one line each (with line numbers)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


# ------------------------------------------------------------------ policies


def _select(policy_ids: Sequence[str] | None) -> list[Policy]:
    policies = load_policies()
    if policy_ids is None:
        return policies
    known = {p.id: p for p in policies}
    unknown = [i for i in policy_ids if i not in known]
    if unknown:
        raise MatchError([f"--policies: 未知的政策编号 {i}" for i in unknown])
    wanted = set(policy_ids)
    return [p for p in policies if p.id in wanted]


def _needed_paths(policies: Sequence[Policy]) -> list[str]:
    out: list[str] = []
    for p in policies:
        nodes = [c.expr for c in p.conditions]
        for t in p.benefit.tiers:
            nodes += [n for n in (t.when, t.per_period, t.per_period_min, t.per_period_max) if n]
        for n in nodes:
            out += [f for f in field_paths(n) if f not in out]
    # a district is validated against its city
    for path in list(out):
        city = fields()[path].district_of
        if city and city not in out:
            out.append(city)
    order = list(fields())
    return sorted(out, key=order.index)


# ------------------------------------------------------------------ problems


def _raw_lines(source: str | Path | bytes) -> Iterable[bytes]:
    if isinstance(source, bytes):
        yield from source.splitlines()
        return
    with open(source, "rb") as fh:
        yield from fh


def _line_problems(number: int, line: bytes) -> list[str]:
    try:
        data = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        return [f"第 {number} 行: 不是有效的 JSON（{exc}）"]
    if not isinstance(data, dict):
        return [f"第 {number} 行: profile: 应为 JSON 对象"]
    return [f"第 {number} 行: {e.field}: {e.message}" for e in validate_profile(data)]


def _diagnose(source: str | Path | bytes, only: set[int] | None = None) -> list[str]:
    """Problems of the lines (all, or only the given line numbers), with their numbers."""
    problems: list[str] = []
    last = max(only) if only else None
    for number, line in enumerate(_raw_lines(source), start=1):
        if last is not None and number > last:
            break
        if (only is not None and number not in only) or not line.strip():
            continue
        problems += _line_problems(number, line)
        if len(problems) >= MAX_REPORTED:
            problems.append("……（其余问题从略）")
            break
    return problems


def _locate(
    source: str | Path | bytes,
    policies: list[Policy],
    paths: list[str],
    as_of: date | None,
) -> list[str]:
    """Problems of an input the query rejected as a whole, found without checking every
    line with the (slow) schema validator: slices of lines are re-run through the query
    and only the slices it still rejects are narrowed down and checked line by line."""
    import polars as pl

    from . import vector as v

    numbered = [(n, line) for n, line in enumerate(_raw_lines(source), start=1) if line.strip()]
    problems: list[str] = []

    def check(part: list[tuple[int, bytes]]) -> None:
        if len(problems) >= MAX_REPORTED or not part:
            return
        texts: list[str] = []
        for _, line in part:
            try:
                texts.append(line.decode("utf-8"))
            except UnicodeDecodeError:
                texts = []
                break
        if texts and len(part) > 64:
            frame = pl.DataFrame(
                {v.LINE_NO: [n for n, _ in part], v.RAW: texts},
                schema={v.LINE_NO: pl.UInt32, v.RAW: pl.String},
            )
            try:
                out = v.match_plan(frame.lazy(), policies, paths, as_of).select(v.BAD).collect()
            except (pl.exceptions.PolarsError, ValueError):
                half = len(part) // 2
                check(part[:half])
                check(part[half:])
                return
            flags = out.get_column(v.BAD).to_list()
            part = [item for item, bad in zip(part, flags, strict=True) if bad]
        for number, line in part:
            problems.extend(_line_problems(number, line))
            if len(problems) >= MAX_REPORTED:
                return

    step = 50_000
    for start in range(0, len(numbered), step):
        check(numbered[start : start + step])
    if len(problems) >= MAX_REPORTED:
        problems = [*problems[:MAX_REPORTED], "……（其余问题从略）"]
    return problems


# ------------------------------------------------------------------ scalar finish


def _scalar_row(
    profile: Mapping[str, Any], policies: Sequence[Policy], as_of: date | None
) -> tuple[str, int]:
    """Eligible list text and total (fen) of one profile by the scalar interpreter."""
    day = resolve_as_of(profile, as_of)
    flat = flatten_profile(profile)
    results = [evaluate_policy(p, flat, day) for p in policies]
    apply_non_cumulation(policies, results)
    live = [r for r in results if r["status"] == "eligible"]
    total = sum((r["_total"] for r in live if r["_total"] is not None), Decimal(0))
    return ",".join(f'"{r["policy"]}"' for r in live), int(total * 100)


def _finish(df: pl.DataFrame, policies: Sequence[Policy], as_of: date | None) -> pl.DataFrame:
    """Output lines of the rows the columnar query left open (see :func:`.vector.match_plan`)."""
    import polars as pl

    from . import vector as v

    keep = pl.col(v.KEEP_RAW).is_not_null()
    if not df.select(keep.any()).item():
        return df.select(v.LINE)
    todo = df.with_row_index("__i").filter(keep)
    todo = todo.with_columns(
        pl.col(v.ID).fill_null(pl.col(v.KEEP_RAW).str.extract(_ID_RE, 1)).fill_null("null")
    )
    fallback = todo.get_column(v.FALLBACK).to_list()
    if any(fallback):
        eligible = todo.get_column(v.ELIGIBLE).to_list()
        totals = todo.get_column(v.TOTAL).to_list()
        for i, (raw, scalar) in enumerate(zip(todo.get_column(v.KEEP_RAW), fallback, strict=True)):
            if scalar:
                eligible[i], totals[i] = _scalar_row(orjson.loads(raw), policies, as_of)
        todo = todo.with_columns(
            pl.Series(v.ELIGIBLE, eligible, dtype=pl.String),
            pl.Series(v.TOTAL, totals, dtype=pl.Int64),
        )
    fixed = todo.select(v.output_line())
    lines = df.get_column(v.LINE).clone()
    lines.scatter(todo.get_column("__i"), fixed.to_series())
    return lines.to_frame(v.LINE)


# ------------------------------------------------------------------ matching


def run_match(
    source: str | Path | bytes,
    *,
    as_of: date | None = None,
    policy_ids: Sequence[str] | None = None,
) -> pl.DataFrame:
    """Read JSONL (path or bytes) and return one ``line`` column of output JSON text."""
    import polars as pl

    from . import vector as v

    policies = _select(policy_ids)
    paths = _needed_paths(policies)
    lines = v.read_lines(io.BytesIO(source) if isinstance(source, bytes) else source)
    try:
        df = v.match_plan(lines, policies, paths, as_of).collect(engine=ENGINE)
    except (pl.exceptions.PolarsError, ValueError):
        problems = _locate(source, policies, paths, as_of) or _diagnose(source)
        raise MatchError(problems or ["输入无法解析为 JSON 对象行"]) from None
    if df.height and df.get_column(v.BAD).any():
        flagged = set(df.filter(pl.col(v.BAD)).get_column(v.LINE_NO).to_list())
        problems = _diagnose(source, flagged)
        if problems:
            raise MatchError(problems)
    return _finish(df, policies, as_of)


def match_file(
    source: str | Path | bytes,
    out: str | Path | IO[bytes],
    *,
    as_of: date | None = None,
    policy_ids: Sequence[str] | None = None,
) -> int:
    """Contract §3: write one result line per input profile; returns the number of lines."""
    frame = run_match(source, as_of=as_of, policy_ids=policy_ids)
    frame.write_csv(out, include_header=False, quote_style="never")
    return frame.height


def match_rows(
    rows: Sequence[Mapping[str, Any]],
    *,
    as_of: date | None = None,
    policy_ids: Sequence[str] | None = None,
) -> list[dict[str, Any]]:
    """In-process batch matching (e.g. a 政策找人 push run): rows carry an ``"id"``."""
    if not rows:
        return []
    payload = b"\n".join(orjson.dumps(dict(r)) for r in rows) + b"\n"
    frame = run_match(payload, as_of=as_of, policy_ids=policy_ids)
    return [orjson.loads(line) for line in frame.get_column("line")]
