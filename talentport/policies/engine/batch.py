"""Policy finds the person (contract §3): columnar evaluation of many profiles.

JSONL is decoded by polars into one column per field path, every condition is compiled
once into a polars expression (see :mod:`.vector`), amounts and non-cumulation are
computed column-wise, and output lines are assembled as strings. Money is carried in
integer fen (0.01 yuan); formula amounts are computed exactly by the scalar interpreter
for the rows that qualify, so both paths give the same figures.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

import numpy as np
import orjson
import polars as pl

from .dsl import Field, field_paths
from .evaluate import compute_pay, non_cumulation_groups, today_in_china
from .model import Policy, load_policies
from .scalar import KNULL
from .schema import QINGDAO_DISTRICTS, FieldSpec, fields, nullable_markers, validate_profile
from .vector import AS_OF, compile_bool, null_col, param_expr

LINE = "__line"
MAX_REPORTED = 50
_ID_RE = r'"id"\s*:\s*("(?:[^"\\]|\\.)*"|-?[0-9][0-9.eE+-]*|true|false|null)'
_DTYPES: dict[str, pl.DataType] = {
    "bool": pl.Boolean(),
    "num": pl.Float64(),
    "int": pl.Int64(),
    "date": pl.String(),
    "str": pl.String(),
    "list": pl.List(pl.String()),
}


class MatchError(ValueError):
    """Input that cannot be matched; ``problems`` are one line each (with line numbers)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


# ------------------------------------------------------------------ reading


def _struct_dtype(paths: Iterable[str]) -> pl.Struct:
    tree: dict[str, Any] = {}
    for path in paths:
        spec = fields()[path]
        node = tree
        parts = path.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = _DTYPES[spec.type]

    def build(node: dict[str, Any]) -> pl.Struct:
        return pl.Struct({k: build(v) if isinstance(v, dict) else v for k, v in node.items()})

    return build(tree)


def _field_expr(path: str) -> pl.Expr:
    parts = path.split(".")
    expr = pl.col(LINE).struct.field(parts[0])
    for part in parts[1:]:
        expr = expr.struct.field(part)
    return expr


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


def _read_lines(source: str | Path | bytes | IO[bytes]) -> pl.DataFrame:
    data: Any = source
    if isinstance(source, bytes):
        data = io.BytesIO(source)
    frame = pl.read_csv(
        data,
        has_header=False,
        separator="\x1f",
        quote_char=None,
        schema={"raw": pl.String},
    )
    return frame.filter(pl.col("raw").str.strip_chars() != "")


def _diagnose(raw_lines: Iterable[bytes]) -> list[str]:
    problems: list[str] = []
    for number, line in enumerate(raw_lines, start=1):
        if not line.strip():
            continue
        try:
            data = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            problems.append(f"第 {number} 行: 不是有效的 JSON（{exc}）")
        else:
            if not isinstance(data, dict):
                problems.append(f"第 {number} 行: profile: 应为 JSON 对象")
            else:
                problems += [
                    f"第 {number} 行: {e.field}: {e.message}" for e in validate_profile(data)
                ]
        if len(problems) >= MAX_REPORTED:
            problems.append("……（其余问题从略）")
            break
    return problems


