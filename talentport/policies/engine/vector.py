"""Vectorised interpreter of the condition language over a polars frame.

Columns are named by field path; a field that may be a known "none" has a companion
boolean column ``<path>__null``. Unknown is polars' null, and polars' ``&``/``|``/``~``
already follow Kleene's logic, so the answers equal the scalar interpreter's.

When the evaluation date is one constant for the whole frame (``--as-of``), expressions
are compiled against it: parameters, validity periods and ``as_of`` comparisons fold to
literals, and comparisons of ``as_of`` (or a constant) with a monotone function of one
date field (``years_after``, ``months_after``, ``age``) become one comparison of that
date column with a threshold found by bisection with the scalar functions themselves.
Otherwise ``as_of`` is the per-row column :data:`AS_OF`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import polars as pl

from .dsl import Arith, AsOf, BoolOp, Call, Cmp, Field, In, ListLit, Lit, Node, Not, Param
from .scalar import KNULL, add_months, age_at, param_value

AS_OF = "__as_of"
_DTYPE = {"num": pl.Float64(), "date": pl.Date(), "bool": pl.Boolean(), "str": pl.String()}
_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}


def null_col(path: str) -> str:
    return f"{path}__null"


@dataclass(frozen=True)
class VVal:
    expr: pl.Expr
    knull: pl.Expr | None = None  # true where the value is a known "none" (never null itself)
    const: Any = None  # the Python value when the expression is a non-null constant


def _lit(value: Any, type_: str) -> pl.Expr:
    if type_ == "num":
        f = float(value)
        return (
            pl.lit(int(value), dtype=pl.Int64) if f == int(value) else pl.lit(f, dtype=pl.Float64)
        )
    if type_ == "date":
        return pl.lit(value, dtype=pl.Date)
    if type_ == "bool":
        return pl.lit(bool(value), dtype=pl.Boolean)
    return pl.lit(value, dtype=pl.String)


def _const(value: Any, type_: str) -> VVal:
    return VVal(_lit(value, type_), None, value)


def _bool(value: bool) -> VVal:
    return _const(value, "bool")


def param_expr(values: tuple[tuple[date, Any], ...], type_: str, as_of: date | None = None) -> VVal:
    if as_of is not None:
        v = param_value(values, as_of)
        if v is KNULL:
            return VVal(pl.lit(None, dtype=_DTYPE.get(type_, pl.String())), pl.lit(True))
        return _const(v, type_)
    if len(values) == 1:
        # before the first effective date the parameter is "none"
        since, value = values[0]
        cond = pl.col(AS_OF) >= pl.lit(since)
        return VVal(pl.when(cond).then(_lit(value, type_)), ~cond)
    chain: Any = None
    for since, value in values:  # newest first
        cond = pl.col(AS_OF) >= pl.lit(since)
        chain = (
            pl.when(cond).then(_lit(value, type_))
            if chain is None
            else chain.when(cond).then(_lit(value, type_))
        )
    oldest = values[-1][0]
    return VVal(chain, pl.col(AS_OF) < pl.lit(oldest))


def _either(a: pl.Expr | None, b: pl.Expr | None) -> pl.Expr | None:
    if a is None:
        return b
    if b is None:
        return a
    return a | b


def _missing(v: VVal) -> pl.Expr:
    if v.knull is None:
        return v.expr.is_null()
    return v.expr.is_null() & ~v.knull


def _guard(a: VVal, b: VVal, raw: pl.Expr, on_null: pl.Expr) -> pl.Expr:
    """unknown if either side is unknown, else ``on_null`` if either is a known none, else raw."""
    kn = _either(a.knull, b.knull)
    if kn is None:
        return raw
    return (
        pl.when(_missing(a) | _missing(b)).then(pl.lit(None)).when(kn).then(on_null).otherwise(raw)
    )


def _compare(op: str, ea: Any, eb: Any) -> Any:
    if op == "==":
        return ea == eb
    if op == "!=":
        return ea != eb
    if op == "<":
        return ea < eb
    if op == "<=":
        return ea <= eb
    if op == ">":
        return ea > eb
    return ea >= eb


# the bisection domain: wide enough for any real date, narrow enough that
# years_after/months_after stay inside Python's calendar
_FIRST = date(1000, 1, 1).toordinal()
_LAST = date(8999, 12, 31).toordinal()


def _monotone_date_fn(node: Node, as_of: date) -> tuple[Field, Callable[[date], Any]] | None:
    """``node`` as a monotone function of one date field (at a constant as_of), if it is one."""
    if isinstance(node, Field) and node.type == "date":
        return node, lambda d: d
    if isinstance(node, Call) and isinstance(node.args[0], Field):
        field = node.args[0]
        if node.name in ("years_after", "months_after"):
            n = node.args[1]
            assert isinstance(n, Lit)
            months = int(n.value) * (12 if node.name == "years_after" else 1)
            return field, lambda d: add_months(d, months)
        if node.name == "age":
            return field, lambda d: Decimal(age_at(d, as_of))
    return None


def known_none_paths(nodes: list[Node]) -> set[str]:
    """Nullable fields whose known "none" the answers can depend on.

    Only whether a condition is true matters here (eligible, or a tier applies). A known
    "none" makes a comparison false where an absent field makes it unknown; under
    Kleene's logic turning a false into an unknown never turns a true answer into
    another, unless the comparison sits under a ``not``. So only fields read under a
    negation, or tested with ``is_null()``, need their companion ``__null`` column.
    """
    out: set[str] = set()

    def walk(n: Node, negated: bool) -> None:
        if isinstance(n, Field):
            if negated and (n.spec.nullable or n.spec.null_parent is not None):
                out.add(n.spec.path)
        elif isinstance(n, Not):
            walk(n.operand, not negated)
        elif isinstance(n, BoolOp):
            for o in n.operands:
                walk(o, negated)
        elif isinstance(n, Cmp | In | Arith):
            walk(n.left, negated)
            walk(n.right, negated)
        elif isinstance(n, Call):
            if n.name == "is_null":
                for a in n.args:
                    if isinstance(a, Field):
                        out.add(a.spec.path)
            for a in n.args:
                walk(a, negated)

    for node in nodes:
        walk(node, False)
    return out


class Compiler:
    """Compiles condition-language nodes to polars expressions (one per frame layout).

    ``known_none``: the nullable fields that have a ``__null`` column (default: all);
    the others read a known "none" as unknown (see :func:`known_none_paths`).
    """

    def __init__(self, as_of: date | None = None, known_none: set[str] | None = None) -> None:
        self.as_of = as_of
        self.known_none = known_none

    def bool(self, node: Node) -> pl.Expr:
        return self.node(node).expr

    def node(self, node: Node) -> VVal:
        if isinstance(node, Lit):
            return _const(node.value, node.type)
        if isinstance(node, Field):
            path = node.spec.path
            nullable = node.spec.nullable or node.spec.null_parent is not None
            if self.known_none is not None and path not in self.known_none:
                nullable = False
            col = pl.col(path)
            if not nullable:
                return VVal(col)
            kn = pl.col(null_col(path))
            if node.type == "bool":
                # a "none" object has no true flags: false where known none, else the value
                return VVal(col & ~kn)
            return VVal(col, kn)
        if isinstance(node, AsOf):
            if self.as_of is not None:
                return _const(self.as_of, "date")
            return VVal(pl.col(AS_OF))
        if isinstance(node, Param):
            return param_expr(node.values, node.type, self.as_of)
        if isinstance(node, Not):
            v = self.node(node.operand)
            if v.const is not None:
                return _bool(not v.const)
            return VVal(~v.expr)
        if isinstance(node, BoolOp):
            return self._boolop(node)
        if isinstance(node, Cmp):
            return self._cmp(node)
        if isinstance(node, In):
            return self._in(node)
        if isinstance(node, Arith):
            return self._arith(node)
        if isinstance(node, Call):
            return self._call(node)
        raise TypeError(f"cannot compile {node!r}")

    def _boolop(self, node: BoolOp) -> VVal:
        decisive = node.op == "or"
        exprs: list[pl.Expr] = []
        for o in node.operands:
            v = self.node(o)
            if v.const is not None:
                if bool(v.const) is decisive:
                    return _bool(decisive)
                continue  # the neutral element
            exprs.append(v.expr)
        if not exprs:
            return _bool(not decisive)
        out = exprs[0]
        for e in exprs[1:]:
            out = (out | e) if decisive else (out & e)
        return VVal(out)

    def _cmp(self, node: Cmp) -> VVal:
        op = node.op
        if self.as_of is not None and op not in ("==", "!="):
            folded = self._threshold(node)
            if folded is not None:
                return folded
        a = self.node(node.left)
        b = self.node(node.right)
        if a.const is not None and b.const is not None:
            return _bool(bool(_compare(op, a.const, b.const)))
        raw = _compare(op, a.expr, b.expr)
        return VVal(_guard(a, b, raw, pl.lit(False)))

    def _threshold(self, node: Cmp) -> VVal | None:
        """``const OP f(date field)`` with f monotone → ``field >= t`` / ``field < t``."""
        assert self.as_of is not None
        op, left, right = node.op, node.left, node.right
        lv = self.node(left)
        if lv.const is None:
            rv = self.node(right)
            if rv.const is None:
                return None
            left, right, op, lv = right, left, _FLIP[op], rv
        # now: const (lv) OP right
        fn = _monotone_date_fn(right, self.as_of)
        if fn is None:
            return None
        field, f = fn
        c = lv.const

        def holds(ordinal: int) -> bool:
            return bool(_compare(op, c, f(date.fromordinal(ordinal))))

        try:
            lo_val, hi_val = holds(_FIRST), holds(_LAST)
            if lo_val == hi_val:
                return None  # no boundary inside the domain: keep the general form
            lo, hi = _FIRST, _LAST  # holds(lo) == lo_val, holds(hi) == hi_val
            while hi - lo > 1:
                mid = (lo + hi) // 2
                if holds(mid) == lo_val:
                    lo = mid
                else:
                    hi = mid
        except (ValueError, OverflowError, ArithmeticError):
            return None
        threshold = date.fromordinal(hi)
        field_v = self.node(field)
        col = field_v.expr
        raw = (col >= pl.lit(threshold)) if hi_val else (col < pl.lit(threshold))
        return VVal(_guard(field_v, VVal(pl.lit(threshold)), raw, pl.lit(False)))

    def _in(self, node: In) -> VVal:
        a = self.node(node.left)
        if isinstance(node.right, ListLit):
            values = list(node.right.values)
            if a.const is not None:
                found_c = a.const in values
                return _bool(found_c != node.negate)
            found = a.expr.is_in(values)  # null stays null
            raw = ~found if node.negate else found
            return VVal(_guard(a, VVal(pl.lit(True)), raw, pl.lit(False)))
        b = self.node(node.right)
        contains = b.expr.list.contains(a.expr)
        if a.const is None:
            contains = (
                pl.when(a.expr.is_null()).then(pl.lit(None, dtype=pl.Boolean)).otherwise(contains)
            )
        raw = ~contains if node.negate else contains
        return VVal(_guard(a, b, raw, pl.lit(False)))

    def _arith(self, node: Arith) -> VVal:
        a = self.node(node.left)
        b = self.node(node.right)
        ea, eb = a.expr.cast(pl.Float64), b.expr.cast(pl.Float64)
        if node.op == "+":
            raw = ea + eb
        elif node.op == "-":
            raw = ea - eb
        elif node.op == "*":
            raw = ea * eb
        else:
            raw = pl.when(eb == 0).then(pl.lit(None)).otherwise(ea / eb)
        kn_arith = _either(a.knull, b.knull)
        if kn_arith is None:
            return VVal(raw)
        return VVal(raw, kn_arith & ~(_missing(a) | _missing(b)))

    def _call(self, node: Call) -> VVal:
        arg = self.node(node.args[0])
        if node.name == "is_null":
            kn = arg.knull if arg.knull is not None else pl.lit(False)
            return VVal(
                pl.when(kn).then(pl.lit(True)).when(arg.expr.is_null()).then(None).otherwise(False)
            )
        if node.name in ("years_after", "months_after"):
            n = node.args[1]
            assert isinstance(n, Lit)
            unit = "y" if node.name == "years_after" else "mo"
            return VVal(arg.expr.dt.offset_by(f"{int(n.value)}{unit}"), arg.knull)
        if node.name == "age":
            d = arg.expr
            if self.as_of is not None:
                a = self.as_of
                a_int: pl.Expr = pl.lit(a.year * 10000 + a.month * 100 + a.day, dtype=pl.Int64)
            else:
                a_int = (
                    pl.col(AS_OF).dt.year().cast(pl.Int64) * 10000
                    + pl.col(AS_OF).dt.month().cast(pl.Int64) * 100
                    + pl.col(AS_OF).dt.day().cast(pl.Int64)
                )
            b_int = (
                d.dt.year().cast(pl.Int64) * 10000
                + d.dt.month().cast(pl.Int64) * 100
                + d.dt.day().cast(pl.Int64)
            )
            return VVal((a_int - b_int) // 10000, arg.knull)
        raise TypeError(f"cannot compile {node!r}")


def compile_node(node: Node, as_of: date | None = None) -> VVal:
    return Compiler(as_of).node(node)


def compile_bool(node: Node, as_of: date | None = None) -> pl.Expr:
    return Compiler(as_of).bool(node)


# ====================================================================== matching
#
# The batch pipeline (contract §3). JSONL lines are read as one text column, each line
# is decoded once into a struct of only the fields the selected policies read (enums
# straight into polars Enums, which also rejects unknown values), then one lazy query
# validates, evaluates every policy, applies non-cumulation and formats the output line.
# Rows that the columnar path cannot settle exactly (an id that is not the first key, a
# formula amount too close to a rounding boundary for binary floating point) are marked
# and finished by the caller with the scalar interpreter.

RAW = "__raw"
LINE_NO = "__n"
ID = "__id"
BAD = "__bad"
FALLBACK = "__fallback"
KEEP_RAW = "__keep"
LINE = "line"
ELIGIBLE = "__eligible"
TOTAL = "__total"
_J = "__j"
_AS_OF_RAW = "__as_of_raw"
_DATE_RE = r"^\d{4}-\d{2}-\d{2}$"
# the first key of the line is "id" (the usual case; otherwise the caller searches the line)
_ID_FIRST = r'^\s*\{\s*"id"\s*:\s*("(?:[^"\\]|\\.)*"|-?[0-9][0-9.eE+-]*|true|false|null)'
_FORMULA_LIMIT = 1e12  # fen; beyond this the float path hands the row to the scalar one


def read_lines(source: Any) -> pl.LazyFrame:
    """Non-blank lines of JSONL (path or binary file object) with their 1-based numbers."""
    return (
        pl.scan_csv(
            source,
            has_header=False,
            separator="\x1f",
            quote_char=None,
            schema={RAW: pl.String},
        )
        .with_row_index(LINE_NO, offset=1)
        .filter(pl.col(RAW).str.contains(r"\S"))
    )


def _leaf_dtype(spec: Any) -> pl.DataType:
    if spec.enum is not None:
        return pl.Enum(list(spec.enum))
    return {
        "bool": pl.Boolean(),
        "num": pl.Float64(),
        "int": pl.Float64(),  # JSON Schema counts 3.0 as an integer: checked below
        "date": pl.String(),
        "str": pl.String(),
        "list": pl.List(pl.String()),
    }[spec.type]


def _struct_dtype(paths: list[str]) -> pl.Struct:
    from .schema import fields

    tree: dict[str, Any] = {}
    for path in paths:
        node = tree
        parts = path.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = _leaf_dtype(fields()[path])
    tree["as_of"] = pl.String()

    def build(node: dict[str, Any]) -> pl.Struct:
        return pl.Struct({k: build(v) if isinstance(v, dict) else v for k, v in node.items()})

    return build(tree)


def _field(path: str) -> pl.Expr:
    expr = pl.col(_J)
    for part in path.split("."):
        expr = expr.struct.field(part)
    return expr


def _to_date(expr: pl.Expr) -> pl.Expr:
    return expr.str.to_date("%Y-%m-%d", strict=False)


def _bad_date(expr: pl.Expr) -> pl.Expr:
    return expr.is_not_null() & (_to_date(expr).is_null() | ~expr.str.contains(_DATE_RE))


def _checks(paths: list[str]) -> list[pl.Expr]:
    """Row-wise checks of what the decoder lets through (enums and types it rejects itself)."""
    from .schema import QINGDAO_DISTRICTS, fields

    districts = list(QINGDAO_DISTRICTS)
    checks: list[pl.Expr] = [pl.col(_J).is_null(), _bad_date(pl.col(_AS_OF_RAW))]
    for path in paths:
        spec = fields()[path]
        col = pl.col(path)
        if spec.type == "date":
            checks.append(_bad_date(col))
        if spec.type == "int":
            checks.append(col != col.floor())
        if spec.district_of is not None or path == "person.hukou_district":
            bad = col.is_not_null() & ~col.is_in(districts)
            if spec.district_of is not None and spec.district_of in paths:
                city = pl.col(spec.district_of)
                bad = bad & (city.is_null() | (city == "qingdao"))
            checks.append(bad)
        if spec.type == "list":
            el = pl.element()
            checks.append(col.list.eval(el.is_null() | ~el.is_in(districts)).list.any())
    if "venture.equity_share" in paths:
        share = pl.col("venture.equity_share")
        checks.append((share < 0) | (share > 1))
    if "venture.local_contribution_last_year" in paths:
        checks.append(pl.col("venture.local_contribution_last_year") < 0)
    if "person.birth_date" in paths:
        birth = _to_date(pl.col("person.birth_date"))
        for other in (
            "education.graduation_date",
            "employment.start_date",
            "venture.founded_date",
            "postdoc.start_date",
            "housing.bought_home.date",
        ):
            if other in paths:
                checks.append(_to_date(pl.col(other)) < birth)
    return checks


def _fen(value: Any) -> int | None:
    if value is None or value is KNULL:
        return None
    return int(Decimal(value) * 100)


class _Amounts:
    """max_total (fen) of the highest applicable tier of one cash policy."""

    def __init__(self, comp: Compiler, policy: Any) -> None:
        self.comp = comp
        self.policy = policy
        self.ambiguous: list[pl.Expr] = []

    def money(self, node: Node | None, formula: bool) -> tuple[pl.Expr | None, int | None]:
        """(expression, constant) in fen; the constant when it does not depend on the row."""
        if node is None:
            return None, None
        v = self.comp.node(node)
        if v.const is not None:
            fen = _fen(v.const)
            return pl.lit(fen, dtype=pl.Int64), fen
        if not formula:  # a parameter over a per-row as_of
            return (v.expr.cast(pl.Float64) * 100).round(0).cast(pl.Int64), None
        # exact decimal rounding (half up, to the fen) of a float product: rows too close
        # to a rounding boundary are marked and recomputed by the scalar interpreter
        y = v.expr.cast(pl.Float64) * 100
        mag = y.abs()
        frac = mag - mag.floor()
        self.ambiguous.append(
            ((frac - 0.5).abs() < 1e-7 + mag * 4e-15) | (mag > _FORMULA_LIMIT) | ~y.is_finite()
        )
        fen_expr = pl.when(mag <= _FORMULA_LIMIT).then((mag + 0.5).floor() * y.sign())
        return fen_expr.cast(pl.Int64), None

    def total(self) -> pl.Expr | None:
        b = self.policy.benefit
        if b.kind != "cash" or not b.tiers:
            return None
        rows: list[tuple[pl.Expr | None, pl.Expr, pl.Expr, Decimal | None]] = []
        all_const = True
        for tier in b.tiers:
            when: pl.Expr | None = None
            if tier.when is not None:
                cond = self.comp.node(tier.when)
                if cond.const is not None:
                    if not cond.const:
                        continue
                else:
                    when = cond.expr.fill_null(False)
            pp, pp_c = self.money(tier.per_period, tier.formula)
            lo, lo_c = self.money(tier.per_period_min, False)
            hi, hi_c = self.money(tier.per_period_max, False)
            key_c: Decimal | None = None
            if (pp is None or pp_c is not None) and (lo is None or lo_c is not None):
                if hi is None or hi_c is not None:
                    key_c = Decimal(next((c for c in (pp_c, hi_c, lo_c) if c is not None), -100))
            if key_c is None:
                all_const = False
            key = pl.coalesce([e for e in (pp, hi, lo) if e is not None] + [pl.lit(-100)])
            if pp is not None and b.max_periods is not None:
                total = pp * b.max_periods
            else:
                total = pl.lit(None, dtype=pl.Int64)
            rows.append((when, key, total, key_c))
        if not rows:
            return pl.lit(None, dtype=pl.Int64)
        if all_const:
            # highest key first, file order on a tie: the first applicable tier wins
            order = sorted(range(len(rows)), key=lambda i: (-(rows[i][3] or 0), i))
            chain: Any = None
            for i in order:
                when, _key, total, _ = rows[i]
                if when is None:
                    last: pl.Expr = total if chain is None else chain.otherwise(total)
                    return last.cast(pl.Int64)
                chain = pl.when(when).then(total) if chain is None else chain.when(when).then(total)
            result: pl.Expr = chain.otherwise(pl.lit(None, dtype=pl.Int64))
            return result.cast(pl.Int64)
        whens = [w if w is not None else pl.lit(True) for w, _, _, _ in rows]
        best = pl.max_horizontal(
            [pl.when(w).then(k) for w, (_, k, _, _) in zip(whens, rows, strict=True)]
        )
        chain = None
        for w, (_, k, t, _) in zip(whens, rows, strict=True):
            pick = w & (k == best)
            chain = pl.when(pick).then(t) if chain is None else chain.when(pick).then(t)
        out: pl.Expr = chain.otherwise(pl.lit(None, dtype=pl.Int64))
        return out.cast(pl.Int64)


def _eligible(comp: Compiler, policy: Any) -> pl.Expr:
    if comp.as_of is not None:
        if policy.valid_from is not None and comp.as_of < policy.valid_from:
            return pl.lit(False)
        if policy.valid_to is not None and comp.as_of > policy.valid_to:
            return pl.lit(False)
    parts: list[pl.Expr] = []
    for c in policy.conditions:
        v = comp.node(c.expr)
        if v.const is not None:
            if not v.const:
                return pl.lit(False)
            continue
        parts.append(v.expr)
    if comp.as_of is None:
        if policy.valid_from is not None:
            parts.append(pl.col(AS_OF) >= pl.lit(policy.valid_from))
        if policy.valid_to is not None:
            parts.append(pl.col(AS_OF) <= pl.lit(policy.valid_to))
    if not parts:
        return pl.lit(True)
    out = parts[0]
    for e in parts[1:]:
        out = out & e
    return out.fill_null(False)


def eligible_col(policy_id: str) -> str:
    """Column of a policy's eligibility (after non-cumulation) in :func:`evaluate_plan`."""
    return f"{policy_id}__e"


