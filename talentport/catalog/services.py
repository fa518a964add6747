"""Writes of the catalog: load the seed data, keep the search document of each item.

``catalog_load`` upserts everything under ``data/catalog/*.yaml`` by its stable code and
saves a row only when one of its values differs, so running it twice changes nothing
(no new history rows, no new ``updated_at``).  Every catalog write bumps the catalog
version (see ``catalog_version_bump``) so that the per-process search index of
``selectors.service_item_search`` is rebuilt.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import logging
import re
import unicodedata
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from django.db import models, transaction
from pypinyin import Style, lazy_pinyin

from talentport.catalog.models import (
    NOT_SPECIFIED,
    CatalogVersion,
    Department,
    Jurisdiction,
    JurisdictionLevel,
    LifeEvent,
    Material,
    PolicyLink,
    ServiceItem,
    ServiceKind,
    Specialist,
    Stage,
)

logger = logging.getLogger("talentport.catalog")

M = TypeVar("M", bound=models.Model)

REPO_DATA_DIR = Path(__file__).resolve().parents[2] / "data" / "catalog"

# Guide elements the seed may leave open: missing → "未明确" (text) or None (days, flags).
_GUIDE_TEXT_FIELDS = (
    "applicants",
    "procedure",
    "legal_basis",
    "fees",
    "result",
    "where_to_apply",
    "online_entry",
)
_ITEM_KEYS = {
    "code",
    "title",
    "title_en",
    "jurisdiction",
    "category",
    "kind",
    "stage",
    "sequence",
    "content",
    *_GUIDE_TEXT_FIELDS,
    "legal_limit_days",
    "promised_limit_days",
    "in_person",
    "department",
    "partner_departments",
    "contact_phone",
    "contact_note",
    "source",
    "life_events",
    "policies",
    "materials",
    "valid_from",
    "valid_to",
}


_YamlLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class CatalogDataError(ValueError):
    """The YAML data is inconsistent (unknown reference, duplicate code, bad value)."""


# --------------------------------------------------------------------------- version stamp

_suppress_depth = 0


@contextlib.contextmanager
def _signals_suppressed() -> Iterator[None]:
    """Inside ``catalog_load`` the per-save signal work is skipped; one bump at the end."""
    global _suppress_depth
    _suppress_depth += 1
    try:
        yield
    finally:
        _suppress_depth -= 1


def catalog_signals_suppressed() -> bool:
    return _suppress_depth > 0


def catalog_version_bump() -> str:
    """Give the catalog a new version stamp (stored in the database, so every process sees it).

    Bumped at once and again on commit: a process that rebuilt its index from
    uncommitted state rebuilds once more when the transaction commits.
    """
    stamp = _write_stamp()
    transaction.on_commit(_write_stamp)
    return stamp


def _write_stamp() -> str:
    stamp = uuid.uuid4().hex
    CatalogVersion.objects.update_or_create(pk=1, defaults={"stamp": stamp})
    return stamp


# --------------------------------------------------------------------------- search document

_WS = re.compile(r"\s+")
_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def text_normalize(text: str) -> str:
    """NFKC (full-width → ASCII), lower case, whitespace collapsed."""
    return _WS.sub(" ", unicodedata.normalize("NFKC", text)).strip().lower()


def text_pinyin(text: str) -> str:
    """Full pinyin without tones or separators (default reading of heteronyms)."""
    return _NON_ALNUM.sub("", "".join(lazy_pinyin(text_normalize(text), style=Style.NORMAL)))


def text_initials(text: str) -> str:
    """First letters of the pinyin syllables; latin runs are kept whole."""
    return _NON_ALNUM.sub("", "".join(lazy_pinyin(text_normalize(text), style=Style.FIRST_LETTER)))


def _index_values(
    *,
    title: str,
    title_en: str,
    content: str,
    category: str,
    department: str,
    partner_departments: list[str],
    applicants: str,
) -> dict[str, str]:
    return dict(
        _index_values_cached(
            title, title_en, content, category, department, tuple(partner_departments), applicants
        )
    )


@functools.lru_cache(maxsize=4096)
def _index_values_cached(
    title: str,
    title_en: str,
    content: str,
    category: str,
    department: str,
    partner_departments: tuple[str, ...],
    applicants: str,
) -> tuple[tuple[str, str], ...]:
    parts = [title, content, category, department, *partner_departments]
    if applicants and applicants != NOT_SPECIFIED:
        parts.append(applicants)
    body = text_normalize("\n".join(parts))
    return (
        ("search_title", text_normalize(title)[:200]),
        ("search_body", text_normalize(body + " " + title_en)),
        ("pinyin_title", text_pinyin(title)[:800]),
        ("initials_title", text_initials(title)[:200]),
        ("pinyin_body", text_pinyin(body)),
    )


def service_item_index(item: ServiceItem) -> ServiceItem:
    """Compute the search fields of ``item`` (not saved): normalized title and body,
    full pinyin and pinyin initials of the title, pinyin of the body."""
    department = item.department.name if item.department_id else ""
    partners: list[str] = []
    if item.pk:
        partners = [d.name for d in item.partner_departments.all()]
    values = _index_values(
        title=item.title,
        title_en=item.title_en,
        content=item.content,
        category=item.category,
        department=department,
        partner_departments=partners,
        applicants=item.applicants,
    )
    for name, value in values.items():
        setattr(item, name, value)
    return item


def service_item_reindex(*, items: models.QuerySet[ServiceItem]) -> int:
    """Rebuild the search fields of ``items`` in place (no history rows: search fields only)."""
    count = 0
    for item in items.select_related("department").prefetch_related("partner_departments"):
        service_item_index(item)
        ServiceItem.objects.filter(pk=item.pk).update(
            search_title=item.search_title,
            search_body=item.search_body,
            pinyin_title=item.pinyin_title,
            initials_title=item.initials_title,
            pinyin_body=item.pinyin_body,
        )
        count += 1
    if count:
        catalog_version_bump()
    return count


# --------------------------------------------------------------------------- load report


@dataclass
class EntityCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged

    @property
    def changed(self) -> int:
        return self.created + self.updated + self.deleted

    def add(self, status: str) -> None:
        setattr(self, status, getattr(self, status) + 1)


@dataclass
class LoadReport:
    jurisdictions: EntityCounts = field(default_factory=EntityCounts)
    life_events: EntityCounts = field(default_factory=EntityCounts)
    departments: EntityCounts = field(default_factory=EntityCounts)
    items: EntityCounts = field(default_factory=EntityCounts)
    materials: EntityCounts = field(default_factory=EntityCounts)
    policy_links: EntityCounts = field(default_factory=EntityCounts)
    specialists: EntityCounts = field(default_factory=EntityCounts)
    items_by_city: dict[str, int] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)

    def entities(self) -> dict[str, EntityCounts]:
        return {
            "jurisdictions": self.jurisdictions,
            "life_events": self.life_events,
            "departments": self.departments,
            "items": self.items,
            "materials": self.materials,
            "policy_links": self.policy_links,
            "specialists": self.specialists,
        }

    @property
    def changed(self) -> bool:
        return any(c.changed for c in self.entities().values())


# --------------------------------------------------------------------------- upsert helpers


def _differs(obj: models.Model, values: dict[str, Any]) -> dict[str, Any]:
    """The subset of ``values`` that differs from ``obj`` (FKs compared by primary key)."""
    changes: dict[str, Any] = {}
    for name, value in values.items():
        f = obj._meta.get_field(name)
        if f.is_relation and f.many_to_one:
            current = getattr(obj, f"{name}_id")
            wanted = value.pk if value is not None else None
        else:
            current = getattr(obj, name)
            wanted = value
        if current != wanted:
            changes[name] = value
    return changes


def _upsert_status(
    model: type[M], *, lookup: dict[str, Any], values: dict[str, Any]
) -> tuple[M, str]:
    """Create, update (only the differing fields) or leave alone; says which."""
    obj = model._default_manager.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
        obj.save()
        return obj, "created"
    changes = _differs(obj, values)
    if not changes:
        return obj, "unchanged"
    for name, value in changes.items():
        setattr(obj, name, value)
    obj.save()
    return obj, "updated"


def _upsert(
    model: type[M], *, lookup: dict[str, Any], values: dict[str, Any], counts: EntityCounts
) -> M:
    obj, status = _upsert_status(model, lookup=lookup, values=values)
    counts.add(status)
    return obj


def _sync_m2m(manager: Any, wanted: Sequence[models.Model]) -> bool:
    current = set(manager.values_list("pk", flat=True))
    if current == {o.pk for o in wanted}:
        return False
    manager.set(wanted)
    return True


def _read(directory: Path) -> tuple[dict[str, list[dict[str, Any]]], list[str]]:
    merged: dict[str, list[dict[str, Any]]] = {
        "jurisdictions": [],
        "life_events": [],
        "departments": [],
        "items": [],
        "specialists": [],
    }
    files = sorted(directory.glob("*.yaml"))
    if not files:
        raise CatalogDataError(f"{directory} 下没有目录数据文件（*.yaml）")
    for path in files:
        text = path.read_text(encoding="utf-8")
        doc = yaml.load(text, Loader=_YamlLoader) or {}  # noqa: S506 (a SafeLoader)
        unknown = set(doc) - set(merged)
        if unknown:
            raise CatalogDataError(f"{path.name}: 未知的顶层键 {sorted(unknown)}")
        for key, rows in doc.items():
            merged[key].extend(rows or [])
    for key in ("jurisdictions", "life_events", "departments", "items"):
        codes = [row["code"] for row in merged[key]]
        dupes = sorted({c for c in codes if codes.count(c) > 1})
        if dupes:
            raise CatalogDataError(f"{key}: 重复的标识 {dupes}")
    return merged, [p.name for p in files]


def _parents_first(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    done: set[str] = set()
    ordered: list[dict[str, Any]] = []
    pending = list(rows)
    while pending:
        progressed = [r for r in pending if not r.get("parent") or r["parent"] in done]
        if not progressed:
            raise CatalogDataError(
                "上级引用无法解析：" + ", ".join(f"{r['code']}→{r['parent']}" for r in pending)
            )
        for r in progressed:
            ordered.append(r)
            done.add(r["code"])
        pending = [r for r in pending if r["code"] not in done]
    return ordered


def _ref(table: dict[str, M], code: str, what: str, owner: str) -> M:
    try:
        return table[code]
    except KeyError:
        raise CatalogDataError(f"{owner}: 未知的{what} {code!r}") from None


def _date(value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


# --------------------------------------------------------------------------- catalog_load


def catalog_load(*, directory: Path) -> LoadReport:
    """Upsert the catalog from ``directory/*.yaml`` (by code); idempotent.

    Policy ids in ``policies:`` are stored as links whether or not the rules engine
    knows them yet (the policy sync resolves them later).
    """
    data, files = _read(directory)
    report = LoadReport(files=files)
    with transaction.atomic(), _signals_suppressed():
        jurisdictions = _load_jurisdictions(data["jurisdictions"], report)
        events = _load_life_events(data["life_events"], report)
        departments = _load_departments(data["departments"], jurisdictions, report)
        _load_items(data["items"], jurisdictions, departments, events, report)
        _load_specialists(data["specialists"], jurisdictions, report)
        if report.changed or not CatalogVersion.objects.filter(pk=1).exists():
            catalog_version_bump()
    for item in data["items"]:
        j = jurisdictions[item["jurisdiction"]]
        city = j.parent if j.level in (JurisdictionLevel.DISTRICT, JurisdictionLevel.ZONE) else j
        key = city.code if city else j.code
        report.items_by_city[key] = report.items_by_city.get(key, 0) + 1
    return report


def _load_jurisdictions(rows: list[dict[str, Any]], report: LoadReport) -> dict[str, Jurisdiction]:
    table = {j.code: j for j in Jurisdiction.objects.all()}
    for row in _parents_first(rows):
        level = row["level"]
        if level not in JurisdictionLevel.values:
            raise CatalogDataError(f"jurisdiction {row['code']}: 未知层级 {level!r}")
        parent = _ref(table, row["parent"], "上级区域", row["code"]) if row.get("parent") else None
        table[row["code"]] = _upsert(
            Jurisdiction,
            lookup={"code": row["code"]},
            values={
                "name": row["name"],
                "name_en": row.get("name_en", ""),
                "level": level,
                "division_code": str(row.get("division_code") or ""),
                "parent": parent,
                "sort_order": int(row.get("sort_order", 0)),
            },
            counts=report.jurisdictions,
        )
    return table


def _load_life_events(rows: list[dict[str, Any]], report: LoadReport) -> dict[str, LifeEvent]:
    table = {e.code: e for e in LifeEvent.objects.all()}
    for row in rows:
        stage = row.get("stage") or ""
        if stage and stage not in Stage.values:
            raise CatalogDataError(f"life event {row['code']}: 未知阶段 {stage!r}")
        table[row["code"]] = _upsert(
            LifeEvent,
            lookup={"code": row["code"]},
            values={
                "title": row["title"],
                "title_en": row.get("title_en", ""),
                "summary": row.get("summary", ""),
                "stage": stage,
                "sort_order": int(row.get("sort_order", 0)),
            },
            counts=report.life_events,
        )
    return table


def _load_departments(
    rows: list[dict[str, Any]], jurisdictions: dict[str, Jurisdiction], report: LoadReport
) -> dict[str, Department]:
    table = {d.code: d for d in Department.objects.all()}
    for row in _parents_first(rows):
        parent = _ref(table, row["parent"], "上级部门", row["code"]) if row.get("parent") else None
        table[row["code"]] = _upsert(
            Department,
            lookup={"code": row["code"]},
            values={
                "name": row["name"],
                "name_en": row.get("name_en", ""),
                "jurisdiction": _ref(jurisdictions, row["jurisdiction"], "区域", row["code"]),
                "parent": parent,
                "responsibilities": row.get("responsibilities", ""),
                "phone": str(row.get("phone", "")),
                "address": row.get("address", NOT_SPECIFIED),
                "source": row.get("source", ""),
            },
            counts=report.departments,
        )
    return table


def _load_items(
    rows: list[dict[str, Any]],
    jurisdictions: dict[str, Jurisdiction],
    departments: dict[str, Department],
    events: dict[str, LifeEvent],
    report: LoadReport,
) -> None:
    for row in rows:
        code = row["code"]
        unknown = set(row) - _ITEM_KEYS
        if unknown:
            raise CatalogDataError(f"item {code}: 未知字段 {sorted(unknown)}")
        kind = row.get("kind", ServiceKind.PUBLIC)
        stage = row.get("stage") or ""
        if kind not in ServiceKind.values:
            raise CatalogDataError(f"item {code}: 未知服务类型 {kind!r}")
        if stage and stage not in Stage.values:
            raise CatalogDataError(f"item {code}: 未知阶段 {stage!r}")
        department = _ref(departments, row["department"], "部门", code)
        partners = [
            _ref(departments, c, "协办部门", code) for c in row.get("partner_departments", [])
        ]
        values: dict[str, Any] = {
            "title": row["title"],
            "title_en": row.get("title_en", ""),
            "jurisdiction": _ref(jurisdictions, row["jurisdiction"], "区域", code),
            "category": row["category"],
            "kind": kind,
            "stage": stage,
            "sequence": str(row.get("sequence", "")),
            "content": row["content"],
            "legal_limit_days": row.get("legal_limit_days"),
            "promised_limit_days": row.get("promised_limit_days"),
            "in_person": row.get("in_person"),
            "department": department,
            "contact_phone": str(row.get("contact_phone", "")),
            "contact_note": row.get("contact_note", ""),
            "source": row["source"],
            "valid_from": _date(row.get("valid_from")),
            "valid_to": _date(row.get("valid_to")),
        }
        for name in _GUIDE_TEXT_FIELDS:
            values[name] = row.get(name) or NOT_SPECIFIED
        values.update(
            _index_values(
                title=values["title"],
                title_en=values["title_en"],
                content=values["content"],
                category=values["category"],
                department=department.name,
                partner_departments=[p.name for p in partners],
                applicants=values["applicants"],
            )
        )
        item, status = _upsert_status(ServiceItem, lookup={"code": code}, values=values)
        m2m_changed = _sync_m2m(item.partner_departments, partners)
        wanted_events = [_ref(events, c, "人生事件", code) for c in row.get("life_events", [])]
        m2m_changed = _sync_m2m(item.life_events, wanted_events) or m2m_changed
        if m2m_changed and status == "unchanged":
            status = "updated"  # only a relation changed
        report.items.add(status)
        _load_materials(item, row.get("materials", []), report)
        _load_policy_links(item, row.get("policies", []), report)


def _load_materials(item: ServiceItem, rows: list[dict[str, Any]], report: LoadReport) -> None:
    wanted = set()
    for order, row in enumerate(rows, 1):
        wanted.add(row["code"])
        _upsert(
            Material,
            lookup={"service": item, "code": row["code"]},
            values={
                "name": row["name"],
                "requirements": row.get("requirements") or NOT_SPECIFIED,
                "required": bool(row.get("required", True)),
                "sort_order": order,
            },
            counts=report.materials,
        )
    for stale in item.materials.exclude(code__in=wanted):
        stale.delete()
        report.materials.deleted += 1


def _load_policy_links(item: ServiceItem, policy_ids: list[str], report: LoadReport) -> None:
    current = set(item.policy_links.values_list("policy_id", flat=True))
    for policy_id in policy_ids:
        if policy_id in current:
            report.policy_links.unchanged += 1
        else:
            PolicyLink.objects.create(service=item, policy_id=policy_id)
            report.policy_links.created += 1
    for stale in item.policy_links.exclude(policy_id__in=policy_ids):
        stale.delete()
        report.policy_links.deleted += 1


def _load_specialists(
    rows: list[dict[str, Any]], jurisdictions: dict[str, Jurisdiction], report: LoadReport
) -> None:
    for order, row in enumerate(rows, 1):
        jurisdiction = _ref(jurisdictions, row["jurisdiction"], "区域", row["name"])
        values: dict[str, Any] = {
            "phone": str(row["phone"]),
            "source": row.get("source", ""),
            "sort_order": int(row.get("sort_order", order)),
        }
        if row.get("role"):
            values["role"] = row["role"]
        _upsert(
            Specialist,
            lookup={"jurisdiction": jurisdiction, "name": row["name"]},
            values=values,
            counts=report.specialists,
        )