def _validation_failed(df: pl.DataFrame, paths: Sequence[str]) -> bool:
    checks: list[pl.Expr] = []
    for path in paths:
        spec: FieldSpec = fields()[path]
        col = pl.col(path)
        if spec.enum is not None:
            checks.append(col.is_not_null() & ~col.is_in(list(spec.enum)))
        if spec.type == "date":
            ok = (
                col.str.contains(r"^\d{4}-\d{2}-\d{2}$")
                & col.str.to_date("%Y-%m-%d", strict=False).is_not_null()
            )
            checks.append(col.is_not_null() & ~ok)
        if spec.district_of is not None or path == "person.hukou_district":
            bad = col.is_not_null() & ~col.is_in(list(QINGDAO_DISTRICTS))
            if spec.district_of is not None:
                city = pl.col(spec.district_of)
                bad = bad & (city.is_null() | (city == "qingdao"))
            checks.append(bad)
        if spec.type == "list":
            checks.append(
                col.is_not_null()
                & (col.list.eval(~pl.element().is_in(list(QINGDAO_DISTRICTS))).list.any())
            )
    if "venture.equity_share" in paths:
        checks.append((pl.col("venture.equity_share") < 0) | (pl.col("venture.equity_share") > 1))
    if "venture.local_contribution_last_year" in paths:
        checks.append(pl.col("venture.local_contribution_last_year") < 0)
    if "person.birth_date" in paths:
        birth = pl.col("person.birth_date").str.to_date("%Y-%m-%d", strict=False)
        for other in ("education.graduation_date", "employment.start_date"):
            if other in paths:
                checks.append(pl.col(other).str.to_date("%Y-%m-%d", strict=False) < birth)
    if not checks:
        return False
    flags = df.select(pl.any_horizontal([c.fill_null(False) for c in checks]).any()).item()
    return bool(flags)


def _frame(
    lines: pl.DataFrame, paths: Sequence[str], as_of: date | None, raw_lines: Any
) -> pl.DataFrame:
    dtype = _struct_dtype([*paths, "as_of_dummy"] if False else paths)
    with_as_of = pl.Struct(
        [*dtype.fields, pl.Field("as_of", pl.String()), pl.Field("id", pl.String())]
    )
    markers = nullable_markers()
    try:
        decoded = lines.select(
            pl.col("raw").str.json_decode(with_as_of).alias(LINE),
            pl.col("raw").str.extract(_ID_RE, 1).fill_null("null").alias("__id"),
            *[
                pl.col("raw").str.contains(rf'"{markers[p]}"\s*:\s*null').alias(null_col(p))
                for p in paths
                if p in markers
            ],
        )
        if decoded.select(pl.col(LINE).is_null().any()).item():
            raise ValueError("not an object")
        df = decoded.select(
            pl.col("__id"),
            *[_field_expr(p).alias(p) for p in paths],
            pl.col(LINE).struct.field("as_of").alias("__as_of_raw"),
            *[pl.col(null_col(p)) for p in paths if p in markers],
        )
    except (pl.exceptions.PolarsError, ValueError):
        problems = _diagnose(raw_lines())
        raise MatchError(problems or ["输入无法解析为 JSON 对象行"]) from None
    check_paths = [*paths]
    if _validation_failed(df.with_columns(pl.col("__as_of_raw").alias("as_of")), check_paths) or (
        df.select(
            (
                pl.col("__as_of_raw").is_not_null()
                & pl.col("__as_of_raw").str.to_date("%Y-%m-%d", strict=False).is_null()
            ).any()
        ).item()
    ):
        problems = _diagnose(raw_lines())
        if problems:
            raise MatchError(problems)
    conversions = [
        pl.col(p).str.to_date("%Y-%m-%d", strict=False) for p in paths if fields()[p].type == "date"
    ]
    if as_of is not None:
        day = pl.lit(as_of, dtype=pl.Date)
    else:
        day = (
            pl.col("__as_of_raw")
            .str.to_date("%Y-%m-%d", strict=False)
            .fill_null(pl.lit(today_in_china(), dtype=pl.Date))
        )
    return df.with_columns(*conversions, day.alias(AS_OF)).drop("__as_of_raw")


# ------------------------------------------------------------------ amounts


def _cents(expr: pl.Expr) -> pl.Expr:
    return (expr.cast(pl.Float64) * 100).round(0).cast(pl.Int64)


