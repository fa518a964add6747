"""The request being served, for journals written deep inside services.

:class:`RequestContextMiddleware` (first in ``MIDDLEWARE``) makes the current
request available through :func:`current_request` for the duration of the request
(a ``ContextVar``: right under threads and ASGI alike).  :func:`client_ip` is the
visitor's address, behind ``settings.TRUSTED_PROXY_COUNT`` reverse proxies;
:func:`request_path` is the path without its query string.  The PII access log
records both for every read of personal data.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse

__all__ = ["RequestContextMiddleware", "client_ip", "current_request", "request_path"]

_current: ContextVar[HttpRequest | None] = ContextVar("talentport_request", default=None)


def current_request() -> HttpRequest | None:
    """The request this code runs for, or None (a command, a task, a test)."""
    return _current.get()


def _valid_ip(value: str) -> str | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # [::1]:8080
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # 203.0.113.7:51234
        value = value.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    """The client's IP address.

    With ``TRUSTED_PROXY_COUNT = 0`` (the default: gunicorn faces the network) it is
    ``REMOTE_ADDR``.  Behind N trusted proxies, each appending to
    ``X-Forwarded-For``, it is the N-th address from the right: the one the outermost
    trusted proxy saw; addresses further left were written by the client and prove
    nothing.
    """
    remote = _valid_ip(str(request.META.get("REMOTE_ADDR", "") or ""))
    proxies = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)
    if proxies <= 0:
        return remote
    forwarded = [
        part
        for part in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")
        if part.strip()
    ]
    if len(forwarded) < proxies:
        return remote
    return _valid_ip(forwarded[-proxies]) or remote


def request_path(request: HttpRequest) -> str:
    """The path of the request, never its query string."""
    return str(request.path)[:300]


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> Any:
        token = _current.set(request)
        try:
            return self.get_response(request)
        finally:
            _current.reset(token)
