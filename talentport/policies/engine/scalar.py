"""Scalar interpreter of the condition language: one profile, with unknowns tracked.

A value is either a plain Python value (Decimal, date, str, bool, tuple), :data:`KNULL`
(the profile says "none", e.g. ``graduation_date: null``) or :class:`Unknown` carrying
the field paths whose absence made it unknown (these become ``missing``).
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from .dsl import (
    Arith,
    AsOf,
    BoolOp,
    Call,
    Cmp,
    Field,
    In,
    ListLit,
    Lit,
    Node,
    Not,
    Param,
    to_decimal,
)
from .schema import fields


class _KnownNull:
    def __repr__(self) -> str:
        return "KNULL"


KNULL = _KnownNull()


@dataclass(frozen=True)
class Unknown:
    missing: frozenset[str]


def add_months(d: date, months: int) -> date:
    total = d.year * 12 + (d.month - 1) + months
    year, month = divmod(total, 12)
    month += 1
    day = min(d.day, calendar.monthrange(year, month)[1])
    return date(year, month, day)


def age_at(birth: date, as_of: date) -> int:
    a = as_of.year * 10000 + as_of.month * 100 + as_of.day
    b = birth.year * 10000 + birth.month * 100 + birth.day
    return (a - b) // 10000


def param_value(versions: tuple[tuple[date, Any], ...], as_of: date) -> Any:
    for since, value in versions:  # newest first
        if since <= as_of:
            return value
    return KNULL


def flatten_profile(profile: Mapping[str, Any]) -> dict[str, Any]:
    """Profile (already validated) → {field path: value}; absent fields are left out."""
    flat: dict[str, Any] = {}
    for path, spec in fields().items():
        cur: Any = profile
        value: Any = None
        found = True
        for part in path.split("."):
            if cur is None:
                value = KNULL  # a nullable object above is null: known none
                break
            if not isinstance(cur, Mapping) or part not in cur:
                found = False
                break
            cur = cur[part]
        else:
            value = cur
        if not found:
            continue
        if value is None:
            value = KNULL
        elif value is KNULL:
            pass
        elif spec.type == "date":
            value = date.fromisoformat(value)
        elif spec.type in ("num", "int"):
            value = to_decimal(value)
        elif spec.type == "list":
            value = tuple(value)
        flat[path] = value
    return flat


def _unk(*vals: Any) -> Unknown | None:
    missing: set[str] = set()
    hit = False
    for v in vals:
        if isinstance(v, Unknown):
            hit = True
            missing |= v.missing
    return Unknown(frozenset(missing)) if hit else None


def _compare(op: str, a: Any, b: Any) -> bool:
    if op == "==":
        return bool(a == b)
    if op == "!=":
        return bool(a != b)
    if op == "<":
        return bool(a < b)
    if op == "<=":
        return bool(a <= b)
    if op == ">":
        return bool(a > b)
    return bool(a >= b)


def evaluate_node(node: Node, flat: Mapping[str, Any], as_of: date) -> Any:
    """Evaluate an expression over a flattened profile (see :func:`flatten_profile`)."""
    if isinstance(node, Lit):
        return node.value
    if isinstance(node, Field):
        path = node.spec.path
        if path in flat:
            v = flat[path]
            if v is KNULL and node.type == "bool":
                return False  # a "none" object has no true flags (bought_home: null)
            return v
        return Unknown(frozenset((path,)))
    if isinstance(node, AsOf):
        return as_of
    if isinstance(node, Param):
        return param_value(node.values, as_of)
    if isinstance(node, ListLit):
        return node.values
    if isinstance(node, Not):
        v = evaluate_node(node.operand, flat, as_of)
        return v if isinstance(v, Unknown) else (not v)
    if isinstance(node, BoolOp):
        unknowns: list[Unknown] = []
        decisive = node.op == "or"  # value that settles the result
        for operand in node.operands:
            v = evaluate_node(operand, flat, as_of)
            if isinstance(v, Unknown):
                unknowns.append(v)
            elif v is decisive:
                return decisive
        if unknowns:
            return _unk(*unknowns)
        return not decisive
    if isinstance(node, Cmp):
        a = evaluate_node(node.left, flat, as_of)
        b = evaluate_node(node.right, flat, as_of)
        u = _unk(a, b)
        if u is not None:
            return u
        if a is KNULL or b is KNULL:
            return False
        return _compare(node.op, a, b)
    if isinstance(node, In):
        a = evaluate_node(node.left, flat, as_of)
        b = evaluate_node(node.right, flat, as_of)
        u = _unk(a, b)
        if u is not None:
            return u
        if a is KNULL or b is KNULL:
            return False
        found = a in b
        return (not found) if node.negate else found
    if isinstance(node, Arith):
        a = evaluate_node(node.left, flat, as_of)
        b = evaluate_node(node.right, flat, as_of)
        u = _unk(a, b)
        if u is not None:
            return u
        if a is KNULL or b is KNULL:
            return KNULL
        if node.op == "+":
            return a + b
        if node.op == "-":
            return a - b
        if node.op == "*":
            return a * b
        if b == 0:
            return KNULL
        return a / b
    if isinstance(node, Call):
        args = [evaluate_node(a, flat, as_of) for a in node.args]
        if node.name == "is_null":
            v = args[0]
            return v if isinstance(v, Unknown) else (v is KNULL)
        u = _unk(*args)
        if u is not None:
            return u
        if args[0] is KNULL:
            return KNULL
        if node.name == "years_after":
            return add_months(args[0], 12 * int(args[1]))
        if node.name == "months_after":
            return add_months(args[0], int(args[1]))
        if node.name == "age":
            return Decimal(age_at(args[0], as_of))
    raise TypeError(f"cannot evaluate {node!r}")