def _formula_totals(df: pl.DataFrame, policy: Policy, eligible: pl.Series) -> pl.Series:
    """Exact amounts of formula policies for the rows that qualify (scalar interpreter)."""
    idx = np.flatnonzero(eligible.to_numpy())
    out = np.full(df.height, -1, dtype=np.int64)
    if len(idx):
        paths = [p for t in policy.benefit.tiers for p in t.needs]
        paths = list(dict.fromkeys(paths))
        cols = [c for c in paths if c in df.columns]
        nulls = [null_col(c) for c in cols if null_col(c) in df.columns]
        sub = df[idx].select([*cols, *nulls, AS_OF])
        for i, row in zip(idx, sub.iter_rows(named=True), strict=True):
            flat: dict[str, Any] = {}
            for c in cols:
                v = row[c]
                if v is None:
                    if row.get(null_col(c)):
                        flat[c] = KNULL
                    continue
                if isinstance(v, bool) or isinstance(v, date | str):
                    flat[c] = v
                elif isinstance(v, int):
                    flat[c] = Decimal(v)
                elif isinstance(v, float):
                    flat[c] = Decimal(repr(v))
                else:
                    flat[c] = tuple(v)
            pay = compute_pay(policy, flat, row[AS_OF])
            if pay.max_total is not None:
                out[i] = int(pay.max_total * 100)
    series = pl.Series(f"{policy.id}__total", out)
    return series.set(series == -1, None)


def _when_cols(policy: Policy) -> dict[str, pl.Expr]:
    return {
        f"{policy.id}__w{i}": compile_bool(t.when).fill_null(False)
        for i, t in enumerate(policy.benefit.tiers)
        if t.when is not None
    }


def _total_expr(policy: Policy) -> pl.Expr | None:
    """max_total in fen of the highest applicable tier, or None for services."""
    b = policy.benefit
    if b.kind != "cash" or not b.tiers:
        return None
    keys: list[pl.Expr] = []
    totals: list[pl.Expr] = []
    whens: list[pl.Expr] = []
    for i, tier in enumerate(b.tiers):
        whens.append(pl.col(f"{policy.id}__w{i}") if tier.when else pl.lit(True))

        def money(node: Any) -> pl.Expr | None:
            if node is None:
                return None
            if field_paths(node) or isinstance(node, Field):
                raise AssertionError("formula tier")
            from .dsl import Lit, Param

            if isinstance(node, Param):
                v = param_expr(node.values, "num")
                return _cents(v.expr)
            if isinstance(node, Lit):
                return pl.lit(int(Decimal(node.value) * 100), dtype=pl.Int64)
            raise AssertionError("unsupported amount")

        pp = money(tier.per_period)
        lo = money(tier.per_period_min)
        hi = money(tier.per_period_max)
        key = pl.coalesce([e for e in (pp, hi, lo) if e is not None] + [pl.lit(-100, pl.Int64)])
        keys.append(key)
        if pp is not None and b.max_periods is not None:
            totals.append(pp * b.max_periods)
        else:
            totals.append(pl.lit(None, dtype=pl.Int64))
    best = pl.max_horizontal([pl.when(w).then(k) for w, k in zip(whens, keys, strict=True)])
    chain: Any = None
    for w, k, t in zip(whens, keys, totals, strict=True):
        cond = w & (k == best)
        chain = pl.when(cond).then(t) if chain is None else chain.when(cond).then(t)
    result: pl.Expr = chain.otherwise(pl.lit(None, dtype=pl.Int64)).cast(pl.Int64)
    return result


def _eligible_expr(policy: Policy) -> pl.Expr:
    exprs = [compile_bool(c.expr) for c in policy.conditions]
    if policy.valid_from is not None:
        exprs.append(pl.col(AS_OF) >= pl.lit(policy.valid_from))
    if policy.valid_to is not None:
        exprs.append(pl.col(AS_OF) <= pl.lit(policy.valid_to))
    out = exprs[0]
    for e in exprs[1:]:
        out = out & e
    return out.fill_null(False)


# ------------------------------------------------------------------ matching


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


