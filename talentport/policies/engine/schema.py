"""Profile contract: the field registry derived from ``profile.schema.json`` and validation.

The schema file is the single source of truth for field paths and their types; the
condition language, both interpreters and the batch reader all use :data:`FIELDS`.
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import fastjsonschema
import jsonschema

SCHEMA_PATH = Path(__file__).with_name("profile.schema.json")

QINGDAO_DISTRICTS: dict[str, str] = {
    "shinan": "市南区",
    "shibei": "市北区",
    "licang": "李沧区",
    "laoshan": "崂山区",
    "xihaian": "西海岸新区",
    "chengyang": "城阳区",
    "jimo": "即墨区",
    "jiaozhou": "胶州市",
    "pingdu": "平度市",
    "laixi": "莱西市",
    "hightech": "高新区",
    "ftz": "自贸区",
}
CITIES: dict[str, str] = {"qingdao": "青岛市", "weihai": "威海市", "liaocheng": "聊城市"}

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

#: Bounds the schema leaves open (contract §5): money fits in 15 digits before the
#: decimal point; counts, months and years are non-negative, and at most COUNT_MAX;
#: every number is finite.  A profile nests no deeper than MAX_DEPTH objects or lists.
MONEY_FIELDS = frozenset({"venture.local_contribution_last_year"})
MONEY_LIMIT = 10**15
COUNT_MAX = 10_000
MAX_DEPTH = 16


@dataclass(frozen=True)
class FieldSpec:
    """One leaf of the profile: ``type`` is bool, num, int, date, str or list."""

    path: str
    type: str
    enum: tuple[str, ...] | None = None
    nullable: bool = False  # the field itself may be JSON null (a known "none")
    null_parent: str | None = None  # a nullable object above it (null parent → known none)
    district_of: str | None = None  # path of the city field that says which city the district is in


@dataclass(frozen=True)
class ProfileError:
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


@cache
def load_schema() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return data


_DISTRICT_CITY = {
    "person.hukou_district": None,
    "employment.district": "employment.city",
    "venture.district": "venture.city",
    "postdoc.district": "postdoc.city",
    "housing.bought_home.district": "housing.bought_home.city",
}


def _leaf_type(node: dict[str, Any]) -> tuple[str, tuple[str, ...] | None, bool]:
    if "enum" in node:
        return "str", tuple(str(v) for v in node["enum"]), False
    raw = node.get("type")
    types = raw if isinstance(raw, list) else [raw]
    nullable = "null" in types
    main = [t for t in types if t != "null"][0]
    if main == "string":
        return ("date" if node.get("format") == "date" else "str"), None, nullable
    if main == "boolean":
        return "bool", None, nullable
    if main == "integer":
        return "int", None, nullable
    if main == "number":
        return "num", None, nullable
    if main == "array":
        return "list", None, nullable
    raise ValueError(f"unsupported schema type {raw!r}")


@cache
def fields() -> dict[str, FieldSpec]:
    """Every leaf path of the profile schema (plus ``as_of``), in schema order."""
    out: dict[str, FieldSpec] = {}

    def walk(props: dict[str, Any], prefix: str, null_parent: str | None) -> None:
        for name, node in props.items():
            path = f"{prefix}{name}"
            raw = node.get("type")
            types = raw if isinstance(raw, list) else [raw]
            if "object" in types:
                np = path if "null" in types else null_parent
                walk(node.get("properties", {}), path + ".", np)
                continue
            kind, enum, nullable = _leaf_type(node)
            out[path] = FieldSpec(
                path=path,
                type=kind,
                enum=enum,
                nullable=nullable,
                null_parent=null_parent,
                district_of=_DISTRICT_CITY.get(path),
            )

    walk(load_schema()["properties"], "", None)
    out.pop("as_of", None)
    return out


def nullable_markers() -> dict[str, str]:
    """JSON keys whose explicit ``null`` means a known "none" → the field paths it covers.

    Returned as ``{leaf path: key name whose null marks it}``.
    """
    marks: dict[str, str] = {}
    for spec in fields().values():
        if spec.nullable:
            marks[spec.path] = spec.path.rsplit(".", 1)[-1]
        elif spec.null_parent is not None:
            marks[spec.path] = spec.null_parent.rsplit(".", 1)[-1]
    return marks


@cache
@functools.cache
def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(load_schema())


@functools.cache
def _fast_check() -> Callable[[Any], Any]:
    """The schema compiled to Python (fastjsonschema; the schema uses only keywords that
    draft 7 reads the same): a quick yes for a valid document. A no is explained by the
    full validator, which gives every problem with its Chinese message."""
    schema = {k: v for k, v in load_schema().items() if k != "$schema"}
    checker: Callable[[Any], Any] = fastjsonschema.compile(schema, use_formats=False)
    return checker


_TYPE_NAMES = {
    "object": "对象",
    "string": "字符串",
    "boolean": "布尔值（true/false）",
    "integer": "整数",
    "number": "数字",
    "array": "数组",
    "null": "null",
}


def _path(parts: Any) -> str:
    text = ".".join(str(p) for p in parts)
    return text or "profile"


def parse_date(value: str) -> date | None:
    """Strict ISO ``YYYY-MM-DD`` → date, or None when it is not a real calendar date."""
    if not _DATE_RE.match(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _message(err: jsonschema.ValidationError) -> str:
    v = err.validator
    if v == "type":
        want = err.validator_value
        names = want if isinstance(want, list) else [want]
        return "类型错误，应为" + "或".join(_TYPE_NAMES.get(str(n), str(n)) for n in names)
    if v == "enum":
        values: Any = err.validator_value
        allowed = "、".join(str(x) for x in values)
        return f"不是允许的取值 {err.instance!r}（允许：{allowed}）"
    if v == "minimum":
        return f"不能小于 {err.validator_value}"
    if v == "maximum":
        return f"不能大于 {err.validator_value}"
    return f"不符合约定：{err.message}"


_INF = math.inf


def _is_clean(children: Iterable[Any], depth: int) -> bool:
    """Quick yes for :func:`_shape_errors`: the children of a container at ``depth`` hold no
    non-finite float and no object or list at MAX_DEPTH or deeper.  Builds no paths; a no
    (also for any subclass of float, dict or list) sends the caller to the full walk."""
    for child in children:
        t = type(child)
        if t is str or t is int or t is bool or child is None:
            continue
        if t is float:
            if not -_INF < child < _INF:  # false for NaN and ±inf
                return False
        elif t is dict:
            if depth + 1 >= MAX_DEPTH or not _is_clean(child.values(), depth + 1):
                return False
        elif t is list:
            if depth + 1 >= MAX_DEPTH or not _is_clean(child, depth + 1):
                return False
        elif isinstance(child, float | dict | list):
            return False
    return True


def _shape_errors(data: object) -> list[ProfileError]:
    """Non-finite numbers and too deep nesting anywhere (unknown keys included): such a
    document cannot be evaluated, stored as JSON or even walked safely."""
    if _is_clean((data,), -1):  # the usual case: nothing to report, no paths to build
        return []
    errors: list[ProfileError] = []
    stack: list[tuple[object, list[str], int]] = [(data, [], 0)]
    while stack:
        value, parts, depth = stack.pop()
        if isinstance(value, float) and not math.isfinite(value):
            errors.append(ProfileError(_path(parts), "不是有限数值（不接受 NaN 或无穷大）"))
        elif isinstance(value, dict | list):
            if depth >= MAX_DEPTH:
                errors.append(ProfileError(_path(parts), f"嵌套层级过深（最多 {MAX_DEPTH} 层）"))
                continue
            items = value.items() if isinstance(value, dict) else enumerate(value)
            stack.extend((child, [*parts, str(key)], depth + 1) for key, child in items)
    return sorted(errors, key=lambda e: e.field)


# What validate_profile checks on a field beyond the schema (one kind per field).
_BOUND, _MONEY, _DATE, _DISTRICT, _OWNS = range(5)

#: ``(key inside the parent object, field path, kind, key of the sibling city field)``
_Leaf = tuple[str, str, int, str | None]
#: ``(section, subsection, leaves)``: the fields' parent is the profile (section None),
#: ``profile[section]`` (subsection None) or ``profile[section][subsection]``
_Run = tuple[str | None, str | None, tuple[_Leaf, ...]]


@functools.cache
def _plan() -> tuple[_Run, ...]:
    """``as_of`` and the checked fields of :func:`fields` in that order, as runs of
    consecutive fields that share a parent object.  One lookup of the parent serves the
    run, and a run whose parent is absent costs nothing."""
    runs: list[tuple[list[str], list[_Leaf]]] = [([], [("as_of", "as_of", _DATE, None)])]
    for path, spec in fields().items():
        *parent, key = path.split(".")
        if len(parent) > 2:
            raise ValueError(f"{path}: fields nest at most two objects deep")
        city: str | None = None
        if spec.type in ("num", "int"):
            kind = _MONEY if path in MONEY_FIELDS else _BOUND
        elif spec.type == "date":
            kind = _DATE
        elif spec.district_of is not None or path == "person.hukou_district":
            kind = _DISTRICT
            if spec.district_of is not None:
                *city_parent, city = spec.district_of.split(".")
                if city_parent != parent:
                    raise ValueError(f"{path}: its city must be a sibling field")
        elif path == "housing.owns_commercial_home_in":
            kind = _OWNS
        else:
            continue
        if runs[-1][0] != parent:
            runs.append((parent, []))
        runs[-1][1].append((key, path, kind, city))
    out: list[_Run] = []
    for parent, leaves in runs:
        section = parent[0] if parent else None
        subsection = parent[1] if len(parent) > 1 else None
        out.append((section, subsection, tuple(leaves)))
    return tuple(out)


def _bound_error(path: str, money: bool, value: Any, money_limit: int) -> ProfileError | None:
    """The bounds of contract §5 on one number field."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if value < 0:
        return ProfileError(path, "不能小于 0")
    if money and value >= money_limit:
        digits = len(str(money_limit)) - 1
        return ProfileError(path, f"金额过大（整数部分最多 {digits} 位）")
    if not money and value > COUNT_MAX:
        return ProfileError(path, f"不能大于 {COUNT_MAX}")
    return None


