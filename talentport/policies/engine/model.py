"""Policy files: the model, the loader and the structural checks (Chinese errors)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from .dsl import Node, PolicyError, field_paths, parse_expression, to_decimal
from .schema import CITIES, QINGDAO_DISTRICTS, parse_date

_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
RULES_DIR = Path(__file__).resolve().parent.parent / "rules"

_ID_RE = re.compile(r"^[a-z]+(\.[a-z0-9_]+)+$")
PERIODS = ("month", "year", "once")


@dataclass(frozen=True)
class Condition:
    label: str
    expr_text: str
    expr: Node
    needs: tuple[str, ...]
    hint: str | None = None


@dataclass(frozen=True)
class Amount:
    """One tier of a cash benefit; the highest applicable tier pays."""

    label: str
    when: Node | None
    per_period: Node | None = None
    per_period_min: Node | None = None
    per_period_max: Node | None = None
    formula: bool = False  # per_period reads profile fields (computed, rounded to 0.01 yuan)

    @property
    def needs(self) -> tuple[str, ...]:
        out: list[str] = []
        for n in (self.when, self.per_period, self.per_period_min, self.per_period_max):
            if n is not None:
                out += [p for p in field_paths(n) if p not in out]
        return tuple(out)


@dataclass(frozen=True)
class Benefit:
    kind: str  # cash | service
    period: str | None = None
    max_periods: int | None = None
    tiers: tuple[Amount, ...] = ()
    note: str | None = None


@dataclass(frozen=True)
class Window:
    when: Node | None
    date: Node


@dataclass(frozen=True)
class Policy:
    id: str
    title: str
    jurisdiction: str
    source_text: str
    citation: str
    kind: str  # universal | selective
    auto_grant: bool
    catalog_service: str | None
    valid_from: date | None
    valid_to: date | None
    conditions: tuple[Condition, ...]
    benefit: Benefit
    windows: tuple[Window, ...] = ()
    non_cumulative: tuple[str, ...] = ()
    parameters: Mapping[str, tuple[tuple[date, Any], ...]] = field(default_factory=dict)
    cases: tuple[Mapping[str, Any], ...] = ()
    department: str | None = None

    @property
    def city_level(self) -> bool:
        return "." not in self.jurisdiction

    @property
    def needs(self) -> tuple[str, ...]:
        out: list[str] = []
        for c in self.conditions:
            out += [p for p in c.needs if p not in out]
        return tuple(out)


def _req(data: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in data or data[key] is None or data[key] == "":
        raise PolicyError(f"{where}缺少“{key}”")
    return data[key]


def _date_or_none(value: Any, what: str) -> date | None:
    if value is None:
        return None
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        d = parse_date(value)
        if d is not None:
            return d
    raise PolicyError(f"{what} 不是有效日期：{value!r}")


def _parameters(raw: Any) -> dict[str, tuple[tuple[date, Any], ...]]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise PolicyError("parameters 应为映射")
    out: dict[str, tuple[tuple[date, Any], ...]] = {}
    for name, spec in raw.items():
        if not isinstance(spec, Mapping) or not isinstance(spec.get("values"), Mapping):
            raise PolicyError(f"参数 {name} 需要 values（按生效日期给出取值）")
        versions: list[tuple[date, Any]] = []
        for since, value in spec["values"].items():
            d = _date_or_none(
                since if not isinstance(since, str) else since, f"参数 {name} 的生效日期"
            )
            if d is None:
                raise PolicyError(f"参数 {name} 的生效日期不能为空")
            versions.append((d, value))
        versions.sort(key=lambda v: v[0], reverse=True)
        out[str(name)] = tuple(versions)
    return out


def _money_node(
    raw: Any, params: Mapping[str, tuple[tuple[date, Any], ...]], what: str
) -> Node | None:
    if raw is None:
        return None
    if isinstance(raw, bool):
        raise PolicyError(f"{what} 应为金额或表达式")
    if isinstance(raw, int | float):
        return parse_expression(str(to_decimal(raw)), params, want="num")
    return parse_expression(str(raw), params, want="num")


def _benefit(raw: Any, params: Mapping[str, tuple[tuple[date, Any], ...]]) -> Benefit:
    if not isinstance(raw, Mapping):
        raise PolicyError("benefit 应为映射（kind: cash | service）")
    kind = raw.get("kind")
    if kind == "service":
        return Benefit("service", note=raw.get("note"))
    if kind != "cash":
        raise PolicyError(f"benefit.kind 应为 cash 或 service，却是 {kind!r}")
    period = raw.get("period")
    if period not in PERIODS:
        raise PolicyError(f"benefit.period 应为 month、year 或 once，却是 {period!r}")
    max_periods = raw.get("max_periods")
    if period == "once":
        max_periods = 1
    if max_periods is not None and (not isinstance(max_periods, int) or max_periods < 1):
        raise PolicyError("benefit.max_periods 应为正整数或 null")
    tiers: list[Amount] = []
    for i, t in enumerate(raw.get("tiers") or []):
        if not isinstance(t, Mapping):
            raise PolicyError(f"benefit.tiers[{i}] 应为映射")
        label = str(_req(t, "label", f"benefit.tiers[{i}] "))
        when = parse_expression(str(t["when"]), params, want="bool") if t.get("when") else None
        pp = _money_node(t.get("per_period"), params, "per_period")
        lo = _money_node(t.get("per_period_min"), params, "per_period_min")
        hi = _money_node(t.get("per_period_max"), params, "per_period_max")
        if pp is not None and (lo is not None or hi is not None):
            raise PolicyError(f"benefit.tiers[{i}] 不能同时给出 per_period 与区间")
        formula = any(field_paths(n) for n in (pp, lo, hi) if n is not None)
        if formula and (lo is not None or hi is not None):
            raise PolicyError(f"benefit.tiers[{i}] 区间金额只能是常量或参数")
        tiers.append(Amount(label, when, pp, lo, hi, formula))
    return Benefit("cash", period, max_periods, tuple(tiers), raw.get("note"))


def _jurisdiction(value: str) -> str:
    city, _, district = value.partition(".")
    if city not in CITIES:
        raise PolicyError(f"jurisdiction 的城市未知：{value!r}")
    if district and (city != "qingdao" or district not in QINGDAO_DISTRICTS):
        raise PolicyError(f"jurisdiction 的区（市）未知：{value!r}")
    return value


def parse_policy_data(data: Any) -> Policy:
    if not isinstance(data, Mapping):
        raise PolicyError("政策文件应为 YAML 映射")
    pid = str(_req(data, "id", ""))
    if not _ID_RE.match(pid):
        raise PolicyError(f"id 应为小写点分形式（如 qingdao.chengyang.transport_subsidy）：{pid!r}")
    where = f"政策 {pid} "
    try:
        params = _parameters(data.get("parameters"))
        source = _req(data, "source", where)
        if not isinstance(source, Mapping):
            raise PolicyError("source 应包含 text 与 citation")
        kind = _req(data, "kind", where)
        if kind not in ("universal", "selective"):
            raise PolicyError(f"kind 应为 universal（普惠）或 selective（遴选），却是 {kind!r}")
        conditions: list[Condition] = []
        for i, c in enumerate(data.get("conditions") or []):
            if not isinstance(c, Mapping):
                raise PolicyError(f"conditions[{i}] 应为映射")
            label = str(_req(c, "label", f"conditions[{i}] "))
            text = str(_req(c, "when", f"条件“{label}”"))
            try:
                node = parse_expression(text, params, want="bool")
            except PolicyError as exc:
                raise PolicyError(f"条件“{label}”：{exc}") from None
            derived = tuple(field_paths(node))
            declared = c.get("needs")
            if declared is not None and sorted(declared) != sorted(derived):
                raise PolicyError(
                    f"条件“{label}”声明需要 {sorted(declared)}，表达式实际读取 {sorted(derived)}"
                )
            conditions.append(Condition(label, text, node, derived, c.get("hint")))
        if not conditions:
            raise PolicyError("至少需要一个条件")
        windows = tuple(
            Window(
                parse_expression(str(w["when"]), params, want="bool") if w.get("when") else None,
                parse_expression(str(_req(w, "date", "window_closes ")), params, want="date"),
            )
            for w in (data.get("window_closes") or [])
        )
        groups = data.get("non_cumulative") or []
        if not isinstance(groups, list) or not all(isinstance(g, str) for g in groups):
            raise PolicyError("non_cumulative 应为组名列表")
        auto = data.get("auto_grant", False)
        if not isinstance(auto, bool):
            raise PolicyError("auto_grant 应为 true 或 false")
        cases = data.get("cases") or []
        if not isinstance(cases, list):
            raise PolicyError("cases 应为列表")
        return Policy(
            id=pid,
            title=str(_req(data, "title", where)),
            jurisdiction=_jurisdiction(str(_req(data, "jurisdiction", where))),
            source_text=str(_req(source, "text", "source ")).strip(),
            citation=str(_req(source, "citation", "source ")),
            kind=str(kind),
            auto_grant=auto,
            catalog_service=data.get("catalog_service"),
            valid_from=_date_or_none(data.get("valid_from"), "valid_from"),
            valid_to=_date_or_none(data.get("valid_to"), "valid_to"),
            conditions=tuple(conditions),
            benefit=_benefit(_req(data, "benefit", where), params),
            windows=windows,
            non_cumulative=tuple(groups),
            parameters=params,
            cases=tuple(cases),
            department=source.get("department"),
        )
    except PolicyError as exc:
        raise PolicyError(f"{where}：{exc}") from None


def parse_policy_text(text: str) -> Policy:
    """Parse one policy file (YAML); raises :class:`PolicyError` with a Chinese reason."""
    try:
        data = yaml.load(text, Loader=_LOADER)  # noqa: S506 - a SafeLoader (C if available)
    except yaml.YAMLError as exc:
        raise PolicyError(f"YAML 无法解析：{exc}") from None
    return parse_policy_data(data)


@cache
def _load_dir(directory: str) -> tuple[Policy, ...]:
    policies: list[Policy] = []
    seen: set[str] = set()
    for path in sorted(Path(directory).glob("*.yaml")):
        try:
            policy = parse_policy_text(path.read_text(encoding="utf-8"))
        except PolicyError as exc:
            raise PolicyError(f"{path.name}: {exc}") from None
        if policy.id in seen:
            raise PolicyError(f"{path.name}: 政策编号重复 {policy.id}")
        seen.add(policy.id)
        policies.append(policy)
    policies.sort(key=lambda p: p.id)
    return tuple(policies)


def load_policies(directory: str | Path | None = None) -> list[Policy]:
    """Every policy file in ``directory`` (default: the rules shipped with the package), by id."""
    return list(_load_dir(str(Path(directory).resolve() if directory else RULES_DIR)))
