"""GET /api/v1/audit/events and /api/v1/audit/pii-access: auditors only, paginated."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from talentport.common.models import AuditEvent
from talentport.common.pii import log_pii_access
from talentport.common.services import audit_event_record
from talentport.people.models import Role, User

pytestmark = pytest.mark.django_db

EVENTS = "/api/v1/audit/events"
PII = "/api/v1/audit/pii-access"


def _user(username: str, role: str) -> User:
    return User.objects.create_user(username=username, password="pw-123456-Aa", role=role)


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture
def auditor() -> User:
    return _user("auditor1", Role.AUDITOR)


@pytest.mark.parametrize(
    "role",
    [
        Role.APPLICANT,
        Role.EMPLOYER,
        Role.WINDOW_SPECIALIST,
        Role.DEPARTMENT_SPECIALIST,
        Role.ADMINISTRATOR,
    ],
)
@pytest.mark.parametrize("url", [EVENTS, PII])
def test_only_auditors_read_the_journals(api: APIClient, role: str, url: str) -> None:
    # given
    api.force_authenticate(_user("someone", role))

    # when
    response = api.get(url)

    # then
    assert response.status_code == 403
    assert response.json()["errors"][0]["code"] == "permission_denied"


@pytest.mark.parametrize("url", [EVENTS, PII])
def test_anonymous_is_refused_like_the_rest_of_the_api(api: APIClient, url: str) -> None:
    response = api.get(url)
    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == "not_authenticated"


def test_an_auditor_pages_through_the_events_newest_first(api: APIClient, auditor: User) -> None:
    # given
    clerk = _user("clerk", Role.WINDOW_SPECIALIST)
    for i in range(25):
        audit_event_record(
            subject=clerk, action="cases.approve", actor=clerk, reason=f"{i}", ip="203.0.113.1"
        )
    audit_event_record(subject=clerk, action="cases.reject", actor=clerk)
    api.force_authenticate(auditor)

    # when
    first = api.get(EVENTS, {"actor": "clerk", "action": "cases.approve"}).json()
    second = api.get(first["next"]).json()

    # then
    assert first["count"] == 25 and len(first["results"]) == 20 and first["previous"] is None
    top = first["results"][0]
    assert top["reason"] == "24" and top["actor"] == "clerk" and top["ip"] == "203.0.113.1"
    assert {"id", "seq", "at", "subject_type", "subject_id", "hash", "prev_hash"} <= top.keys()
    assert len(second["results"]) == 5 and second["next"] is None


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"date_from": "yesterday"}, "date_from"),
        ({"page": "0"}, "page"),
        ({"page_size": "1000"}, "page_size"),
        ({"date_from": "2026-03-02", "date_to": "2026-03-01"}, "date_to"),
    ],
)
def test_bad_parameters_are_400_naming_the_field(
    api: APIClient, auditor: User, params: dict[str, str], field: str
) -> None:
    api.force_authenticate(auditor)
    response = api.get(EVENTS, params)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == field


def test_a_page_past_the_end_is_404(api: APIClient, auditor: User) -> None:
    api.force_authenticate(auditor)
    response = api.get(EVENTS, {"page": "99"})
    assert response.status_code == 404
    assert response.json()["errors"][0]["field"] == "page"


def test_reading_the_pii_log_is_itself_audited(api: APIClient, auditor: User) -> None:
    # given
    clerk = _user("clerk", Role.WINDOW_SPECIALIST)
    person = _user("zhang", Role.APPLICANT)
    log_pii_access(actor=clerk, subject=person, field="phone", purpose="回访")
    api.force_authenticate(auditor)

    # when
    body = api.get(PII, {"field": "phone"}, REMOTE_ADDR="203.0.113.70").json()

    # then
    assert body["count"] == 1
    row = body["results"][0]
    assert row["actor"] == "clerk" and row["field"] == "phone" and row["purpose"] == "回访"
    assert row["subject_id"] == str(person.uuid) and "ip" in row and "path" in row
    viewed = AuditEvent.objects.get(action="audit.pii_log_viewed")
    assert viewed.actor == auditor and viewed.data["via"] == "api"
    assert viewed.data["filters"] == {"field": "phone"} and viewed.ip == "203.0.113.70"


def test_the_schema_lists_the_audit_operations(api: APIClient) -> None:
    from pathlib import Path

    import yaml

    committed = Path(__file__).resolve().parents[2] / "docs" / "openapi.yaml"
    schema = yaml.safe_load(committed.read_text(encoding="utf-8"))
    for path in (EVENTS, PII):
        operation: dict[str, Any] = schema["paths"][path]["get"]
        assert {"200", "403"} <= operation["responses"].keys()