def match_frame(df: pl.DataFrame, policies: Sequence[Policy]) -> pl.DataFrame:
    """Per row: ``__eligible`` (JSON array text) and ``__total`` (fen) after non-cumulation."""
    elig_cols = {p.id: f"{p.id}__e" for p in policies}
    total_cols = {p.id: f"{p.id}__t" for p in policies}
    when_cols: dict[str, pl.Expr] = {}
    for p in policies:
        if not any(t.formula for t in p.benefit.tiers):
            when_cols.update(_when_cols(p))
    df = df.with_columns(
        [
            *(_eligible_expr(p).alias(elig_cols[p.id]) for p in policies),
            *(e.alias(k) for k, e in when_cols.items()),
        ]
    )
    totals: list[pl.Expr | pl.Series] = []
    for p in policies:
        if any(t.formula for t in p.benefit.tiers):
            totals.append(_formula_totals(df, p, df[elig_cols[p.id]]).alias(total_cols[p.id]))
        else:
            t = _total_expr(p)
            totals.append(
                (t if t is not None else pl.lit(None, dtype=pl.Int64)).alias(total_cols[p.id])
            )
    df = df.with_columns(totals)
    for _group, members in non_cumulation_groups(policies).items():
        if len(members) < 2:
            continue
        keys = {p.id: pl.col(total_cols[p.id]).fill_null(-100) for p in members}
        best = pl.max_horizontal(
            [pl.when(pl.col(elig_cols[p.id])).then(keys[p.id]) for p in members]
        )
        ordered = sorted(members, key=lambda p: (not p.city_level, p.id))
        chain: Any = None
        for p in ordered:
            cond = pl.col(elig_cols[p.id]) & (keys[p.id] == best)
            chain = (
                pl.when(cond).then(pl.lit(p.id))
                if chain is None
                else chain.when(cond).then(pl.lit(p.id))
            )
        df = df.with_columns(chain.alias("__winner"))
        df = df.with_columns(
            (pl.col(elig_cols[p.id]) & (pl.col("__winner") == p.id).fill_null(False)).alias(
                elig_cols[p.id]
            )
            for p in members
        )
    eligible = pl.concat_str(
        [pl.when(pl.col(elig_cols[p.id])).then(pl.lit(f'"{p.id}"')) for p in policies],
        separator=",",
        ignore_nulls=True,
    )
    total = pl.sum_horizontal(
        [
            pl.when(pl.col(elig_cols[p.id])).then(pl.col(total_cols[p.id])).otherwise(0)
            for p in policies
        ]
    ).cast(pl.Int64)
    return df.select(
        pl.col("__id"), eligible.fill_null("").alias("__eligible"), total.alias("__total")
    )


def _format_total(total: pl.Expr) -> pl.Expr:
    whole = (total // 100).cast(pl.String)
    frac = (total % 100).cast(pl.String).str.zfill(2)
    return (
        pl.when(total % 100 == 0).then(whole).otherwise(pl.concat_str([whole, pl.lit("."), frac]))
    )


def run_match(
    source: str | Path | bytes,
    *,
    as_of: date | None = None,
    policy_ids: Sequence[str] | None = None,
) -> pl.DataFrame:
    """Read JSONL (path or bytes) and return one ``line`` column of output JSON text."""
    policies = _select(policy_ids)
    lines = _read_lines(source)

    def raw_lines() -> Iterable[bytes]:
        if isinstance(source, bytes):
            return source.splitlines()
        with open(source, "rb") as fh:
            return list(fh)

    paths = _needed_paths(policies)
    df = _frame(lines, paths, as_of, raw_lines)
    del lines
    result = match_frame(df, policies)
    line = pl.concat_str(
        [
            pl.lit('{"id":'),
            pl.col("__id"),
            pl.lit(',"eligible":['),
            pl.col("__eligible"),
            pl.lit('],"max_total":'),
            _format_total(pl.col("__total")),
            pl.lit("}"),
        ]
    )
    return result.select(line.alias("line"))


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
    return [orjson.loads(line) for line in frame["line"]]


_ = re  # keep import for callers that patch the id pattern