def total_col(policy_id: str) -> str:
    """Column of a policy's max_total in fen."""
    return f"{policy_id}__t"


def window_col(policy_id: str) -> str:
    """Column of the date a policy's window closes (null: no window)."""
    return f"{policy_id}__w"


def evaluate_plan(
    lines: pl.LazyFrame,
    policies: list[Any],
    paths: list[str],
    as_of: date | None,
    *,
    windows: bool = False,
) -> pl.LazyFrame:
    """Every policy over every line of ``lines``, column-wise: ``LINE_NO``, ``RAW``,
    ``ID``, ``BAD``, ``FALLBACK`` and per policy :func:`eligible_col` (non-cumulation
    applied) and :func:`total_col` (and :func:`window_col` with ``windows``; their
    fields must be in ``paths``)."""
    from .evaluate import non_cumulation_groups, today_in_china
    from .schema import fields, nullable_markers

    nodes: list[Node] = []
    for p in policies:
        nodes += [c.expr for c in p.conditions]
        nodes += [t.when for t in p.benefit.tiers if t.when is not None]
    known_none = known_none_paths(nodes)
    markers = {p: k for p, k in nullable_markers().items() if p in known_none}
    marker_keys = sorted({markers[p] for p in paths if p in markers})
    marker_cols = {k: f"__m_{k}" for k in marker_keys}
    decoded = lines.select(
        pl.col(LINE_NO),
        pl.col(RAW),
        pl.col(RAW).str.extract(_ID_FIRST, 1).alias(ID),
        pl.col(RAW).str.json_decode(_struct_dtype(paths)).alias(_J),
        *[
            pl.col(RAW).str.contains(rf'"{k}"\s*:\s*null').alias(marker_cols[k])
            for k in marker_keys
        ],
    ).select(
        LINE_NO,
        RAW,
        ID,
        _J,
        *marker_cols.values(),
        *[_field(p).alias(p) for p in paths],
        pl.col(_J).struct.field("as_of").alias(_AS_OF_RAW),
    )
    checks = _checks(paths)
    # one layer, so each date is parsed once for both the checks and the conditions
    prepared = decoded.with_columns(
        pl.any_horizontal(checks).fill_null(False).alias(BAD),
        *[_to_date(pl.col(p)).alias(p) for p in paths if fields()[p].type == "date"],
    )
    prepared = prepared.with_columns(
        (pl.col(marker_cols[markers[p]]) & pl.col(p).is_null()).alias(null_col(p))
        for p in paths
        if p in markers
    )
    if as_of is None:
        prepared = prepared.with_columns(
            _to_date(pl.col(_AS_OF_RAW))
            .fill_null(pl.lit(today_in_china(), dtype=pl.Date))
            .alias(AS_OF)
        )
    comp = Compiler(as_of, known_none)
    elig = {p.id: eligible_col(p.id) for p in policies}
    tot = {p.id: total_col(p.id) for p in policies}
    ambiguous: list[pl.Expr] = []
    cols: list[pl.Expr] = []
    for p in policies:
        e = _eligible(comp, p)
        amounts = _Amounts(comp, p)
        t = amounts.total()
        cols.append(e.alias(elig[p.id]))
        cols.append((t if t is not None else pl.lit(None, dtype=pl.Int64)).alias(tot[p.id]))
        ambiguous += [(a & e).fill_null(False) for a in amounts.ambiguous]
        if windows:
            cols.append(_window(comp, p).alias(window_col(p.id)))
    fallback = pl.any_horizontal(ambiguous) if ambiguous else pl.lit(False)
    df = prepared.select(LINE_NO, RAW, ID, BAD, *cols, fallback.alias(FALLBACK))
    for _group, members in non_cumulation_groups(policies).items():
        if len(members) < 2:
            continue
        keys = {p.id: pl.col(tot[p.id]).fill_null(-100) for p in members}
        best = pl.max_horizontal([pl.when(pl.col(elig[p.id])).then(keys[p.id]) for p in members])
        ordered = sorted(members, key=lambda p: (not p.city_level, p.id))
        chain: Any = None
        for p in ordered:
            cond = pl.col(elig[p.id]) & (keys[p.id] == best)
            chain = (
                pl.when(cond).then(pl.lit(p.id))
                if chain is None
                else chain.when(cond).then(pl.lit(p.id))
            )
        df = df.with_columns(
            (pl.col(elig[p.id]) & (chain == p.id).fill_null(False)).alias(elig[p.id])
            for p in members
        )
    return df


