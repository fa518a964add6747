"""Reads of the catalog, including the search (Chinese words, full pinyin, initials).

Search keeps a per-process in-memory index of the search columns, rebuilt when the
catalog version stamp (one database row, bumped by every catalog write) changes.
A query is matched against one concatenated string per column with ``str.find``
(C speed), so only the matching items are scored in Python; the ranked primary keys
are then fetched in one query.
"""

from __future__ import annotations

import bisect
import datetime as dt
import logging
import re
import threading
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import jieba
from django.db.models import Count, Q
from django.utils import timezone
from pypinyin import lazy_pinyin

from talentport.catalog.models import (
    CatalogVersion,
    Department,
    Jurisdiction,
    JurisdictionLevel,
    LifeEvent,
    Material,
    ServiceItem,
    Specialist,
)
from talentport.catalog.services import text_normalize

jieba.setLogLevel(logging.WARNING)

MAX_QUERY_CHARS = 100
MEMO_LIMIT = 20_000  # item rows kept per process for the current catalog version
_SEP = "\x00"
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_WORD = re.compile(r"[0-9a-z\u3400-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"^[a-z0-9]+$")
_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_NON_WORD = re.compile(r"[^0-9a-z\u3400-\u9fff\uf900-\ufaff]+")
# Function words that should not be required to match ("怎么申请住房补贴").
_STOPWORDS = frozenset(
    "的 了 和 与 及 或 在 是 我 你 要 有 吗 呢 啊 怎么 怎样 如何 什么 哪些 哪里 请问 办理 申请 可以 能否".split()
)

# Ranking tiers (title before body, as the contract asks).
EXACT_TITLE = 1000
TITLE_CONTAINS = 900
TITLE_ALL_TOKENS = 800
PINYIN_TITLE = 700
PINYIN_TITLE_TOKENS = 650
INITIALS_TITLE = 600
BODY_CONTAINS = 400
BODY_ALL_TOKENS = 300
PINYIN_BODY = 250
STRONG = 250  # below this a match is partial (some tokens only)


# --------------------------------------------------------------------------- query parsing


@dataclass(frozen=True)
class ParsedQuery:
    text: str  # normalized, spaces removed
    tokens: tuple[str, ...]  # jieba search tokens (han words and latin runs), stopwords dropped
    pinyin: str  # full pinyin of the query (latin kept), only [a-z0-9]
    latin_tokens: tuple[str, ...]  # for "zhufang butie"
    initials: str  # the query itself when it is pure latin letters

    @property
    def empty(self) -> bool:
        return not self.text


def query_parse(*, q: str) -> ParsedQuery:
    norm = text_normalize(q or "")[:MAX_QUERY_CHARS]
    words = [w for w in _NON_WORD.split(norm) if w]
    text = "".join(words)
    if not text:
        return ParsedQuery("", (), "", (), "")
    tokens: list[str] = []
    for word in words:
        for tok in jieba.lcut_for_search(word) if _HAN.search(word) else [word]:
            tok = _NON_WORD.sub("", tok)
            if tok and tok not in tokens:
                tokens.append(tok)
    meaningful = [t for t in tokens if t not in _STOPWORDS]
    if meaningful:
        tokens = meaningful
    pinyin = _NON_ALNUM.sub("", "".join(lazy_pinyin(text)))
    latin_tokens = tuple(w for w in words if _LATIN.match(w))
    initials = text if text.isalpha() and text.isascii() else ""
    return ParsedQuery(text, tuple(tokens), pinyin, latin_tokens, initials)


# --------------------------------------------------------------------------- index


class _Column:
    """All values of one search column joined into one string, for fast ``find``."""

    __slots__ = ("blob", "char_rows", "starts", "values")

    # Above this many candidate rows a scan of the rows beats hopping between occurrences.
    SCAN_ROWS_ABOVE = 64

    def __init__(self, values: list[str]) -> None:
        self.starts: list[int] = []
        self.values = values
        pos = 0
        for v in values:
            self.starts.append(pos)
            pos += len(v) + 1
        self.blob = _SEP.join(values)
        # in how many rows each character appears: a cheap upper bound of a needle's rows
        self.char_rows: Counter[str] = Counter()
        for v in values:
            self.char_rows.update(set(v))

    def hits(self, needle: str) -> set[int]:
        """Positions of the rows that contain ``needle``."""
        out: set[int] = set()
        if not needle:
            return out
        bound = min(self.char_rows.get(c, 0) for c in needle)
        if bound == 0:
            return out
        if bound > self.SCAN_ROWS_ABOVE:
            return {row for row, value in enumerate(self.values) if needle in value}
        starts, find = self.starts, self.blob.find
        pos = find(needle)
        last = len(starts) - 1
        while pos >= 0:
            row = bisect.bisect_right(starts, pos) - 1
            out.add(row)
            if row >= last:
                break
            pos = find(needle, starts[row + 1])
        return out


@dataclass
class _Index:
    version: str | None
    pks: list[int]
    titles: list[str]
    title_len: list[int]
    valid_from: list[dt.date | None]
    valid_to: list[dt.date | None]
    title: _Column
    body: _Column
    pinyin_title: _Column
    initials_title: _Column
    pinyin_body: _Column
    by: dict[str, dict[str, set[int]]] = field(default_factory=dict)
    dated: bool = False
    # rows already fetched for this version (read-only: callers must not modify them)
    objects: dict[int, ServiceItem] = field(default_factory=dict)


_lock = threading.Lock()
_index: _Index | None = None


def _catalog_version() -> str | None:
    return CatalogVersion.objects.filter(pk=1).values_list("stamp", flat=True).first()


def _index_build(version: str | None) -> _Index:
    jieba.initialize()  # load the dictionary now rather than in the first query
    jurisdictions = {
        j["pk"]: j for j in Jurisdiction.objects.values("pk", "code", "level", "parent__code")
    }
    rows = list(
        ServiceItem.objects.order_by("jurisdiction__sort_order", "id").values_list(
            "pk",
            "jurisdiction_id",
            "stage",
            "category",
            "kind",
            "valid_from",
            "valid_to",
            "search_title",
            "search_body",
            "pinyin_title",
            "initials_title",
            "pinyin_body",
        )
    )
    position = {row[0]: i for i, row in enumerate(rows)}
    by: dict[str, dict[str, set[int]]] = {
        k: {} for k in ("city", "district", "stage", "category", "kind", "life_event")
    }
    for i, row in enumerate(rows):
        j = jurisdictions[row[1]]
        district = j["level"] in (JurisdictionLevel.DISTRICT, JurisdictionLevel.ZONE)
        city = j["parent__code"] if district else j["code"]
        by["city"].setdefault(city, set()).add(i)
        by["district"].setdefault(j["code"], set()).add(i)
        by["stage"].setdefault(row[2] or "", set()).add(i)
        by["category"].setdefault(row[3], set()).add(i)
        by["kind"].setdefault(row[4], set()).add(i)
    links = ServiceItem.life_events.through.objects.values_list("serviceitem_id", "lifeevent__code")
    for pk, code in links:
        if pk in position:
            by["life_event"].setdefault(code, set()).add(position[pk])
    titles = [r[7] for r in rows]
    return _Index(
        version=version,
        pks=[r[0] for r in rows],
        titles=[t.replace(" ", "") for t in titles],
        title_len=[max(len(t), 1) for t in titles],
        valid_from=[r[5] for r in rows],
        valid_to=[r[6] for r in rows],
        title=_Column(titles),
        body=_Column([r[8] for r in rows]),
        pinyin_title=_Column([r[9] for r in rows]),
        initials_title=_Column([r[10] for r in rows]),
        pinyin_body=_Column([r[11] for r in rows]),
        by=by,
        dated=any(r[5] or r[6] for r in rows),
    )


def search_index_get() -> _Index:
    """The current process's index, rebuilt if the catalog version changed."""
    global _index
    version = _catalog_version()
    current = _index
    if current is not None and current.version == version and version is not None:
        return current
    with _lock:
        if _index is None or _index.version != version or version is None:
            _index = _index_build(version)
        return _index


def search_index_reset() -> None:
    """Drop the in-process index (tests, benchmarks)."""
    global _index
    with _lock:
        _index = None


# --------------------------------------------------------------------------- search


def _allowed(
    index: _Index,
    *,
    city: str | None,
    district: str | None,
    stage: str | None,
    category: str | None,
    kind: str | None,
    life_event: str | None,
    on: dt.date,
) -> set[int] | None:
    allowed: set[int] | None = None
    for key, value in (
        ("city", city),
        ("district", district),
        ("stage", stage),
        ("category", category),
        ("kind", kind),
        ("life_event", life_event),
    ):
        if value:
            rows = index.by[key].get(value, set())
            allowed = set(rows) if allowed is None else allowed & rows
    if index.dated:
        valid: set[int] = set()
        for i in range(len(index.pks)) if allowed is None else allowed:
            start, end = index.valid_from[i], index.valid_to[i]
            if (start is None or start <= on) and (end is None or on <= end):
                valid.add(i)
        allowed = valid
    return allowed


def _score(index: _Index, query: ParsedQuery) -> dict[int, float]:
    """Score of every matching row (higher is better)."""
    scores: dict[int, float] = {}

    def lift(rows: Iterable[int], value: float) -> None:
        # Tiers are applied from the highest down, so a row keeps the first (best)
        # score it gets: only rows without a score yet are set, in one C-level update.
        scores.update(dict.fromkeys(set(rows).difference(scores), value))

    # title
    title_hits = index.title.hits(query.text)
    text_len, titles, title_len = len(query.text), index.titles, index.title_len
    scores.update(
        {
            # shorter titles that contain the query rank higher
            r: EXACT_TITLE
            if titles[r] == query.text
            else TITLE_CONTAINS + 50.0 * text_len / title_len[r]
            for r in title_hits
        }
    )
    token_title = {t: index.title.hits(t) for t in query.tokens}
    if query.tokens:
        all_title = set.intersection(*token_title.values())
        lift(all_title, TITLE_ALL_TOKENS)
    # pinyin and initials of the title
    if len(query.pinyin) >= 2:
        lift(index.pinyin_title.hits(query.pinyin), PINYIN_TITLE)
    if len(query.latin_tokens) > 1:
        lift(
            set.intersection(*(index.pinyin_title.hits(t) for t in query.latin_tokens)),
            PINYIN_TITLE_TOKENS,
        )
    if len(query.initials) >= 2:
        lift(index.initials_title.hits(query.initials), INITIALS_TITLE)
    # body
    lift(index.body.hits(query.text), BODY_CONTAINS)
    token_body = {t: index.body.hits(t) for t in query.tokens}
    if query.tokens:
        lift(set.intersection(*token_body.values()), BODY_ALL_TOKENS)
    if len(query.pinyin) >= 4:
        lift(index.pinyin_body.hits(query.pinyin), PINYIN_BODY)
    strong = bool(scores)
    # partial matches: some tokens in the title (worth more) or the body
    n = max(len(query.tokens), 1)
    partial: dict[int, float] = {}
    for t in query.tokens:
        for r in token_title[t]:
            partial[r] = partial.get(r, 0.0) + 100.0 / n
        for r in token_body[t]:
            partial[r] = partial.get(r, 0.0) + 50.0 / n
    for r, value in partial.items():
        if r in scores:
            scores[r] += min(value, 150.0) / 10.0  # tie-break among strong matches
        elif not strong:
            scores[r] = min(value, 150.0)
    return scores


def service_item_search_pks(
    *,
    q: str = "",
    city: str | None = None,
    district: str | None = None,
    stage: str | None = None,
    category: str | None = None,
    kind: str | None = None,
    life_event: str | None = None,
    on: dt.date | None = None,
) -> list[int]:
    """Primary keys of the matching items, best match first (catalog order without ``q``)."""
    index = search_index_get()
    allowed = _allowed(
        index,
        city=city,
        district=district,
        stage=stage,
        category=category,
        kind=kind,
        life_event=life_event,
        on=on or timezone.localdate(),
    )
    query = query_parse(q=q)
    if query.empty:
        if (q or "").strip():
            return []  # only punctuation, emoji...: nothing to look for
        rows = range(len(index.pks)) if allowed is None else sorted(allowed)
        return [index.pks[r] for r in rows]
    scores = _score(index, query)
    if allowed is not None:
        scores = {r: s for r, s in scores.items() if r in allowed}
    # best first, ties in catalog order: two C-level sorts (the second one is stable)
    ranked = sorted(sorted(scores), key=scores.__getitem__, reverse=True)
    return [index.pks[r] for r in ranked]


def _items_by_pk(pks: list[int], index: _Index | None = None) -> list[ServiceItem]:
    """The items in the order of ``pks``; rows fetched before for the same catalog version
    are taken from the index's memo, the others in one query."""
    if not pks:
        return []
    memo = index.objects if index is not None else {}
    missing = [pk for pk in pks if pk not in memo]
    if missing:
        found = (
            ServiceItem.objects.select_related("jurisdiction", "jurisdiction__parent", "department")
            .defer("search_body", "pinyin_body")
            .in_bulk(missing)
        )
        if index is not None and len(memo) + len(found) <= MEMO_LIMIT:
            memo.update(found)
        else:
            return [memo.get(pk) or found[pk] for pk in pks if pk in memo or pk in found]
        return [memo[pk] for pk in pks if pk in memo]
    return [memo[pk] for pk in pks]


def service_item_search(
    *,
    q: str = "",
    city: str | None = None,
    district: str | None = None,
    stage: str | None = None,
    category: str | None = None,
    kind: str | None = None,
    life_event: str | None = None,
    on: dt.date | None = None,
    limit: int | None = None,
) -> list[ServiceItem]:
    """Service items matching ``q`` and the filters, best match first.

    ``q`` understands Chinese words (jieba), full pinyin ("zhufang butie") and pinyin
    initials ("zfbt"); only its first 100 characters are used.  ``city`` keeps the
    items of the city and of its districts, ``district`` those of one district.
    Items outside their validity period on ``on`` (default today) are left out.
    """
    pks = service_item_search_pks(
        q=q,
        city=city,
        district=district,
        stage=stage,
        category=category,
        kind=kind,
        life_event=life_event,
        on=on,
    )
    return _items_by_pk(pks if limit is None else pks[: max(limit, 0)], _index)


@dataclass
class SearchPage:
    count: int
    items: list[ServiceItem]


def service_item_search_page(*, offset: int = 0, limit: int = 20, **filters: Any) -> SearchPage:
    """One page of ``service_item_search`` (fetches only that page's rows)."""
    pks = service_item_search_pks(**filters)
    offset = max(offset, 0)
    items = _items_by_pk(pks[offset : offset + max(limit, 0)], _index)
    return SearchPage(count=len(pks), items=items)


# --------------------------------------------------------------------------- other reads


def service_item_get(*, uuid: UUID | str) -> ServiceItem:
    """One item with its guide, materials and policy links (raises DoesNotExist)."""
    item: ServiceItem = (
        ServiceItem.objects.select_related("jurisdiction", "jurisdiction__parent", "department")
        .prefetch_related("materials", "policy_links", "life_events", "partner_departments")
        .get(uuid=uuid)
    )
    return item


def service_item_get_by_code(*, code: str) -> ServiceItem:
    uuid: UUID = ServiceItem.objects.values_list("uuid", flat=True).get(code=code)
    return service_item_get(uuid=uuid)


def service_item_list_for_department(
    *, department: Department, include_partner: bool = True
) -> list[ServiceItem]:
    """Items the department carries out (and, by default, those it helps with)."""
    cond = Q(department=department)
    if include_partner:
        cond |= Q(partner_departments=department)
    return list(
        ServiceItem.objects.filter(cond)
        .distinct()
        .select_related("jurisdiction", "jurisdiction__parent", "department")
        .order_by("jurisdiction__sort_order", "id")
    )


def _city_q(prefix: str, city: str) -> Q:
    return Q(**{f"{prefix}code": city}) | Q(**{f"{prefix}parent__code": city})


def department_list(*, city: str | None = None) -> list[Department]:
    qs = Department.objects.select_related("jurisdiction", "parent").annotate(
        service_count=Count("services", distinct=True)
    )
    if city:
        qs = qs.filter(_city_q("jurisdiction__", city))
    return list(qs.order_by("jurisdiction__sort_order", "id"))


def department_get(*, uuid: UUID | str) -> Department:
    return Department.objects.select_related("jurisdiction", "parent").get(uuid=uuid)


def jurisdiction_list() -> list[Jurisdiction]:
    return list(Jurisdiction.objects.select_related("parent").order_by("sort_order", "code"))


def jurisdiction_get_by_code(code: str) -> Jurisdiction | None:
    return Jurisdiction.objects.select_related("parent").filter(code=code).first()


def specialist_list(*, city: str | None = None, district: str | None = None) -> list[Specialist]:
    qs = Specialist.objects.select_related("jurisdiction", "jurisdiction__parent")
    if city:
        qs = qs.filter(_city_q("jurisdiction__", city))
    if district:
        qs = qs.filter(jurisdiction__code=district)
    return list(qs.order_by("jurisdiction__sort_order", "sort_order", "id"))


def category_list(city: str | None = None) -> list[str]:
    """Distinct categories in catalog order."""
    qs = ServiceItem.objects.all()
    if city:
        qs = qs.filter(_city_q("jurisdiction__", city))
    seen: dict[str, None] = {}
    for category in qs.order_by("jurisdiction__sort_order", "id").values_list(
        "category", flat=True
    ):
        seen.setdefault(category, None)
    return list(seen)


def life_event_list() -> list[LifeEvent]:
    return list(
        LifeEvent.objects.annotate(service_count=Count("services")).order_by("sort_order", "code")
    )


def catalog_counts() -> dict[str, Any]:
    """Headline figures: totals and items per city."""
    per_city: dict[str, int] = {}
    rows = ServiceItem.objects.values(
        "jurisdiction__code", "jurisdiction__level", "jurisdiction__parent__code"
    ).annotate(n=Count("id"))
    for row in rows:
        district = row["jurisdiction__level"] in (
            JurisdictionLevel.DISTRICT,
            JurisdictionLevel.ZONE,
        )
        city = row["jurisdiction__parent__code"] if district else row["jurisdiction__code"]
        per_city[city] = per_city.get(city, 0) + row["n"]
    return {
        "jurisdictions": Jurisdiction.objects.count(),
        "departments": Department.objects.count(),
        "life_events": LifeEvent.objects.count(),
        "services": ServiceItem.objects.count(),
        "materials": Material.objects.count(),
        "specialists": Specialist.objects.count(),
        "services_by_city": per_city,
    }
