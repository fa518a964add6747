"""401 or 403: the API tells "not signed in" from "not allowed", and the schema says which.

- An operation the committed schema marks as needing a session (``security`` without
  ``{}``) answers an anonymous caller 401 ``not_authenticated`` with a
  ``WWW-Authenticate`` challenge; the schema documents that 401.
- A public operation (``security`` with ``{}``) never answers 401 and documents none.
- A signed-in caller without the role or scope gets 403, and so does a signed-in write
  without the CSRF token.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.test import Client

from talentport.api.authentication import CHALLENGE
from tests.factories import UserFactory

SCHEMA = yaml.safe_load(
    (Path(__file__).resolve().parents[2] / "docs" / "openapi.yaml").read_text("utf-8")
)
OPERATIONS = [
    (method, path, operation)
    for path, item in SCHEMA["paths"].items()
    for method, operation in item.items()
]


def _needs_session(operation: dict[str, Any]) -> bool:
    security = operation.get("security", [])
    return bool(security) and {} not in security


PRIVATE = [(m, p) for m, p, o in OPERATIONS if _needs_session(o)]
PUBLIC = [(m, p) for m, p, o in OPERATIONS if not _needs_session(o)]


def _call(client: Client, method: str, path: str) -> Any:
    url = re.sub(r"\{[^}]+\}", str(uuid.uuid4()), path)
    if method in ("get", "delete"):
        return getattr(client, method)(url)
    return getattr(client, method)(url, {}, content_type="application/json")


def test_the_schema_has_both_kinds_of_operations() -> None:
    assert len(PRIVATE) > 50
    assert ("get", "/api/v1/services") in PUBLIC
    assert ("post", "/api/v1/eligibility") in PUBLIC
    assert ("get", "/api/v1/bundles/") in PUBLIC
    assert ("get", "/api/v1/me/profile") in PRIVATE


@pytest.mark.parametrize(("method", "path", "operation"), OPERATIONS)
def test_the_schema_documents_401_exactly_where_a_session_is_needed(
    method: str, path: str, operation: dict[str, Any]
) -> None:
    responses = operation["responses"]
    assert ("401" in responses) == _needs_session(operation)
    assert "403" in responses


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path"), PRIVATE)
def test_an_anonymous_caller_is_told_to_sign_in(client: Client, method: str, path: str) -> None:
    # when
    response = _call(client, method, path)

    # then
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == CHALLENGE
    assert response.json()["errors"][0]["code"] == "not_authenticated"
    assert response.json()["errors"][0]["message"] == "请先登录"


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path"), PUBLIC)
def test_a_public_operation_never_asks_to_sign_in(client: Client, method: str, path: str) -> None:
    # when
    response = _call(client, method, path)

    # then
    assert response.status_code != 401
    assert response.status_code < 500


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/archives/files/"),
        ("get", "/api/v1/audit/events"),
        ("get", "/api/v1/grants"),
        ("get", "/api/v1/subcases/"),
        ("post", "/api/v1/policies"),
        ("post", "/api/v1/events"),
    ],
)
def test_a_signed_in_caller_without_the_role_is_refused_with_403(
    client: Client, method: str, path: str
) -> None:
    # given
    client.force_login(UserFactory(username="applicant1"))

    # when
    response = _call(client, method, path)

    # then
    assert response.status_code == 403
    assert "WWW-Authenticate" not in response


@pytest.mark.django_db
def test_a_signed_in_write_without_the_csrf_token_is_refused_with_403() -> None:
    # given a browser-like client that enforces CSRF, signed in
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory(username="applicant1"))

    # when it writes without the token
    response = client.post("/api/v1/degree/", {}, content_type="application/json")

    # then
    assert response.status_code == 403
    assert response.json()["errors"][0]["code"] == "permission_denied"
