"""The authorisation matrix, generated from the URL configuration.

Every route of the portal and the API × every role × an account in scope and one out of
scope (see :mod:`tests.authz.world`). Each route says which roles may use it (``allowed``),
whether the object decides (``scoped``: the out-of-scope account of an allowed role is
refused too) and, for lists, which objects only the accounts in scope may see
(``hidden``). A route without an entry fails the test: a new page or endpoint must say who
may use it. The Django admin is checked apart: nobody but staff accounts of the admin site
gets past its login.

Every request runs in a savepoint that is rolled back, so requests never see each other.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.authz.world import ROLES, World, build_world

ANON = "anonymous"
EVERYONE = frozenset({ANON, *ROLES})
SIGNED_IN = frozenset(ROLES)
PEOPLE = frozenset({"applicant", "guardian", "employer"})
STAFF = frozenset({"window", "department", "admin"})
BACK_OFFICE = frozenset({*STAFF, "auditor"})
AUDITOR = frozenset({"auditor"})
ARCHIVE_STAFF = frozenset({"window", "admin"})
JOBS_STAFF = frozenset({"window", "admin"})
DECIDERS = frozenset({"department", "admin"})
SEE_APPLICATION = frozenset({"applicant", "guardian", "window", "department", "admin"})
ACT_ON_APPLICATION = frozenset({"applicant", "window"})
FAMILY = frozenset({"applicant", "guardian"})
DENIED = {401, 403, 404}


@dataclass(frozen=True)
class Spec:
    allowed: frozenset[str]
    scoped: bool = True
    data: dict[str, Any] = field(default_factory=dict)
    hidden: tuple[str, ...] = ()  # world markers only in-scope accounts of ``sees`` may see
    sees: frozenset[str] | None = None
    query: str = ""
    content_type: str = "application/json"


def public(**kw: Any) -> Spec:
    return Spec(EVERYONE, scoped=False, **kw)


def signed_in(**kw: Any) -> Spec:
    return Spec(SIGNED_IN, scoped=False, **kw)


def form(**data: Any) -> dict[str, Any]:
    return {"content_type": "multipart", "data": data}


# (route pattern, method) → who may. Route patterns are the URL configuration's own.
MATRIX: dict[tuple[str, str], Spec] = {
    # --- public portal and catalog -----------------------------------------------------
    ("", "get"): public(),
    ("services/", "get"): public(),
    ("services/<uuid:uuid>/", "get"): public(),
    ("departments/", "get"): public(),
    ("departments/<uuid:uuid>/", "get"): public(),
    ("specialists/", "get"): public(),
    ("healthz", "get"): public(),
    ("i18n/setlang/", "post"): public(**form(language="en")),
    ("api/v1/services", "get"): public(),
    ("api/v1/services/<str:id>", "get"): public(),
    ("api/v1/search", "get"): public(query="q=zfbt"),
    ("api/v1/departments", "get"): public(),
    ("api/v1/departments/<str:id>", "get"): public(),
    ("api/v1/jurisdictions", "get"): public(),
    ("api/v1/specialists", "get"): public(),
    ("api/v1/life-events", "get"): public(),
    ("api/v1/eligibility", "post"): public(),
    ("api/v1/eligibility/districts", "post"): public(),
    ("api/v1/schema", "get"): public(),
    ("api/v1/docs", "get"): public(),
    ("api/v1/redoc", "get"): public(),
    ("api/v1/policies", "get"): public(),
    ("api/v1/policies/<str:policy_id>", "get"): public(),
    ("api/v1/bundles/", "get"): public(),
    ("api/v1/bundles/<str:id>/", "get"): public(),
    ("api/v1/bundles/<str:id>/checklist/", "get"): public(query="stage=after"),
    ("policies/check/", "get"): public(),
    ("policies/check/begin/", "post"): public(**form()),
    ("policies/check/question/", "get"): public(),
    ("policies/check/results/", "get"): public(),
    ("policies/check/save/", "post"): signed_in(**form()),
    ("policies/check/reset/", "post"): public(**form()),
    # --- accounts ----------------------------------------------------------------------
    ("accounts/login/", "get"): public(),
    ("accounts/logout/", "get"): public(),
    ("accounts/signup/", "get"): public(),
    ("accounts/me/", "get"): signed_in(),
    ("accounts/confirm/", "get"): signed_in(),
    ("accounts/otp/", "get"): signed_in(),
    ("accounts/otp/enrol/", "get"): Spec(BACK_OFFICE, scoped=False),
    ("accounts/me/access/", "get"): signed_in(hidden=("grant_guardian",), sees=FAMILY),
    ("accounts/password-reset/", "get"): public(),
    ("accounts/password-reset/done/", "get"): public(),
    ("accounts/reset/<uidb64>/<token>/", "get"): public(),
    ("accounts/reset/done/", "get"): public(),
    ("api/v1/me/access-grants", "get"): signed_in(hidden=("grant_guardian",), sees=FAMILY),
    ("api/v1/me/access-grants", "post"): signed_in(data={"kind": "x", "grantee": "x"}),
    ("api/v1/me/access-grants/<uuid:id>/revoke", "post"): Spec(FAMILY),
    ("api/v1/me/profile", "get"): signed_in(),
    ("api/v1/me/profile", "put"): signed_in(data={"education": {"degree": "phd"}}),
    ("api/v1/me/messages", "get"): signed_in(hidden=("message",), sees=frozenset({"applicant"})),
    ("inbox/", "get"): signed_in(hidden=("message",), sees=frozenset({"applicant"})),
    ("inbox/<uuid:message_uuid>/read/", "post"): Spec(frozenset({"applicant"}), **form()),
    # --- the auditor ---------------------------------------------------------------------
    ("workbench/audit/", "get"): Spec(AUDITOR, scoped=False),
    ("workbench/audit/pii-access/", "get"): Spec(AUDITOR, scoped=False),
    ("workbench/audit/verify/", "post"): Spec(AUDITOR, scoped=False, **form()),
    ("api/v1/audit/events", "get"): Spec(AUDITOR, scoped=False),
    ("api/v1/audit/pii-access", "get"): Spec(AUDITOR, scoped=False),
    # --- the outbox's delivery records (masked; administrators retry) -------------------
    ("workbench/deliveries/", "get"): Spec(frozenset({"admin", "auditor"}), scoped=False),
    ("workbench/deliveries/retry/", "post"): Spec(frozenset({"admin"}), scoped=False, **form()),
    # --- staff workbench, scopes, policies and grants -----------------------------------
    ("workbench/", "get"): Spec(BACK_OFFICE, scoped=False),
    ("workbench/staff/", "get"): Spec(frozenset({"admin"}), scoped=False),
    # the talent database is Qingdao's: its administrators only, not Weihai's
    ("accounts/me/phone/", "get"): signed_in(),
    ("accounts/me/phone/", "post"): signed_in(**form(phone="13800138000", op="send")),
    ("workbench/talent-db/", "get"): Spec(frozenset({"admin"})),
    ("workbench/talent-db/", "post"): Spec(frozenset({"admin"}), **form(source="校友会")),
    ("workbench/talent-db/template.xlsx", "get"): Spec(frozenset({"admin"})),
    ("workbench/talent-db/runs/<uuid:run_id>/", "get"): Spec(frozenset({"admin"})),
    ("policies/staff/", "get"): Spec(STAFF, scoped=False),
    ("policies/staff/publish/", "get"): Spec(
        frozenset({"admin"}), query="policy=qingdao.graduate_housing_subsidy"
    ),
    ("policies/staff/grants/", "get"): Spec(DECIDERS, hidden=("fund_grant",), scoped=False),
    ("policies/staff/grants/<uuid:grant_uuid>/decide/", "post"): Spec(
        DECIDERS, **form(decision="reject")
    ),
    ("policies/staff/push/", "post"): Spec(frozenset({"admin"}), scoped=False, **form()),
    ("policies/staff/runs/", "get"): Spec(frozenset({"admin"}), scoped=False),
    ("policies/staff/runs/<uuid:run_uuid>/", "get"): Spec(frozenset({"admin"})),
    ("policies/staff/preview/", "post"): Spec(frozenset({"admin"}), scoped=False, **form(text="x")),
    ("policies/staff/preview/<uuid:preview_uuid>/", "get"): Spec(frozenset({"admin"})),
    ("api/v1/policies", "post"): Spec(frozenset({"admin"}), scoped=False, data={"text": "x"}),
    ("api/v1/grants", "get"): Spec(DECIDERS, hidden=("fund_grant",), scoped=False),
    ("api/v1/grants/<uuid:grant_id>/decision", "post"): Spec(DECIDERS),
    # --- 一件事 -------------------------------------------------------------------------
    ("cases/", "get"): signed_in(hidden=("application",), sees=frozenset({"applicant"})),
    ("cases/bundles/<uuid:id>/", "get"): signed_in(),
    ("cases/applications/<uuid:id>/", "get"): Spec(SEE_APPLICATION),
    ("cases/materials/<uuid:id>/", "get"): Spec(SEE_APPLICATION),
    ("cases/degree/", "get"): signed_in(),
    ("cases/consents/", "get"): signed_in(),
    ("cases/employer/", "get"): Spec(frozenset({"employer"}), scoped=False),
    ("cases/employer/<uuid:person>/bundles/<uuid:id>/", "get"): Spec(frozenset({"employer"})),
    ("cases/assist/", "get"): Spec(frozenset({"window"}), scoped=False),
    ("cases/assist/<uuid:person>/", "get"): Spec(frozenset({"window"})),
    ("cases/assist/<uuid:person>/bundles/<uuid:id>/", "get"): Spec(frozenset({"window"})),
    ("cases/workbench/", "get"): Spec(STAFF, scoped=False, hidden=("subcase",)),
    ("cases/workbench/subcases/<uuid:id>/", "get"): Spec(
        frozenset({"window", "department", "admin"})
    ),
    ("cases/workbench/supervision/", "get"): Spec(DECIDERS, scoped=False),
    ("api/v1/applications/", "get"): signed_in(hidden=("application",), sees=SEE_APPLICATION),
    ("api/v1/applications/", "post"): signed_in(),
    ("api/v1/applications/<str:id>/", "get"): Spec(SEE_APPLICATION),
    ("api/v1/applications/<str:id>/", "patch"): Spec(ACT_ON_APPLICATION),
    ("api/v1/applications/<str:id>/submit/", "post"): Spec(ACT_ON_APPLICATION),
    ("api/v1/applications/<str:id>/materials/", "post"): Spec(
        ACT_ON_APPLICATION, content_type="multipart"
    ),
    ("api/v1/applications/<str:id>/timeline/", "get"): Spec(SEE_APPLICATION),
    ("api/v1/applications/<str:id>/ratings/", "post"): Spec(ACT_ON_APPLICATION),
    ("api/v1/applications/<str:id>/guardians/", "post"): Spec(
        frozenset({"applicant"}), data={"username": "nobody-at-all"}
    ),
    ("api/v1/subcases/", "get"): Spec(STAFF, scoped=False, hidden=("subcase",)),
    ("api/v1/subcases/<str:id>/", "get"): Spec(SEE_APPLICATION),
    ("api/v1/subcases/<str:id>/actions/", "post"): Spec(frozenset({"department"})),
    ("api/v1/subcases/<str:id>/correction-answer/", "post"): Spec(ACT_ON_APPLICATION),
    ("api/v1/materials/", "get"): signed_in(hidden=("material",), sees=frozenset({"applicant"})),
    ("api/v1/materials/", "post"): signed_in(content_type="multipart"),
    ("api/v1/materials/<str:id>/download/", "get"): Spec(SEE_APPLICATION),
    ("api/v1/degree/", "post"): signed_in(),
    ("api/v1/consents/", "post"): signed_in(data={"username": "nobody-at-all"}),
    ("api/v1/supervision/", "get"): Spec(DECIDERS, scoped=False),
    ("api/v1/rectifications/<str:id>/reply/", "post"): Spec(DECIDERS),
    ("api/v1/return-visits/<str:id>/", "post"): Spec(DECIDERS),
    # --- personnel archives ------------------------------------------------------------
    ("archives/", "get"): public(),
    ("archives/staff/batches/<uuid:batch_id>/handover.xlsx", "post"): Spec(ARCHIVE_STAFF, **form()),
    ("archives/staff/files/<uuid:file_id>/claim-code/", "post"): Spec(ARCHIVE_STAFF, **form()),
    ("api/v1/archives/files/search/", "post"): Spec(
        ARCHIVE_STAFF, scoped=False, hidden=("archive",), data={"q": "李爱丽"}
    ),
    ("archives/staff/", "get"): Spec(ARCHIVE_STAFF, scoped=False),
    ("archives/staff/import/", "get"): Spec(ARCHIVE_STAFF, scoped=False),
    ("archives/staff/template.xlsx", "get"): Spec(ARCHIVE_STAFF, scoped=False),
    ("archives/staff/batches/", "get"): Spec(ARCHIVE_STAFF, scoped=False, hidden=("batch",)),
    ("archives/staff/batches/<uuid:batch_id>/", "get"): Spec(ARCHIVE_STAFF),
    ("archives/staff/overdue/", "get"): Spec(ARCHIVE_STAFF, scoped=False),
    ("archives/staff/files/", "get"): Spec(ARCHIVE_STAFF, scoped=False, hidden=("archive",)),
    ("archives/staff/files/<uuid:file_id>/", "get"): Spec(ARCHIVE_STAFF),
    ("archives/staff/files/<uuid:file_id>/transition/", "post"): Spec(ARCHIVE_STAFF, **form()),
    ("archives/staff/files/<uuid:file_id>/transfer-cancel/", "post"): Spec(ARCHIVE_STAFF, **form()),
    ("archives/staff/files/<uuid:file_id>/guardians/", "post"): Spec(ARCHIVE_STAFF, **form()),
    ("archives/staff/files/<uuid:file_id>/guardians/<uuid:link_id>/revoke/", "post"): Spec(
        ARCHIVE_STAFF, **form()
    ),
    ("archives/my/", "get"): signed_in(hidden=("archive",), sees=FAMILY),
    ("archives/my/<uuid:file_id>/", "get"): Spec(FAMILY),
    ("archives/my/<uuid:file_id>/guardians/", "post"): Spec(frozenset({"applicant"}), **form()),
    ("archives/my/<uuid:file_id>/guardians/<uuid:link_id>/<str:action>/", "post"): Spec(
        frozenset({"applicant"}), **form()
    ),
    ("api/v1/archives/files/", "get"): Spec(ARCHIVE_STAFF, scoped=False, hidden=("archive",)),
    ("api/v1/archives/files/<str:id>/", "get"): Spec(ARCHIVE_STAFF),
    ("api/v1/archives/files/<str:id>/transitions/", "post"): Spec(ARCHIVE_STAFF),
    ("api/v1/archives/files/<str:id>/transfer-cancellation/", "post"): Spec(ARCHIVE_STAFF),
    ("api/v1/archives/files/<str:id>/guardians/", "get"): Spec(ARCHIVE_STAFF),
    ("api/v1/archives/files/<str:id>/guardians/", "post"): Spec(ARCHIVE_STAFF),
    ("api/v1/archives/files/<str:id>/guardians/<str:link_id>/revoke/", "post"): Spec(ARCHIVE_STAFF),
    ("api/v1/archives/imports/", "post"): Spec(
        ARCHIVE_STAFF, scoped=False, content_type="multipart"
    ),
    ("api/v1/archives/batches/", "get"): Spec(ARCHIVE_STAFF, scoped=False, hidden=("batch",)),
    ("api/v1/archives/summary/", "get"): Spec(ARCHIVE_STAFF, scoped=False),
    ("api/v1/archives/overdue/", "get"): Spec(ARCHIVE_STAFF, scoped=False),
    ("api/v1/archives/my-files/", "get"): signed_in(hidden=("archive",), sees=FAMILY),
    ("api/v1/archives/claims/", "post"): signed_in(),
    ("api/v1/archives/my-files/<str:id>/", "get"): Spec(FAMILY),
    ("api/v1/archives/my-files/<str:id>/guardians/", "get"): Spec(frozenset({"applicant"})),
    ("api/v1/archives/my-files/<str:id>/guardians/", "post"): Spec(frozenset({"applicant"})),
    ("api/v1/archives/my-files/<str:id>/guardians/<str:link_id>/consent/", "post"): Spec(
        frozenset({"applicant"})
    ),
    ("api/v1/archives/my-files/<str:id>/guardians/<str:link_id>/revoke/", "post"): Spec(
        frozenset({"applicant"})
    ),
    # --- jobs, fairs, events -----------------------------------------------------------
    ("jobs/", "get"): public(),
    ("jobs/positions/<uuid:id>/", "get"): public(),
    ("jobs/positions/<uuid:id>/apply", "post"): Spec(
        frozenset({"applicant"}), scoped=False, **form()
    ),
    ("jobs/matches/", "get"): signed_in(),
    ("jobs/pool/register", "get"): Spec(frozenset({"applicant"}), scoped=False),
    ("jobs/events/", "get"): public(),
    ("jobs/events/<uuid:id>/", "get"): public(),
    ("jobs/events/<uuid:id>/register", "post"): signed_in(**form()),
    ("jobs/events/<uuid:id>/cancel", "post"): Spec(frozenset({"applicant"}), **form()),
    ("jobs/events/<uuid:id>/feedback", "post"): Spec(frozenset({"applicant"}), **form()),
    ("jobs/fairs/", "get"): public(),
    ("jobs/fairs/<uuid:id>/", "get"): public(),
    ("jobs/fairs/<uuid:id>/signup", "post"): signed_in(**form()),
    ("jobs/employer/", "get"): Spec(frozenset({"employer"}), scoped=False),
    ("jobs/employer/positions/new", "get"): Spec(frozenset({"employer"}), scoped=False),
    ("jobs/employer/positions/<uuid:id>/candidates", "get"): Spec(frozenset({"employer"})),
    ("jobs/employer/positions/<uuid:id>/close", "post"): Spec(frozenset({"employer"}), **form()),
    ("jobs/staff/", "get"): Spec(JOBS_STAFF),
    ("jobs/staff/pool/", "get"): Spec(JOBS_STAFF),
    ("jobs/staff/pool/export.xlsx", "get"): Spec(JOBS_STAFF),
    ("jobs/staff/fairs/", "get"): Spec(JOBS_STAFF),
    ("jobs/staff/fairs/<uuid:id>/", "get"): Spec(JOBS_STAFF),
    ("jobs/staff/fairs/<uuid:id>/publish", "post"): Spec(JOBS_STAFF, **form()),
    ("jobs/staff/fairs/<uuid:id>/check-in/<uuid:candidate>", "post"): Spec(JOBS_STAFF, **form()),
    ("jobs/staff/ambassadors/", "get"): Spec(JOBS_STAFF),
    ("jobs/staff/referrals/<uuid:id>/advance", "post"): Spec(JOBS_STAFF, **form()),
    ("jobs/staff/employers/", "get"): Spec(JOBS_STAFF),
    ("jobs/staff/employers/<uuid:id>/verify", "post"): Spec(JOBS_STAFF, **form()),
    ("jobs/staff/events/", "get"): Spec(JOBS_STAFF),
    ("jobs/staff/events/<uuid:id>/", "get"): Spec(JOBS_STAFF),
    ("jobs/staff/events/<uuid:id>/publish", "post"): Spec(JOBS_STAFF, **form()),
    ("jobs/staff/events/<uuid:id>/attendance/<uuid:registration>", "post"): Spec(
        JOBS_STAFF, **form()
    ),
    ("api/v1/jobs/positions", "get"): public(),
    ("api/v1/jobs/positions", "post"): Spec(frozenset({"employer"}), scoped=False),
    ("api/v1/jobs/positions/<str:id>", "get"): public(),
    ("api/v1/jobs/positions/<str:id>/candidates", "get"): Spec(frozenset({"employer"})),
    ("api/v1/jobs/positions/<str:id>/close", "post"): Spec(frozenset({"employer"})),
    ("api/v1/jobs/positions/<str:id>/applications", "post"): Spec(frozenset({"applicant"})),
    ("api/v1/jobs/matches", "get"): Spec(frozenset({"applicant"})),
    ("api/v1/jobs/employer", "get"): Spec(frozenset({"employer"}), scoped=False),
    ("api/v1/jobs/employer", "put"): Spec(frozenset({"employer"}), scoped=False),
    ("api/v1/jobs/employers/<str:id>/verification", "post"): Spec(JOBS_STAFF),
    ("api/v1/jobs/fairs", "get"): public(),
    ("api/v1/jobs/fairs", "post"): Spec(JOBS_STAFF),
    ("api/v1/jobs/fairs/<str:id>/summary", "get"): public(),
    ("api/v1/jobs/fairs/<str:id>/publish", "post"): Spec(JOBS_STAFF),
    ("api/v1/jobs/fairs/<str:id>/check-ins", "post"): Spec(JOBS_STAFF),
    ("api/v1/jobs/fairs/<str:id>/employers", "post"): Spec(frozenset({"employer"}), scoped=False),
    ("api/v1/jobs/fairs/<str:id>/candidates", "post"): Spec(frozenset({"applicant"}), scoped=False),
    ("api/v1/jobs/ambassadors", "post"): Spec(JOBS_STAFF),
    ("api/v1/jobs/ambassadors/stats", "get"): Spec(JOBS_STAFF),
    ("api/v1/jobs/referrals/<str:id>/advance", "post"): Spec(JOBS_STAFF),
    ("api/v1/talent-pool/registration", "get"): Spec(frozenset({"applicant"})),
    ("api/v1/talent-pool/registration", "post"): signed_in(),
    ("api/v1/events", "get"): public(),
    ("api/v1/events", "post"): Spec(JOBS_STAFF),
    ("api/v1/events/<str:id>/registration", "post"): signed_in(),
    ("api/v1/events/<str:id>/registration", "delete"): Spec(frozenset({"applicant"})),
    ("api/v1/events/<str:id>/publish", "post"): Spec(JOBS_STAFF),
    ("api/v1/events/<str:id>/attendance", "post"): Spec(JOBS_STAFF),
    ("api/v1/events/<str:id>/feedback", "get"): Spec(JOBS_STAFF),
    ("api/v1/events/<str:id>/feedback", "post"): Spec(frozenset({"applicant"})),
}

#: URL parameter name (within a route) → world object whose public id fills it.
PARAMS: dict[str, str] = {
    "uuid": "service",
    "grant_uuid": "fund_grant",
    "run_uuid": "push_run",
    "preview_uuid": "preview",
    "grant_id": "fund_grant",
    "message_uuid": "message",
    "batch_id": "batch",
    "file_id": "archive",
    "link_id": "archive_link",
    "candidate": "fair_candidate",
    "registration": "registration",
    "person": "alice",
    "run_id": "talent_import_run",
}
#: For ``id``, ``uuid`` and ``policy_id`` the object depends on the route.
ROUTE_OBJECTS: list[tuple[str, str]] = [
    (r"^departments/", "department_obj"),
    (r"^api/v1/departments/", "department_obj"),
    (r"^api/v1/services/", "service"),
    (r"^api/v1/policies/", "policy_id"),
    (r"^cases/employer/", "lc_bundle"),
    (r"bundles/", "bundle"),
    (r"applications/", "application"),
    (r"subcases/", "subcase"),
    (r"materials/", "material"),
    (r"rectifications/", "rectification"),
    (r"return-visits/", "return_visit"),
    (r"archives/(files|my-files)/", "archive"),
    (r"positions/", "position"),
    (r"employers/", "org"),
    (r"fairs/", "fair"),
    (r"referrals/", "referral"),
    (r"events/", "event"),
    (r"access-grants/", "grant_guardian"),
]


def _walk(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p


def _routes() -> list[str]:
    return sorted({r for r, _p in _walk(get_resolver().url_patterns) if not r.startswith("admin/")})


def _public_id(obj: Any) -> str:
    if isinstance(obj, str):
        return obj
    return str(getattr(obj, "uuid", obj.pk))


def _url(route: str, world: World) -> str:
    def fill(match: re.Match[str]) -> str:
        name = match.group(2)
        if route.startswith("accounts/reset/"):
            return {"uidb64": "MQ", "token": "set-password"}[name]
        if name == "action":
            return "revoke"
        key = PARAMS.get(name) if name not in ("id", "policy_id") else None
        if key is None or (name == "uuid" and route.startswith(("departments/",))):
            key = next(k for pattern, k in ROUTE_OBJECTS if re.search(pattern, route))
        return _public_id(world.objects[key])

    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", fill, route)


class _Rollback(Exception):  # noqa: N818 - a control-flow signal, not an error
    def __init__(self, response: Any) -> None:
        self.response = response


def _request(client: Client, method: str, url: str, spec: Spec) -> Any:
    kwargs: dict[str, Any] = {}
    if method in ("post", "put", "patch", "delete"):
        if spec.content_type == "multipart":
            kwargs["data"] = dict(spec.data)
        else:
            kwargs["data"] = dict(spec.data)
            kwargs["content_type"] = spec.content_type
    if spec.query:
        url = url + "?" + spec.query
    try:
        with transaction.atomic():
            response = getattr(client, method)(url, **kwargs)
            raise _Rollback(response)
    except _Rollback as done:
        return done.response


def _login_redirect(response: Any) -> bool:
    return response.status_code == 302 and "/accounts/login/" in response.get("Location", "")


def _clients(world: World) -> dict[tuple[str, str], Client]:
    out: dict[tuple[str, str], Client] = {(ANON, "in"): Client(), (ANON, "out"): Client()}
    for key, user in world.users.items():
        client = Client()
        client.force_login(user)
        out[key] = client
    return out


def test_every_route_says_who_may_use_it() -> None:
    methods_of: dict[str, set[str]] = {}
    for route, method in MATRIX:
        methods_of.setdefault(route, set()).add(method)
    missing = [r for r in _routes() if r not in methods_of]
    unknown = sorted(set(methods_of) - set(_routes()))
    assert not missing, f"routes without an authorisation entry: {missing}"
    assert not unknown, f"entries for routes that do not exist: {unknown}"


def _check(
    route: str, method: str, world: World, clients: dict[tuple[str, str], Client]
) -> list[str]:
    spec = MATRIX[(route, method)]
    url = _url(route, world)
    sees = spec.sees if spec.sees is not None else spec.allowed
    problems: list[str] = []
    for role in (ANON, *ROLES):
        for where in ("in", "out"):
            response = _request(clients[(role, where)], method, url, spec)
            code = response.status_code
            who = f"{role}/{where}"
            if code >= 500:
                problems.append(f"{who}: {code}")
                continue
            may = role in spec.allowed and (where == "in" or not spec.scoped)
            refused = code in DENIED or _login_redirect(response)
            if may and refused:
                problems.append(f"{who}: refused with {code}, should be let in")
            elif not may and not refused:
                problems.append(f"{who}: let in with {code}, should be refused")
            if spec.hidden and not refused and not (role in sees and where == "in"):
                body = response.content.decode("utf-8", "replace")
                shown = [k for k in spec.hidden if world.markers[k] and world.markers[k] in body]
                if shown:
                    problems.append(f"{who}: sees {shown}")
    return [f"{method.upper()} {url}: {p}" for p in problems]


CHUNKS = 4


@pytest.mark.django_db
@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_every_route_by_role_and_scope(chunk: int) -> None:
    # given the small city, and a signed-in client for every account
    world = build_world()
    clients = _clients(world)
    routes = sorted(MATRIX)[chunk::CHUNKS]
    # when every route is asked by every account
    problems = [p for route, method in routes for p in _check(route, method, world, clients)]
    # then only the accounts the entry names get in, and lists show nobody else's
    assert not problems, "\n".join(problems)


def _admin_urls() -> list[str]:
    """Every route of the admin site, its object ids filled with 1 and its app with people
    (but its own sign-in and sign-out, which anyone may open)."""
    urls = []
    for route, _pattern in _walk(get_resolver().url_patterns):
        if not route.startswith("admin/"):
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", "1", route)
        path = re.sub(r"\^?\(\?P<app_label>[^)]*\)", "people", path)
        path = path.replace("^", "").replace("$", "")
        if "(" not in path and path not in ("admin/login/", "admin/logout/"):
            urls.append("/" + path)
    return sorted(set(urls))


@pytest.mark.django_db
def test_the_admin_lets_no_role_account_in() -> None:
    # given the small city, whose role accounts are none of them admin-site staff
    world = build_world()
    clients = _clients(world)
    urls = _admin_urls()
    assert len(urls) > 200
    # when every account opens every admin page
    let_in = [
        f"{key}: {url} → {response.status_code}"
        for url in urls
        for key, client in clients.items()
        if not _admin_login_redirect(response := _request(client, "get", url, public()))
    ]
    # then each is sent to the admin's sign-in
    assert not let_in, "\n".join(let_in[:50])


def _admin_login_redirect(response: Any) -> bool:
    location = response.get("Location", "")
    return response.status_code == 302 and ("/admin/login/" in location or "/accounts/" in location)