def _schema_errors(data: object) -> list[ProfileError]:
    """Every schema violation, one per field path, in path order (the full validator)."""
    errors: list[ProfileError] = []
    seen: set[str] = set()
    schema_errors = list(_validator().iter_errors(data))
    for err in sorted(schema_errors, key=lambda e: list(map(str, e.absolute_path))):
        path = _path(err.absolute_path)
        if path in seen:
            continue
        seen.add(path)
        errors.append(ProfileError(path, _message(err)))
    return errors


def validate_profile(data: object, *, money_limit: int = MONEY_LIMIT) -> list[ProfileError]:
    """Check a profile against the contract schema plus the checks JSON Schema cannot say.

    Returns one :class:`ProfileError` per problem (empty list = valid), field paths dotted.
    ``money_limit`` (exclusive) may be lowered by a caller that stores amounts derived from
    the profile in narrower columns.
    """
    if not isinstance(data, dict):
        return [ProfileError("profile", "应为 JSON 对象")]
    shape = _shape_errors(data)
    if shape:
        return shape
    try:
        _fast_check()(data)
        errors: list[ProfileError] = []
    except fastjsonschema.JsonSchemaValueException:
        errors = _schema_errors(data)
    # A field with a schema error gets no further check.  (A bound error never stops a
    # date or district check: those are never number fields.)
    bad = {e.field for e in errors}
    # One pass over the checked fields, noting each error with its kind: the result lists
    # bounds, then dates, then districts, then owned homes, each kind in field order.
    found: list[tuple[int, ProfileError]] = []
    dates: dict[str, date] = {}
    for section, subsection, leaves in _plan():
        # the fields' parent: absent unless each step is an object holding it
        sec: Any = data if section is None else data[section] if section in data else None
        if subsection is not None:
            sec = sec[subsection] if isinstance(sec, dict) and subsection in sec else None
        if not isinstance(sec, dict):
            continue
        for key, path, kind, city_key in leaves:
            if key not in sec or path in bad:
                continue
            value = sec[key]
            if kind <= _MONEY:
                if (e := _bound_error(path, kind == _MONEY, value, money_limit)) is not None:
                    found.append((_BOUND, e))
            elif not isinstance(value, str):
                if kind == _OWNS and isinstance(value, list):
                    for i, item in enumerate(value):
                        if isinstance(item, str) and item not in QINGDAO_DISTRICTS:
                            message = f"未知的区（市）编号 {item!r}"
                            found.append((_OWNS, ProfileError(f"{path}.{i}", message)))
            elif kind == _DATE:
                # format "date" is checked strictly here (jsonschema's is an annotation)
                if (parsed := parse_date(value)) is None:
                    message = f"不是有效日期 {value!r}（应为 YYYY-MM-DD）"
                    found.append((_DATE, ProfileError(path, message)))
                else:
                    dates[path] = parsed
            elif kind == _DISTRICT and value not in QINGDAO_DISTRICTS:
                # an unknown id is an error only in Qingdao (or when no city is given)
                city = sec[city_key] if city_key is not None and city_key in sec else None
                if city in (None, "qingdao"):
                    message = f"未知的区（市）编号 {value!r}"
                    found.append((_DISTRICT, ProfileError(path, message)))
    if found:
        found.sort(key=lambda kind_error: kind_error[0])  # stable: field order within a kind
        errors += [error for _, error in found]
    # impossible orders of events
    birth = dates.get("person.birth_date")
    if birth is not None:
        for path, label in (
            ("education.graduation_date", "毕业日期"),
            ("employment.start_date", "就业创业日期"),
            ("venture.founded_date", "创办日期"),
            ("postdoc.start_date", "进站日期"),
            ("housing.bought_home.date", "购房日期"),
        ):
            when = dates.get(path)
            if when is not None and when < birth:
                errors.append(ProfileError(path, f"{label}早于出生日期 {birth.isoformat()}"))
    return errors
