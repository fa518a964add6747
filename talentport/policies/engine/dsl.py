"""The condition language: a small, safe expression language (never Python ``eval``).

Grammar (lowest precedence first)::

    expr    := and ("or" and)*
    and     := not ("and" not)*
    not     := "not" not | cmp
    cmp     := sum [("==" | "!=" | "<" | "<=" | ">" | ">=" | "in" | "not in") sum]
    sum     := prod (("+" | "-") prod)*
    prod    := atom (("*" | "/") atom)*
    atom    := NUMBER | "STRING" | true | false | as_of | FIELD.PATH | $param.key
             | NAME "(" args ")" | "[" literals "]" | "(" expr ")"

Functions: ``date("YYYY-MM-DD")``, ``years_after(d, N)``, ``months_after(d, N)``,
``age(birth_date)`` (whole years at ``as_of``), ``is_null(field)`` (the profile says
"none", e.g. ``education.graduation_date`` is null while enrolled).

Values may be *unknown* (the profile lacks the field): both interpreters follow
Kleene's three-valued logic, so ``false and unknown`` is false, ``true or unknown``
is true and any comparison with an unknown operand is unknown.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from .schema import FieldSpec, fields, parse_date


class PolicyError(ValueError):
    """A policy file that cannot be used; the message says why, in Chinese."""


# ---------------------------------------------------------------- AST


@dataclass(frozen=True)
class Node:
    type: str  # bool, num, date, str, list


@dataclass(frozen=True)
class Lit(Node):
    value: Any


@dataclass(frozen=True)
class ListLit(Node):
    values: tuple[Any, ...]
    item_type: str


@dataclass(frozen=True)
class Field(Node):
    spec: FieldSpec


@dataclass(frozen=True)
class AsOf(Node):
    pass


@dataclass(frozen=True)
class Param(Node):
    name: str
    keys: tuple[str, ...]
    # (effective date, value) pairs, newest first
    values: tuple[tuple[date, Any], ...]


@dataclass(frozen=True)
class Not(Node):
    operand: Node


@dataclass(frozen=True)
class BoolOp(Node):
    op: str  # and / or
    operands: tuple[Node, ...]


@dataclass(frozen=True)
class Cmp(Node):
    op: str  # == != < <= > >=
    left: Node
    right: Node


@dataclass(frozen=True)
class In(Node):
    left: Node
    right: Node
    negate: bool


@dataclass(frozen=True)
class Arith(Node):
    op: str
    left: Node
    right: Node


@dataclass(frozen=True)
class Call(Node):
    name: str
    args: tuple[Node, ...]


def field_paths(node: Node) -> list[str]:
    """Profile fields an expression reads, in order of first use."""
    out: list[str] = []

    def walk(n: Node) -> None:
        if isinstance(n, Field):
            if n.spec.path not in out:
                out.append(n.spec.path)
        elif isinstance(n, Not):
            walk(n.operand)
        elif isinstance(n, BoolOp):
            for o in n.operands:
                walk(o)
        elif isinstance(n, Cmp | In | Arith):
            walk(n.left)
            walk(n.right)
        elif isinstance(n, Call):
            for a in n.args:
                walk(a)

    walk(node)
    return out


# ---------------------------------------------------------------- lexer

_TOKEN = re.compile(
    r"""\s*(?:
      (?P<num>\d+(?:\.\d+)?)
    | (?P<str>"[^"\\]*")
    | (?P<param>\$[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)
    | (?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)
    | (?P<op>==|!=|<=|>=|<|>|\+|-|\*|/|\(|\)|\[|\]|,)
    )""",
    re.VERBOSE,
)

_KEYWORDS = {"and", "or", "not", "in", "true", "false", "as_of"}
_FUNCS = {"date", "years_after", "months_after", "age", "is_null"}


def _tokenize(text: str) -> list[tuple[str, str]]:
    pos = 0
    tokens: list[tuple[str, str]] = []
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            raise PolicyError(f"条件表达式第 {pos + 1} 个字符无法识别：{text[pos : pos + 10]!r}")
        kind = m.lastgroup or ""
        tokens.append((kind, m.group(kind)))
        pos = m.end()
        while pos < len(text) and text[pos].isspace():
            pos += 1
    tokens.append(("end", ""))
    return tokens


# ---------------------------------------------------------------- parser + type check


_TYPE_CN = {"bool": "真假值", "num": "数字", "date": "日期", "str": "文字", "list": "列表"}


def _cn(t: str) -> str:
    return _TYPE_CN.get(t, t)


def _lit_type(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float | Decimal):
        return "num"
    if isinstance(value, date):
        return "date"
    if isinstance(value, str):
        return "str"
    if isinstance(value, list | tuple):
        return "list"
    raise PolicyError(f"参数取值类型不受支持：{value!r}")


def to_decimal(value: Any) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise TypeError("bool is not a number")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(str(value))


def _norm_param_value(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return to_decimal(value)
    if isinstance(value, str):
        d = parse_date(value)
        return d if d is not None else value
    return value


class _Parser:
    def __init__(self, text: str, params: Mapping[str, tuple[tuple[date, Any], ...]]) -> None:
        self.text = text
        self.tokens = _tokenize(text)
        self.i = 0
        self.params = params

    def peek(self) -> tuple[str, str]:
        return self.tokens[self.i]

    def take(self) -> tuple[str, str]:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def expect(self, value: str) -> None:
        kind, val = self.take()
        if val != value:
            raise PolicyError(f"此处应为 {value!r}，却是 {val or '表达式结尾'!r}")

    def at(self, value: str) -> bool:
        kind, val = self.peek()
        return val == value and kind in ("op", "name")

    def parse(self) -> Node:
        node = self.expr()
        if self.peek()[0] != "end":
            raise PolicyError(f"表达式多出内容：{self.peek()[1]!r}")
        return node

    def expr(self) -> Node:
        items = [self.conj()]
        while self.at("or"):
            self.take()
            items.append(self.conj())
        if len(items) == 1:
            return items[0]
        for it in items:
            _need(it, "bool", "or")
        return BoolOp("bool", "or", tuple(items))

    def conj(self) -> Node:
        items = [self.neg()]
        while self.at("and"):
            self.take()
            items.append(self.neg())
        if len(items) == 1:
            return items[0]
        for it in items:
            _need(it, "bool", "and")
        return BoolOp("bool", "and", tuple(items))

    def neg(self) -> Node:
        if self.at("not"):
            self.take()
            operand = self.neg()
            _need(operand, "bool", "not")
            return Not("bool", operand)
        return self.cmp()

    def cmp(self) -> Node:
        left = self.sum()
        kind, val = self.peek()
        if val in ("==", "!=", "<", "<=", ">", ">=") and kind == "op":
            self.take()
            right = self.sum()
            return _check_cmp(val, left, right)
        if val == "in" or (val == "not" and self.tokens[self.i + 1][1] == "in"):
            negate = val == "not"
            self.take()
            if negate:
                self.take()
            right = self.sum()
            return _check_in(left, right, negate)
        return left

    def sum(self) -> Node:
        node = self.prod()
        while self.peek()[1] in ("+", "-") and self.peek()[0] == "op":
            op = self.take()[1]
            right = self.prod()
            node = _check_arith(op, node, right)
        return node

    def prod(self) -> Node:
        node = self.atom()
        while self.peek()[1] in ("*", "/") and self.peek()[0] == "op":
            op = self.take()[1]
            right = self.atom()
            node = _check_arith(op, node, right)
        return node

    def atom(self) -> Node:
        kind, val = self.take()
        if kind == "num":
            return Lit("num", Decimal(val))
        if kind == "str":
            return Lit("str", val[1:-1])
        if kind == "param":
            return self.param(val[1:])
        if kind == "op" and val == "(":
            node = self.expr()
            self.expect(")")
            return node
        if kind == "op" and val == "[":
            return self.list_lit()
        if kind == "op" and val == "-":
            inner = self.atom()
            if isinstance(inner, Lit) and inner.type == "num":
                return Lit("num", -inner.value)
            raise PolicyError("负号只能用于数字")
        if kind == "name":
            if val == "true":
                return Lit("bool", True)
            if val == "false":
                return Lit("bool", False)
            if val == "as_of":
                return AsOf("date")
            if self.at("("):
                return self.call(val)
            spec = fields().get(val)
            if spec is None:
                raise PolicyError(f"未知字段 {val}（不在 profile.schema.json 中）")
            t = "num" if spec.type == "int" else spec.type
            return Field(t, spec)
        raise PolicyError(f"此处不能出现 {val or '表达式结尾'!r}")

    def list_lit(self) -> Node:
        values: list[Any] = []
        types: set[str] = set()
        while not self.at("]"):
            item = self.atom()
            if not isinstance(item, Lit):
                raise PolicyError("列表里只能写常量")
            values.append(item.value)
            types.add(item.type)
            if self.at(","):
                self.take()
            elif not self.at("]"):
                raise PolicyError("列表元素之间应以逗号分隔")
        self.take()
        if len(types) > 1:
            raise PolicyError("列表元素类型不一致")
        return ListLit("list", tuple(values), types.pop() if types else "str")

    def call(self, name: str) -> Node:
        if name not in _FUNCS:
            raise PolicyError(f"未知函数 {name}（可用：{'、'.join(sorted(_FUNCS))}）")
        self.expect("(")
        args: list[Node] = []
        while not self.at(")"):
            args.append(self.expr())
            if self.at(","):
                self.take()
            elif not self.at(")"):
                raise PolicyError(f"{name}() 的参数之间应以逗号分隔")
        self.take()
        return _check_call(name, tuple(args))

    def param(self, ref: str) -> Node:
        name, *keys = ref.split(".")
        versions = self.params.get(name)
        if versions is None:
            raise PolicyError(f"未定义的参数 ${name}")
        resolved: list[tuple[date, Any]] = []
        for since, value in versions:
            cur = value
            for k in keys:
                if not isinstance(cur, Mapping) or k not in cur:
                    raise PolicyError(f"参数 ${name} 在 {since.isoformat()} 版本中没有键 {k}")
                cur = cur[k]
            resolved.append((since, _norm_param_value(cur)))
        types = {_lit_type(v) for _, v in resolved}
        if len(types) != 1:
            raise PolicyError(f"参数 ${ref} 各版本类型不一致")
        return Param(types.pop(), name, tuple(keys), tuple(resolved))


def _need(node: Node, want: str, where: str) -> None:
    if node.type != want:
        raise PolicyError(f"{where} 需要{_cn(want)}，却得到{_cn(node.type)}")


def _enum_check(side: Node, lits: tuple[Any, ...]) -> None:
    if isinstance(side, Field) and side.spec.enum is not None:
        for v in lits:
            if v not in side.spec.enum:
                raise PolicyError(
                    f"{v!r} 不是字段 {side.spec.path} 的取值（可取：{'、'.join(side.spec.enum)}）"
                )


def _check_cmp(op: str, left: Node, right: Node) -> Node:
    if left.type != right.type:
        raise PolicyError(f"不能比较{_cn(left.type)}与{_cn(right.type)}（{op}）")
    if left.type in ("list",):
        raise PolicyError("列表不能直接比较")
    if op not in ("==", "!=") and left.type not in ("num", "date"):
        raise PolicyError(f"{op} 只能用于数字或日期")
    if isinstance(right, Lit):
        _enum_check(left, (right.value,))
    if isinstance(left, Lit):
        _enum_check(right, (left.value,))
    return Cmp("bool", op, left, right)


def _check_in(left: Node, right: Node, negate: bool) -> Node:
    if isinstance(right, ListLit):
        if right.values and left.type != right.item_type:
            raise PolicyError(f"in 左边是{_cn(left.type)}，列表却是{_cn(right.item_type)}")
        _enum_check(left, right.values)
    elif isinstance(right, Field) and right.type == "list":
        if left.type != "str":
            raise PolicyError("in 列表字段时左边应为文字")
    else:
        raise PolicyError("in 右边应为常量列表或列表字段")
    return In("bool", left, right, negate)


def _check_arith(op: str, left: Node, right: Node) -> Node:
    if left.type != "num" or right.type != "num":
        raise PolicyError(f"{op} 只能用于数字（日期请用 years_after/months_after）")
    return Arith("num", op, left, right)


def _check_call(name: str, args: tuple[Node, ...]) -> Node:
    def arity(n: int) -> None:
        if len(args) != n:
            raise PolicyError(f"{name}() 需要 {n} 个参数")

    if name == "date":
        arity(1)
        a = args[0]
        if not (isinstance(a, Lit) and a.type == "str"):
            raise PolicyError('date() 需要形如 "2018-06-06" 的文字')
        d = parse_date(a.value)
        if d is None:
            raise PolicyError(f"date() 的日期无效：{a.value!r}")
        return Lit("date", d)
    if name in ("years_after", "months_after"):
        arity(2)
        _need(args[0], "date", name)
        n = args[1]
        if not (isinstance(n, Lit) and n.type == "num" and n.value == int(n.value)):
            raise PolicyError(f"{name}() 的第二个参数应为整数常量")
        return Call("date", name, (args[0], Lit("num", int(n.value))))
    if name == "age":
        arity(1)
        _need(args[0], "date", name)
        return Call("num", name, args)
    # is_null
    arity(1)
    a = args[0]
    if not (isinstance(a, Field) and (a.spec.nullable or a.spec.null_parent)):
        raise PolicyError("is_null() 只能用于可为 null 的字段（如 education.graduation_date）")
    return Call("bool", name, args)


def parse_expression(
    text: str,
    params: Mapping[str, tuple[tuple[date, Any], ...]] | None = None,
    *,
    want: str | None = None,
) -> Node:
    """Parse and type-check one expression; raises :class:`PolicyError` in Chinese."""
    if not isinstance(text, str) or not text.strip():
        raise PolicyError("条件表达式为空")
    try:
        node = _Parser(text, params or {}).parse()
    except PolicyError as exc:
        raise PolicyError(f"表达式 {text!r} 有误：{exc}") from None
    if want is not None and node.type != want:
        raise PolicyError(f"表达式 {text!r} 应得出{_cn(want)}，却得出{_cn(node.type)}")
    return node
