"""Every public or self-service write of the API is throttled (issue 8, item 4): 429 in
the error envelope, in Chinese, with Retry-After; reads are never counted."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.views import APIView

from talentport.api.throttling import WriteRateThrottle
from talentport.people.models import User

pytestmark = pytest.mark.django_db

NIL = "00000000-0000-0000-0000-000000000000"


def _user(name: str) -> User:
    return User.objects.create_user(username=name, password="pw-123456-Aa", role="applicant")


def _client(user: User | None = None, ip: str = "203.0.113.10") -> Client:
    client = Client(REMOTE_ADDR=ip)
    if user is not None:
        client.force_login(user)
    return client


def _statuses(client: Client, method: str, url: str, body: Any, times: int) -> list[int]:
    send = getattr(client, method)
    return [
        send(url, json.dumps(body), content_type="application/json").status_code
        for _ in range(times)
    ]


def test_eligibility_is_throttled_per_ip_with_the_envelope(throttle_rates: Any) -> None:
    # given
    throttle_rates(eligibility="3/min")
    client = _client()

    # when
    statuses = _statuses(client, "post", "/api/v1/eligibility", {}, 3)
    throttled = client.post("/api/v1/eligibility", "{}", content_type="application/json")

    # then
    assert statuses == [200, 200, 200]
    assert throttled.status_code == 429
    assert 0 < int(throttled["Retry-After"]) <= 60
    body = throttled.json()
    assert body == {
        "errors": [{"field": "", "code": "throttled", "message": body["errors"][0]["message"]}]
    }
    assert body["errors"][0]["message"].startswith("请求过于频繁，请")
    # another address is not affected, and the district comparison shares the scope
    assert (
        _client(ip="198.51.100.20")
        .post("/api/v1/eligibility", "{}", content_type="application/json")
        .status_code
        == 200
    )
    assert (
        client.post(
            "/api/v1/eligibility/districts", "{}", content_type="application/json"
        ).status_code
        == 429
    )


def test_reads_are_never_counted(throttle_rates: Any, seeded_catalog: Any) -> None:
    # given
    throttle_rates(write="2/min", eligibility="2/min")
    client = _client()

    # when
    reads = [client.get("/api/v1/services").status_code for _ in range(10)]

    # then
    assert set(reads) == {200}
    assert _statuses(client, "post", "/api/v1/eligibility", {}, 2) == [200, 200]


@pytest.mark.parametrize(
    ("scope", "method", "url", "first"),
    [
        ("talent_pool", "post", "/api/v1/talent-pool/registration", 400),
        ("event_registration", "post", f"/api/v1/events/{NIL}/registration", 404),
        ("position_application", "post", f"/api/v1/jobs/positions/{NIL}/applications", 404),
        ("profile", "put", "/api/v1/me/profile", 400),
        ("archive_claim", "post", "/api/v1/archives/claims/", 400),
        ("write", "post", "/api/v1/applications/", 400),
        ("write", "post", "/api/v1/consents/", 400),
    ],
)
def test_self_service_writes_are_throttled_per_account(
    throttle_rates: Any, scope: str, method: str, url: str, first: int
) -> None:
    # given: the scope's limit at 2, one account on two addresses
    throttle_rates(**{scope: "2/hour"})
    user = _user("writer")
    body = {"full_name": 7, "education": "x", "name": "", "id_card": "1", "bundle": "x"}
    if method == "put":
        body = {"education": {"degree": "nope"}}

    # when
    statuses = _statuses(_client(user), method, url, body, 2)
    moved = _statuses(_client(user, ip="198.51.100.30"), method, url, body, 1)
    other = _statuses(_client(_user("someone-else")), method, url, body, 1)

    # then: the third write of that account is refused wherever it comes from
    assert statuses == [first, first]
    assert moved == [429]
    assert other == [first]


def test_every_write_of_the_api_is_throttled() -> None:
    # given: every route under /api/v1/ (walked from the URL configuration)
    def walk(patterns: list[Any]) -> list[Any]:
        found: list[Any] = []
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                found.extend(walk(pattern.url_patterns))
            elif isinstance(pattern, URLPattern):
                found.append(pattern.callback)
        return found

    roots = [p for p in get_resolver().url_patterns if str(p.pattern) == "api/v1/"]
    views = [
        getattr(callback, "view_class", None) or getattr(callback, "cls", None)
        for callback in walk(roots)
    ]
    writes = [
        view
        for view in views
        if isinstance(view, type)
        and issubclass(view, APIView)
        and any(hasattr(view, m) for m in ("post", "put", "patch", "delete"))
    ]

    # then
    assert len(writes) > 20
    unthrottled = [
        view.__name__
        for view in writes
        if not any(issubclass(t, WriteRateThrottle) for t in view.throttle_classes)
    ]
    assert unthrottled == []


def test_rates_and_proxy_count_come_from_the_environment(tmp_path: Any) -> None:
    # given
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "talentport.settings",
        "THROTTLE_RATE_ELIGIBILITY": "7/min",
        "THROTTLE_RATE_ARCHIVE_CLAIM": "4/hour",
        "TRUSTED_PROXY_COUNT": "2",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}",
    }
    code = (
        "import django, json; django.setup(); from django.conf import settings; "
        "r = settings.REST_FRAMEWORK; print(json.dumps([r['DEFAULT_THROTTLE_RATES'], "
        "r['NUM_PROXIES']]))"
    )

    # when
    out = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout

    # then
    rates, proxies = json.loads(out)
    assert rates["eligibility"] == "7/min" and rates["archive_claim"] == "4/hour"
    assert rates["write"] == "120/min" and proxies == 2
