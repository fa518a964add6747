"""Throttles of the API (and of the pages that share a limit with it).

- :class:`WriteRateThrottle` is the default of every API view: writes (POST, PUT, PATCH,
  DELETE) are counted per account, or per client IP when anonymous, under the view's
  ``throttle_scope`` (``"write"`` when the view names none).  Reads are not counted.
- :class:`WriteIpRateThrottle` counts the same writes per client IP whoever is signed
  in, under ``"<scope>_ip"``: one address cannot spread its guesses over many accounts.
- Rates come from ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`` when the throttle is
  made (not when this module is imported), so a changed setting takes effect at once.
- The client IP is ``REMOTE_ADDR``, or the address ``NUM_PROXIES`` hops from the end of
  ``X-Forwarded-For`` behind that many trusted proxies (``TRUSTED_PROXY_COUNT``).
- :func:`page_throttle_wait` applies the same throttles (same counters) to a Django page.
"""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import SAFE_METHODS
from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle

DEFAULT_SCOPE = "write"


def client_ip(request: Any) -> str:
    """The client address behind the trusted proxies (the throttles' notion of it)."""
    return str(WriteRateThrottle().get_ident(request) or "")


class WriteRateThrottle(ScopedRateThrottle):
    """Writes per account (anonymous: per client IP) under the view's scope."""

    suffix = ""

    def __init__(self) -> None:
        # Like ScopedRateThrottle, the rate is looked up per view in allow_request.
        pass

    def scope_of(self, view: Any) -> str:
        return str(getattr(view, "throttle_scope", None) or DEFAULT_SCOPE) + self.suffix

    def get_rate(self) -> str | None:
        rates: dict[str, Any] = api_settings.DEFAULT_THROTTLE_RATES or {}
        if self.scope in rates:
            rate = rates[str(self.scope)]
            return None if rate is None else str(rate)
        # A view scope nobody configured still gets the default write limit.
        return None if self.suffix else rates.get(DEFAULT_SCOPE)

    def allow_request(self, request: Any, view: Any) -> bool:
        if request.method in SAFE_METHODS:
            return True
        self.scope = self.scope_of(view)
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return bool(super(ScopedRateThrottle, self).allow_request(request, view))

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        user = getattr(request, "user", None)
        if user is not None and getattr(user, "is_authenticated", False):
            ident = f"user:{user.pk}"
        else:
            ident = f"ip:{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}


class WriteIpRateThrottle(WriteRateThrottle):
    """The same writes per client IP, whoever is signed in (scope ``<scope>_ip``)."""

    suffix = "_ip"

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        return self.cache_format % {"scope": self.scope, "ident": f"ip:{self.get_ident(request)}"}


class _PageView:
    def __init__(self, scope: str) -> None:
        self.throttle_scope = scope


def page_throttle_wait(request: Any, scope: str, *, per_ip: bool = False) -> float | None:
    """Count one write of a page under ``scope`` (the API's counters); the seconds to wait
    when it is over the limit, else None."""
    view = _PageView(scope)
    throttles: list[WriteRateThrottle] = [WriteRateThrottle()]
    if per_ip:
        throttles.append(WriteIpRateThrottle())
    waits = [t.wait() or 1.0 for t in throttles if not t.allow_request(request, view)]
    return max(waits) if waits else None
