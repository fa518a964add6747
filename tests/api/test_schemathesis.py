"""Schemathesis against the committed OpenAPI schema (docs/openapi.yaml), in ``make test``.

Every operation of the schema is called with generated input, valid and invalid (the
schema's examples, then ``MAX_EXAMPLES`` generated cases), each case by four callers: an
anonymous client, a signed-in applicant, a Qingdao administrator and a Qingdao window
specialist (staff with a jurisdiction scope).  The operations only one other role may use
are called by that role too (auditor, department specialist, employer, guardian), or they
would only ever answer 403.  Path parameters, and the fields of bodies that name other
objects, are generated or, for half of the cases, the public ids of real objects of a
small city (:mod:`tests.authz.world`), so that requests reach objects and not only the
404 of an unknown id.  Signed-in callers send their
session cookie and the CSRF token, as the portal's pages do.

Each answer must be no 5xx and what the schema says: a documented status code, the
documented content type (downloads included) and a body matching the documented schema.
An operation that the schema says needs a session must refuse the anonymous caller
(``ignored_auth``); a public one is marked so (``security: [{}]``).

No operation is left out: file uploads (multipart) are called with generated parts too.
The coverage phase (every boundary value of every parameter) and the stateful phase are
off to keep the run bounded; the run is repeatable: a fixed seed, derandomised
generation, no example database, no deadline.  The city is built once per module and
xdist worker inside a transaction rolled back at the end; every test runs in a savepoint
of it.  Throttles are out of the way (tests/conftest.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import hypothesis
import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from django.test import Client
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    response_schema_conformance,
    status_code_conformance,
)

from tests.authz.world import World, build_world

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "docs" / "openapi.yaml"
MAX_EXAMPLES = 20
CONFIG = SchemathesisConfig.from_str(
    f"""