def _window(comp: Compiler, policy: Any) -> pl.Expr:
    """The first window whose condition holds, as the scalar interpreter picks it."""
    chain: Any = None
    for w in policy.windows:
        d = comp.node(w.date)
        value = d.expr if d.const is None else pl.lit(d.const, dtype=pl.Date)
        if w.when is None:
            last: pl.Expr = value if chain is None else chain.otherwise(value)
            return last
        cond = comp.node(w.when)
        test = pl.lit(bool(cond.const)) if cond.const is not None else cond.expr.fill_null(False)
        chain = pl.when(test).then(value) if chain is None else chain.when(test).then(value)
    if chain is None:
        return pl.lit(None, dtype=pl.Date)
    out: pl.Expr = chain.otherwise(pl.lit(None, dtype=pl.Date))
    return out


def match_plan(
    lines: pl.LazyFrame, policies: list[Any], paths: list[str], as_of: date | None
) -> pl.LazyFrame:
    """The whole batch as one lazy query over ``lines`` (see :func:`read_lines`).

    Per input line: its number, whether a check failed (``BAD``), and either the output
    ``LINE`` or, for a row to finish elsewhere (``KEEP_RAW`` holds its raw text): the id
    text if found, the eligible list text, the total in fen and whether the scalar
    interpreter must recompute it (``FALLBACK``).
    """
    df = evaluate_plan(lines, policies, paths, as_of)
    elig = {p.id: eligible_col(p.id) for p in policies}
    tot = {p.id: total_col(p.id) for p in policies}
    eligible = pl.concat_str(
        [pl.when(pl.col(elig[p.id])).then(pl.lit(f'"{p.id}"')) for p in policies],
        separator=",",
        ignore_nulls=True,
    )
    total = pl.sum_horizontal(
        [pl.when(pl.col(elig[p.id])).then(pl.col(tot[p.id])).otherwise(0) for p in policies]
    ).cast(pl.Int64)
    df = df.with_columns(
        eligible.fill_null("").alias(ELIGIBLE),
        total.alias(TOTAL),
        (pl.col(ID).is_null() | pl.col(FALLBACK)).alias(KEEP_RAW),
    )
    keep = pl.col(KEEP_RAW)
    # rows to finish elsewhere keep their raw line and parts; the others only their line
    return df.select(
        LINE_NO,
        BAD,
        FALLBACK,
        pl.when(~keep).then(output_line()).alias(LINE),
        pl.when(keep).then(pl.col(ID)).alias(ID),
        pl.when(keep).then(pl.col(ELIGIBLE)).alias(ELIGIBLE),
        pl.when(keep).then(pl.col(TOTAL)).alias(TOTAL),
        pl.when(keep).then(pl.col(RAW)).alias(KEEP_RAW),
    )


def format_total(total: pl.Expr) -> pl.Expr:
    whole = (total // 100).cast(pl.String)
    frac = (total % 100).cast(pl.String).str.zfill(2)
    return (
        pl.when(total % 100 == 0).then(whole).otherwise(pl.concat_str([whole, pl.lit("."), frac]))
    )


def output_line() -> pl.Expr:
    return pl.concat_str(
        [
            pl.lit('{"id":'),
            pl.col(ID),
            pl.lit(',"eligible":['),
            pl.col(ELIGIBLE),
            pl.lit('],"max_total":'),
            format_total(pl.col(TOTAL)),
            pl.lit("}"),
        ]
    )
