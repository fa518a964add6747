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


def _select(
    policy_ids: Sequence[str] | None, policies: Sequence[Policy] | None = None
) -> list[Policy]:
    """The policies to evaluate: ``policies`` (default: the shipped files), or only the
    named ones among them."""
    policies = list(policies) if policies is not None else load_policies()
    if policy_ids is None:
        return policies
    known = {p.id: p for p in policies}
    unknown = [i for i in policy_ids if i not in known]
    if unknown:
        raise MatchError([f"--policies: 未知的政策编号 {i}" for i in unknown])
    wanted = set(policy_ids)
    return [p for p in policies if p.id in wanted]


def _needed_paths(policies: Sequence[Policy], *, windows: bool = False) -> list[str]:
    out: list[str] = []
    for p in policies:
        nodes = [c.expr for c in p.conditions]
        for t in p.benefit.tiers:
            nodes += [n for n in (t.when, t.per_period, t.per_period_min, t.per_period_max) if n]
        if windows:
            for w in p.windows:
                nodes += [n for n in (w.when, w.date) if n is not None]
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


def _scalar_results(
    profile: Mapping[str, Any], policies: Sequence[Policy], as_of: date | None
) -> tuple[list[dict[str, Any]], Mapping[str, Any], date]:
    """Every policy for one profile by the scalar interpreter, non-cumulation applied."""
    day = resolve_as_of(profile, as_of)
    flat = flatten_profile(profile)
    results = [evaluate_policy(p, flat, day) for p in policies]
    apply_non_cumulation(policies, results)
    return results, flat, day


def _scalar_row(
    profile: Mapping[str, Any], policies: Sequence[Policy], as_of: date | None
) -> tuple[str, int]:
    """Eligible list text and total (fen) of one profile by the scalar interpreter."""
    results, _flat, _day = _scalar_results(profile, policies, as_of)
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
    policies: Sequence[Policy] | None = None,
) -> pl.DataFrame:
    """Read JSONL (path or bytes) and return one ``line`` column of output JSON text.

    ``policies``: the policies in force (default: the files shipped with the package)."""
    import polars as pl

    from . import vector as v

    policies = _select(policy_ids, policies)
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
    policies: Sequence[Policy] | None = None,
) -> int:
    """Contract §3: write one result line per input profile; returns the number of lines."""
    frame = run_match(source, as_of=as_of, policy_ids=policy_ids, policies=policies)
    frame.write_csv(out, include_header=False, quote_style="never")
    return frame.height


def match_rows(
    rows: Sequence[Mapping[str, Any]],
    *,
    as_of: date | None = None,
    policy_ids: Sequence[str] | None = None,
    policies: Sequence[Policy] | None = None,
) -> list[dict[str, Any]]:
    """In-process batch matching (e.g. a 政策找人 push run): rows carry an ``"id"``."""
    if not rows:
        return []
    payload = b"\n".join(orjson.dumps(dict(r)) for r in rows) + b"\n"
    frame = run_match(payload, as_of=as_of, policy_ids=policy_ids, policies=policies)
    return [orjson.loads(line) for line in frame.get_column("line")]


# ------------------------------------------------------------------ detail (the push)


def _scalar_detail(
    profile: Mapping[str, Any], policies: Sequence[Policy], as_of: date | None
) -> dict[str, Any]:
    """The per-policy columns of one row by the scalar interpreter."""
    from . import vector as v
    from .evaluate import _window

    results, flat, day = _scalar_results(profile, policies, as_of)
    row: dict[str, Any] = {}
    for p, r in zip(policies, results, strict=True):
        total = r["_total"]
        row[v.eligible_col(p.id)] = r["status"] == "eligible"
        row[v.total_col(p.id)] = None if total is None else int(total * 100)
        row[v.window_col(p.id)] = _window(p, flat, day)
    return row


def _scalar_row_detail(
    key: int, raw: str, policies: Sequence[Policy], as_of: date | None
) -> dict[str, Any]:
    """A row the columnar path left to the scalar interpreter; bad if that fails too."""
    try:
        return {"id": key, "bad": False, **_scalar_detail(orjson.loads(raw), policies, as_of)}
    except (ArithmeticError, ValueError, TypeError, KeyError):
        return {"id": key, "bad": True}


def evaluate_lines(
    source: bytes,
    policies: Sequence[Policy],
    *,
    as_of: date | None = None,
) -> pl.DataFrame:
    """Every policy for every line of ``source`` (JSONL whose lines start with an
    integer ``"id"``), the same query as :func:`run_match` with the windows added.

    One row per line: ``id`` (Int64), ``bad`` (the line fails the schema checks: its
    other columns mean nothing) and per policy the eligibility after non-cumulation,
    max_total in fen and the closing date of its window (:func:`.vector.eligible_col`,
    :func:`.vector.total_col`, :func:`.vector.window_col`). A part of the input the query
    rejects as a whole (an unknown enum value, say) is split until the lines at fault
    are found, and those are ``bad``. Rows the columnar path cannot settle exactly are
    recomputed by the scalar interpreter.
    """
    import polars as pl

    from . import vector as v

    chosen = list(policies)
    paths = _needed_paths(chosen, windows=True)
    columns = [
        c for p in chosen for c in (v.eligible_col(p.id), v.total_col(p.id), v.window_col(p.id))
    ]
    lines = [line for line in source.splitlines() if line.strip()]

    def run(part: list[bytes]) -> pl.DataFrame:
        payload = b"\n".join(part) + b"\n"
        try:
            df = (
                v.evaluate_plan(
                    v.read_lines(io.BytesIO(payload)), chosen, paths, as_of, windows=True
                )
                .select(
                    pl.col(v.ID).cast(pl.Int64, strict=False).alias("id"),
                    pl.col(v.BAD).alias("bad"),
                    pl.when(pl.col(v.FALLBACK)).then(pl.col(v.RAW)).alias(v.KEEP_RAW),
                    *columns,
                )
                .collect()
            )
        except (pl.exceptions.PolarsError, ArithmeticError, ValueError, TypeError, KeyError):
            # One line the query cannot take (or that breaks an operation) never costs
            # the others their answer: halve until it is found.
            if len(part) == 1:
                try:
                    found = orjson.loads(part[0])
                except orjson.JSONDecodeError:
                    found = None
                key = found.get("id") if isinstance(found, dict) else None
                return pl.DataFrame(
                    {"id": [key if isinstance(key, int) else None], "bad": [True]},
                    schema={"id": pl.Int64, "bad": pl.Boolean},
                )
            half = len(part) // 2
            return pl.concat([run(part[:half]), run(part[half:])], how="diagonal_relaxed")
        return df

    if not lines:
        return pl.DataFrame(schema={"id": pl.Int64, "bad": pl.Boolean})
    df = run(lines)
    if v.KEEP_RAW in df.columns and df.get_column(v.KEEP_RAW).is_not_null().any():
        todo = df.filter(pl.col(v.KEEP_RAW).is_not_null())
        fixed = [
            _scalar_row_detail(key, raw, chosen, as_of)
            for key, raw in zip(todo.get_column("id"), todo.get_column(v.KEEP_RAW), strict=True)
        ]
        rest = df.filter(pl.col(v.KEEP_RAW).is_null())
        df = pl.concat(
            [rest.drop(v.KEEP_RAW), pl.DataFrame(fixed, schema=rest.drop(v.KEEP_RAW).schema)],
            how="vertical",
        )
    elif v.KEEP_RAW in df.columns:
        df = df.drop(v.KEEP_RAW)
    return df