seed = 20261203
[generation]
mode = "all"
max-examples = {MAX_EXAMPLES}
deterministic = true
[phases.examples]
enabled = true
[phases.fuzzing]
enabled = true
[phases.coverage]
enabled = false
[phases.stateful]
enabled = false
"""
)
schema = schemathesis.openapi.from_path(SCHEMA_PATH, config=CONFIG)
schema.app = get_wsgi_application()
#: Signed-in callers send a session of their own: whether an operation needs one at all is
#: the anonymous caller's check (``ignored_auth``).
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
ANONYMOUS_CHECKS = [*CHECKS, ignored_auth]
CSRF_TOKEN = "schemathesis0csrf0token0of0test0"  # a valid secret: 32 characters of [a-zA-Z0-9]

#: Who calls every operation: anonymous, and the world's accounts (role, in scope).
CALLERS: dict[str, tuple[str, str] | None] = {
    "anonymous": None,
    "applicant": ("applicant", "in"),
    "administrator": ("admin", "in"),
    "window": ("window", "in"),
}
#: Who else calls the operations that only they can use (else these would see only 403s).
EXTRA_CALLERS: list[tuple[str, str, tuple[str, str]]] = [
    ("/api/v1/audit/", "auditor", ("auditor", "in")),
    ("/api/v1/subcases/", "department", ("department", "in")),
    ("/api/v1/supervision/", "department", ("department", "in")),
    ("/api/v1/jobs/employer", "employer", ("employer", "in")),
    ("/api/v1/jobs/positions", "employer", ("employer", "in")),
    ("/api/v1/archives/my-files/", "guardian", ("guardian", "in")),
]

#: Path of an operation → the world object whose public id fills its ``{id}``.
PATH_OBJECTS: list[tuple[str, str]] = [
    (r"^/api/v1/departments/", "department_obj"),
    (r"^/api/v1/services/", "service"),
    (r"^/api/v1/policies/", "policy_id"),
    (r"^/api/v1/bundles/", "bundle"),
    (r"^/api/v1/applications/", "application"),
    (r"^/api/v1/subcases/", "subcase"),
    (r"^/api/v1/materials/", "material"),
    (r"^/api/v1/rectifications/", "rectification"),
    (r"^/api/v1/return-visits/", "return_visit"),
    (r"^/api/v1/archives/(files|my-files)/", "archive"),
    (r"^/api/v1/jobs/positions/", "position"),
    (r"^/api/v1/jobs/employers/", "org"),
    (r"^/api/v1/jobs/fairs/", "fair"),
    (r"^/api/v1/jobs/referrals/", "referral"),
    (r"^/api/v1/events/", "event"),
    (r"^/api/v1/me/access-grants/", "grant_guardian"),
    (r"^/api/v1/grants/", "fund_grant"),
]
#: Other path parameters → world object.
PARAM_OBJECTS = {"link_id": "archive_link", "grant_id": "fund_grant"}

#: Fields of request bodies that name other objects → world object (or a username).
BODY_OBJECTS = {
    "bundle": "bundle",
    "subcase": "subcase",
    "library_file": "material",
    "candidate": "fair_candidate",
    "person": "alice",
}
#: Usernames a body may name: the employer for consents, else the guardian.
USERNAMES = [("/api/v1/consents/", "acme"), ("", "mum")]

#: The world of the module being run (set by the ``city`` fixture, read by the hook).
CURRENT: dict[str, World] = {}


def _public_id(obj: Any) -> str:
    return obj if isinstance(obj, str) else str(getattr(obj, "uuid", obj.pk))


def real_path_parameters(path: str, names: list[str]) -> dict[str, str] | None:
    world = CURRENT.get("world")
    if world is None:
        return None
    out: dict[str, str] = {}
    for name in names:
        key = PARAM_OBJECTS.get(name)
        if key is None:
            key = next((k for pattern, k in PATH_OBJECTS if re.search(pattern, path)), None)
        if key is None or world.objects.get(key) is None:
            return None
        out[name] = _public_id(world.objects[key])
    return out


@schema.hook
def flatmap_path_parameters(context: Any, path_parameters: dict[str, Any]) -> Any:
    """Half of the cases address real objects of the city instead of generated ids."""
    if not path_parameters:
        return st.just(path_parameters)
    real = real_path_parameters(context.operation.path, sorted(path_parameters))
    if real is None:
        return st.just(path_parameters)
    return st.sampled_from([path_parameters, {**path_parameters, **real}])


def real_body(path: str, body: dict[str, Any]) -> dict[str, Any] | None:
    world = CURRENT.get("world")
    if world is None:
        return None
    out = dict(body)
    for name, key in BODY_OBJECTS.items():
        if name in out and world.objects.get(key) is not None:
            out[name] = _public_id(world.objects[key])
    if "registrations" in out:
        out["registrations"] = [_public_id(world.objects["registration"])]
    if "username" in out:
        out["username"] = next(user for prefix, user in USERNAMES if path.startswith(prefix))
    return out if out != body else None


@schema.hook
def flatmap_body(context: Any, body: Any) -> Any:
    """Half of the bodies that name other objects name real ones of the city."""
    real = real_body(context.operation.path, body) if isinstance(body, dict) else None
    if real is None:
        return st.just(body)
    return st.sampled_from([body, real])


@pytest.fixture(scope="module")
def city(
    django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: Any
) -> Iterator[tuple[World, Path]]:
    """The small city, built once for the module in a transaction rolled back at its end."""
    from django.conf import settings

    media = tmp_path_factory.mktemp("schemathesis-media")
    saved = (settings.DATA_DIR, settings.MEDIA_ROOT)
    settings.DATA_DIR, settings.MEDIA_ROOT = media, media / "private"
    # The WSGI handler closes "old" connections at the start and end of every request; a
    # connection inside the test's transaction is one (its autocommit differs) and would be
    # closed, as Django's own test client prevents for its requests.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            world = build_world()
            CURRENT["world"] = world
            yield world, media
        finally:
            CURRENT.pop("world", None)
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            settings.DATA_DIR, settings.MEDIA_ROOT = saved
            signals.request_started.connect(close_old_connections)
            signals.request_finished.connect(close_old_connections)


@pytest.fixture
def cookies(city: tuple[World, Path], db: Any, settings: Any) -> dict[str, dict[str, str]]:
    """A session cookie (and the CSRF token) for each caller."""
    world, media = city
    settings.DATA_DIR, settings.MEDIA_ROOT = media, media / "private"
    out: dict[str, dict[str, str]] = {}
    callers = {**CALLERS, **{name: key for _prefix, name, key in EXTRA_CALLERS}}
    for name, key in callers.items():
        jar = {"csrftoken": CSRF_TOKEN}
        if key is not None:
            client = Client()
            user = world.user(*key)
            assert user is not None
            client.force_login(user)
            jar["sessionid"] = client.cookies["sessionid"].value
        out[name] = jar
    return out


@schema.parametrize()
@hypothesis.settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(hypothesis.HealthCheck),
)
def test_operation_answers_what_the_schema_says(
    case: Any, cookies: dict[str, dict[str, str]]
) -> None:
    # given one generated request, when each caller sends it
    callers = [*CALLERS] + [
        name for prefix, name, _key in EXTRA_CALLERS if case.path.startswith(prefix)
    ]
    for caller in callers:
        jar = cookies[caller]
        # then no 5xx, and status, content type, body and auth are what the schema says
        try:
            case.call_and_validate(
                cookies=jar,
                headers={"X-CSRFToken": CSRF_TOKEN},
                checks=CHECKS if "sessionid" in jar else ANONYMOUS_CHECKS,
            )
        except Exception as exc:
            exc.add_note(f"caller: {caller}")
            raise
