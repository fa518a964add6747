"""Vectorised interpreter of the condition language over a polars frame.

Columns are named by field path; a field that may be a known "none" has a companion
boolean column ``<path>__null``. Unknown is polars' null, and polars' ``&``/``|``/``~``
already follow Kleene's logic, so the answers equal the scalar interpreter's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import polars as pl

from .dsl import Arith, AsOf, BoolOp, Call, Cmp, Field, In, ListLit, Lit, Node, Not, Param

AS_OF = "__as_of"


def null_col(path: str) -> str:
    return f"{path}__null"


@dataclass(frozen=True)
class VVal:
    expr: pl.Expr
    knull: pl.Expr | None = None  # true where the value is a known "none" (never null itself)


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


def param_expr(values: tuple[tuple[date, Any], ...], type_: str) -> VVal:
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


def compile_node(node: Node) -> VVal:
    if isinstance(node, Lit):
        return VVal(_lit(node.value, node.type))
    if isinstance(node, Field):
        path = node.spec.path
        nullable = node.spec.nullable or node.spec.null_parent is not None
        col = pl.col(path)
        if not nullable:
            return VVal(col)
        kn = pl.col(null_col(path))
        if node.type == "bool":
            return VVal(pl.when(kn).then(pl.lit(False)).otherwise(col))
        return VVal(col, kn)
    if isinstance(node, AsOf):
        return VVal(pl.col(AS_OF))
    if isinstance(node, Param):
        return param_expr(node.values, node.type)
    if isinstance(node, Not):
        return VVal(~compile_node(node.operand).expr)
    if isinstance(node, BoolOp):
        exprs = [compile_node(o).expr for o in node.operands]
        out = exprs[0]
        for e in exprs[1:]:
            out = (out | e) if node.op == "or" else (out & e)
        return VVal(out)
    if isinstance(node, Cmp):
        a = compile_node(node.left)
        b = compile_node(node.right)
        ea, eb = a.expr, b.expr
        op = node.op
        if op == "==":
            raw = ea == eb
        elif op == "!=":
            raw = ea != eb
        elif op == "<":
            raw = ea < eb
        elif op == "<=":
            raw = ea <= eb
        elif op == ">":
            raw = ea > eb
        else:
            raw = ea >= eb
        return VVal(_guard(a, b, raw, pl.lit(False)))
    if isinstance(node, In):
        a = compile_node(node.left)
        if isinstance(node.right, ListLit):
            values = list(node.right.values)
            found = (
                pl.when(a.expr.is_null())
                .then(pl.lit(None, dtype=pl.Boolean))
                .otherwise(a.expr.is_in(values))
            )
            raw = ~found if node.negate else found
            b = VVal(pl.lit(True))
        else:
            b = compile_node(node.right)
            found = (
                pl.when(a.expr.is_null() | b.expr.is_null())
                .then(pl.lit(None, dtype=pl.Boolean))
                .otherwise(b.expr.list.contains(a.expr))
            )
            raw = ~found if node.negate else found
        return VVal(_guard(a, b, raw, pl.lit(False)))
    if isinstance(node, Arith):
        a = compile_node(node.left)
        b = compile_node(node.right)
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
    if isinstance(node, Call):
        arg = compile_node(node.args[0])
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


def compile_bool(node: Node) -> pl.Expr:
    return compile_node(node).expr
