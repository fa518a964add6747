"""A broad net (issue 8, item 10): every page form and every API write of cases, archives,
policies and jobs, posted with a few hostile values (empty, 10k characters, NUL, huge
integers, 1e309, a list where text is expected), never answers 5xx.

Pages come from the URL configuration, their fields from every form class plus the raw
fields the views read; API writes come from the committed schema, their bodies from its
request schemas.  Bounded: one request per (route, value) and per (route, op, value)."""

from __future__ import annotations

import inspect
import re
import uuid
from pathlib import Path
from typing import Any

import pytest
import yaml
from django import forms
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

import talentport.archives.forms
import talentport.jobs.forms
import talentport.people.forms
import talentport.portal.forms
from talentport.archives.models import ArchiveBatch, ArchiveFile
from talentport.cases import services as cases
from talentport.jobs import services as jobs
from talentport.people.models import Role, User
from tests.archives.conftest import make_id, write_xlsx
from tests.cases.conftest import AFTER_ITEMS, FORM
from tests.jobs.conftest import post_position

pytestmark = pytest.mark.django_db

SCHEMA = Path(__file__).resolve().parents[2] / "docs" / "openapi.yaml"
APPS = ("cases", "archives", "policies", "jobs")
HOSTILE_TEXT: list[Any] = ["", "x" * 10_000, "a\x00b", "9" * 400, ["a", "b"]]
HOSTILE_JSON: list[Any] = ["", "x" * 10_000, 10**30, ["a", "b"], {"k": "v"}]
#: The routes that dispatch on an ``op`` (or ``action``) field, and the values they know.
OPS = {
    "cases:application": ["save", "upload", "submit", "answer", "rate", "guardian", "nope"],
    "cases:start": ["refresh", "save"],
    "cases:consents": ["grant", "revoke", "nope"],
    "cases:supervision": ["reply", "visit", "nope"],
    "cases:subcase": ["accept", "request_correction", "approve", "reject", "complete"],
    "archives:my_files": ["send", "claim"],
}
#: API writes a person (not staff) makes; the others are posted as an administrator.
SELF_SERVICE = re.compile(
    r"applications|claims|my-files|me/|eligibility|talent-pool|registration|feedback|"
    r"consents|degree|materials|ratings|guardians/$"
)
RAW_FIELDS = [
    "op", "action", "stage", "items", "code", "subcase", "level", "answer", "comment",
    "username", "id", "version", "reason", "entries", "result_number", "result_note",
    "reply", "reached", "note", "satisfaction", "path", "skip", "resume", "text",
    "decision", "status", "attended", "idempotency_key", "school", "degree",
    "graduation_date", "cscse_number", "form_name", "form_phone", "form_graduation_date",
    "employee", "q", "page",
]  # fmt: skip


def _form_fields() -> list[str]:
    names: set[str] = set(RAW_FIELDS)
    for module in (
        talentport.archives.forms,
        talentport.jobs.forms,
        talentport.people.forms,
        talentport.portal.forms,
    ):
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                names.update(getattr(cls, "base_fields", {}))
    return sorted(names)


def _routes(patterns: list[Any], namespace: str = "") -> list[tuple[str, URLPattern]]:
    out: list[tuple[str, URLPattern]] = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            out.extend(_routes(pattern.url_patterns, pattern.namespace or namespace))
        elif isinstance(pattern, URLPattern) and pattern.name:
            out.append((namespace, pattern))
    return out


