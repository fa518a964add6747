"""The request context of the PII access log: client IP behind trusted proxies, the
path without its query string, and bulk records in one INSERT."""

from __future__ import annotations

from typing import Any

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from talentport.common.models import PiiAccessLog
from talentport.common.pii import log_pii_access, log_pii_access_many
from talentport.common.request_context import (
    RequestContextMiddleware,
    client_ip,
    current_request,
)


def _request(remote: str = "192.0.2.10", forwarded: str | None = None) -> HttpRequest:
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/archives/staff/files/x/?reveal=1", **extra)


def test_without_trusted_proxies_the_forwarded_header_is_ignored(settings: Any) -> None:
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(_request(forwarded="203.0.113.9")) == "192.0.2.10"


def test_behind_proxies_the_address_the_outermost_trusted_one_saw(settings: Any) -> None:
    # a client may write anything at the left of X-Forwarded-For; each proxy appends
    request = _request(remote="10.0.0.2", forwarded="1.2.3.4, 203.0.113.9, 10.0.0.1")
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "10.0.0.1"
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(request) == "203.0.113.9"
    settings.TRUSTED_PROXY_COUNT = 5  # fewer hops than configured: the direct peer
    assert client_ip(request) == "10.0.0.2"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(_request(remote="10.0.0.2", forwarded="not-an-ip")) == "10.0.0.2"
    assert client_ip(_request(remote="10.0.0.2", forwarded="[2001:db8::1]:443")) == "2001:db8::1"


def test_the_middleware_exposes_the_request_only_while_it_runs() -> None:
    seen: list[Any] = []

    def view(request: HttpRequest) -> HttpResponse:
        seen.append(current_request())
        return HttpResponse()

    request = _request()
    RequestContextMiddleware(view)(request)
    assert seen == [request] and current_request() is None


@pytest.mark.django_db
def test_records_take_ip_and_path_from_the_request(django_user_model: Any) -> None:
    staff = django_user_model.objects.create_user(username="w", password="x-Long-pass-1")
    subject = django_user_model.objects.create_user(username="s", password="x-Long-pass-2")
    captured: list[PiiAccessLog] = []

    def view(request: HttpRequest) -> HttpResponse:
        captured.append(
            log_pii_access(actor=staff, subject=subject, field="id_card", purpose="核验")
        )
        return HttpResponse()

    RequestContextMiddleware(view)(_request(remote="198.51.100.23"))
    (entry,) = captured
    assert (entry.ip, entry.path) == ("198.51.100.23", "/archives/staff/files/x/")
    # outside a request (a command) there is neither
    entry = log_pii_access(actor=None, subject=subject, field="id_card", purpose="系统核对")
    assert (entry.ip, entry.path) == (None, "")


@pytest.mark.django_db
def test_a_list_is_logged_with_one_insert(
    django_user_model: Any, django_assert_num_queries: Any
) -> None:
    people = [
        django_user_model.objects.create_user(username=f"p{i}", password="x-Long-pass-1")
        for i in range(30)
    ]
    with django_assert_num_queries(1):
        written = log_pii_access_many(
            actor=None, subjects=[*people, people[0]], field="contact", purpose="导出"
        )
    assert written == 30 == PiiAccessLog.objects.count()
    with pytest.raises(ValueError, match="目的"):
        log_pii_access_many(actor=None, subjects=people, field="contact", purpose=" ")