@pytest.fixture
def world(seeded_catalog: Any, tmp_path: Path, settings: Any) -> dict[str, Any]:
    """One object of each kind the routes address, and the people who act on them."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SMS_BACKEND = "talentport.notify.sms.LocmemSmsBackend"
    cases.bundle_load()
    person = User.objects.create_user(
        username="person", password="pw-1-Aa-xyz", role=Role.APPLICANT
    )
    admin = User.objects.create_user(
        username="admin",
        password="pw-1-Aa-xyz",
        role=Role.ADMINISTRATOR,
        is_superuser=True,
        is_staff=True,
    )
    employer = User.objects.create_user(username="hr", password="pw-1-Aa-xyz", role=Role.EMPLOYER)
    from talentport.cases.models import Bundle

    bundle = Bundle.objects.get(code="weihai-study-abroad")
    application, _ = cases.application_create(
        bundle=bundle,
        stage="after",
        applicant=person,
        actor=person,
        selected_items=AFTER_ITEMS,
        form_data=FORM,
    )
    from talentport.archives.services import archive_batch_import

    archive_batch_import(
        source=write_xlsx(tmp_path / "a.xlsx", [["小明", make_id(serial=5)]]),
        school="青岛二中",
        actor=admin,
    )
    org = jobs.employer_org_save(
        user=employer, name="青岛测试有限公司", org_type="private", district="laoshan"
    )
    org = jobs.employer_org_verify(org=org, actor=admin, decision="verified")
    position = post_position(org, employer)
    file = ArchiveFile.objects.get()
    return {
        "person": person,
        "admin": admin,
        "ids": {
            "bundle": bundle.uuid,
            "application": application.uuid,
            "person": person.uuid,
            "file": file.uuid,
            "batch": ArchiveBatch.objects.get().uuid,
            "position": position.uuid,
        },
    }


def _kwargs(pattern: URLPattern, ids: dict[str, Any]) -> dict[str, Any] | None:
    names = list(pattern.pattern.converters)
    route = str(pattern.pattern)
    kwargs: dict[str, Any] = {}
    for name in names:
        if name == "person":
            kwargs[name] = ids["person"]
        elif name == "file_id":
            kwargs[name] = ids["file"]
        elif name == "batch_id":
            kwargs[name] = ids["batch"]
        elif name == "id" and route.startswith("bundles"):
            kwargs[name] = ids["bundle"]
        elif name == "id" and "bundles" in route:
            kwargs[name] = ids["bundle"]
        elif name == "id" and route.startswith("applications"):
            kwargs[name] = ids["application"]
        elif name == "id" and route.startswith("positions"):
            kwargs[name] = ids["position"]
        elif name == "action":
            kwargs[name] = "revoke"
        elif pattern.pattern.converters[name].regex == "[^/]+":
            kwargs[name] = "x"
        else:
            kwargs[name] = uuid.uuid4()
    return kwargs


def _five_hundreds(client: Client, method: str, url: str, **kw: Any) -> list[str]:
    response = getattr(client, method)(url, **kw)
    return [f"{response.status_code} {method.upper()} {url}"] if response.status_code >= 500 else []


def test_no_page_form_answers_5xx(world: dict[str, Any]) -> None:
    # given: every named route of the four apps, every form field name
    fields = _form_fields()
    routes = [(ns, p) for ns, p in _routes(get_resolver().url_patterns) if ns in APPS]
    assert len(routes) > 40
    people = {}
    for who in ("person", "admin"):
        client = Client(raise_request_exception=False)
        client.force_login(world[who])
        people[who] = client
    failures: list[str] = []

    # when: each route by the person it is for (staff routes by an administrator)
    for ns, pattern in routes:
        name = f"{ns}:{pattern.name}"
        url = reverse(name, kwargs=_kwargs(pattern, world["ids"]))
        staff_route = "staff" in str(pattern.pattern) or pattern.name in (
            "queue",
            "subcase",
            "supervision",
            "assist",
            "assist-person",
            "assist-start",
        )
        client = people["admin" if staff_route else "person"]
        failures += _five_hundreds(client, "get", url, data={"q": "x" * 5000, "page": "9" * 400})
        for value in HOSTILE_TEXT:
            failures += _five_hundreds(client, "post", url, data=dict.fromkeys(fields, value))
        for op in OPS.get(name, []):
            for value in ("", "x" * 10_000):
                data = {**dict.fromkeys(fields, value), "op": op, "action": op}
                failures += _five_hundreds(client, "post", url, data=data)

    # then
    assert failures == []


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def _api_url(path: str, ids: dict[str, Any]) -> str:
    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        before = path[: match.start()]
        if "applications/" in before[-14:]:
            return str(ids["application"])
        if "archives/files/" in before or "archives/my-files/" in before:
            return str(ids["file"]) if name == "id" else str(uuid.uuid4())
        if "positions/" in before[-11:]:
            return str(ids["position"])
        if "bundles/" in before[-9:]:
            return str(ids["bundle"])
        return str(uuid.uuid4())

    return re.sub(r"\{(\w+)\}", fill, path)


def test_no_api_write_answers_5xx(world: dict[str, Any]) -> None:
    # given: every write of the committed schema in the four apps' tags
    schema = yaml.safe_load(SCHEMA.read_text(encoding="utf-8"))
    operations = []
    for path, item in schema["paths"].items():
        for method, op in item.items():
            if method not in ("post", "put", "patch", "delete"):
                continue
            body = (op.get("requestBody") or {}).get("content", {})
            media = next(iter(body), "application/json")
            props = _resolve(schema, (body.get(media) or {}).get("schema") or {}).get(
                "properties", {}
            )
            operations.append((path, method, media, sorted(props) or ["x"]))
    assert len(operations) > 30
    failures: list[str] = []

    people = {}
    for who in ("person", "admin"):
        client = Client(raise_request_exception=False)
        client.force_login(world[who])
        people[who] = client

    # when: each write by the person it is for
    for path, method, media, props in operations:
        client = people["person" if SELF_SERVICE.search(path) else "admin"]
        url = _api_url(path, world["ids"])
        for value in HOSTILE_JSON:
            body = dict.fromkeys(props, value)
            if media == "application/json":
                failures += _five_hundreds(
                    client, method, url, data=body, content_type="application/json"
                )
            else:
                text = {k: (v if isinstance(v, str) else repr(v)) for k, v in body.items()}
                failures += _five_hundreds(client, method, url, data=text)

    # then
    assert failures == []
