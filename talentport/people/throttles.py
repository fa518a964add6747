"""Throttles on the account pages.

Sign-in (django-axes): besides the lockout per username + IP address that axes keeps
(``AXES_FAILURE_LIMIT``, default 5), :class:`LoginAttemptHandler` locks out one IP address
after ``AXES_IP_FAILURE_LIMIT`` (default 20) failures across every username within the
cool-off period, so that trying a few passwords on many accounts (password spraying) is
stopped too.  A locked-out address is refused even with a correct password; the same
account from another address still signs in.  The address is
:func:`talentport.common.clientip.client_ip` (``TRUSTED_PROXY_COUNT``).

Sign-up and password reset: :func:`throttle_hit` counts requests per IP address and per
target e-mail in the cache (``CACHES``: local memory by default, Redis with ``REDIS_URL``)
in fixed windows; over the rate the page answers 429 (:func:`throttled_response`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

# --------------------------------------------------------------------------- #
# Sign-in lockout
# --------------------------------------------------------------------------- #

IP_LOCKED_ATTRIBUTE = "talentport_ip_locked_out"


def _ip_failure_limit() -> int:
    return int(getattr(settings, "AXES_IP_FAILURE_LIMIT", 20))


class LoginAttemptHandler(AxesDatabaseHandler):  # type: ignore[misc]  # axes is untyped
    """Axes' database handler plus a lockout per IP address across usernames."""

    def ip_failures(self, request: HttpRequest) -> int:
        ip_address = getattr(request, "axes_ip_address", None)
        if not ip_address:
            return 0
        attempts = AccessAttempt.objects.filter(ip_address=ip_address)
        if settings.AXES_COOLOFF_TIME is not None:
            attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
        total = attempts.aggregate(total=Sum("failures_since_start"))["total"]
        return int(total or 0)

    def _ip_locked(self, request: HttpRequest) -> bool:
        locked = bool(getattr(settings, "AXES_LOCK_OUT_AT_FAILURE", True)) and (
            self.ip_failures(request) >= _ip_failure_limit()
        )
        if locked:
            setattr(request, IP_LOCKED_ATTRIBUTE, True)
        return locked

    def is_locked(self, request: Any, credentials: dict[str, Any] | None = None) -> bool:
        if super().is_locked(request, credentials):
            return True
        return self._ip_locked(request)

    def user_login_failed(
        self, sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
    ) -> None:
        super().user_login_failed(sender, credentials, request=request, **kwargs)
        if request is None or getattr(request, "axes_locked_out", False):
            return
        if self.is_whitelisted(request, credentials) or not self._ip_locked(request):
            return
        request.axes_locked_out = True
        request.axes_credentials = credentials
        user_locked_out.send(
            "axes",
            request=request,
            username=get_client_username(request, credentials),
            ip_address=request.axes_ip_address,
        )


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """The lockout answer (429): a Chinese page, or the API's error shape for scripts."""
    ip_locked = bool(getattr(request, IP_LOCKED_ATTRIBUTE, False))
    cool_off = get_cool_off(request)
    minutes = int(cool_off.total_seconds() // 60) if cool_off else None
    context = {
        "ip_locked": ip_locked,
        "failure_limit": get_failure_limit(request, credentials),
        "ip_failure_limit": _ip_failure_limit(),
        "minutes": minutes,
    }
    wants_json = request.META.get("HTTP_X_REQUESTED_WITH") == "XMLHttpRequest" or (
        request.path.startswith("/api/")
    )
    if wants_json:
        if ip_locked:
            message = _("该网络地址登录失败次数过多，已暂时禁止登录，请稍后再试。")
        else:
            message = _("登录失败次数过多，账户已暂时锁定，请稍后再试。")
        response: HttpResponse = JsonResponse(
            {"errors": [{"field": "", "code": "locked_out", "message": message}]},
            status=429,
            json_dumps_params={"ensure_ascii": False},
        )
    else:
        response = render(request, "people/locked_out.html", context, status=429)
    if cool_off:
        response["Retry-After"] = str(int(cool_off.total_seconds()))
    return response


# --------------------------------------------------------------------------- #
# Sign-up and password reset
# --------------------------------------------------------------------------- #

PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int


def parse_rate(text: str) -> Rate:
    """``"10/hour"`` → 10 requests per 3600 s (the notation DRF uses)."""
    try:
        count_text, period = text.strip().split("/", 1)
        count = int(count_text)
        seconds = PERIODS[period.strip().lower().rstrip("s")]
    except (ValueError, KeyError) as exc:
        raise ImproperlyConfigured(f"throttle rate must look like 10/hour, got {text!r}") from exc
    if count < 1:
        raise ImproperlyConfigured(f"throttle rate must allow at least one request: {text!r}")
    return Rate(count=count, seconds=seconds)


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int = 0


def throttle_hit(*, scope: str, key: str, rate: str) -> Verdict:
    """Count one request for ``key`` in ``scope``; refused past the rate in this window.

    The key is hashed (an e-mail address never appears in a cache key).  ``add`` then
    ``incr`` are atomic in local memory and in Redis, so concurrent requests are counted.
    """
    limit = parse_rate(rate)
    now = int(timezone.now().timestamp())
    window = now // limit.seconds
    digest = hashlib.sha256(key.strip().lower().encode("utf-8")).hexdigest()[:32]
    cache_key = f"tp-throttle:{scope}:{digest}:{window}"
    cache.add(cache_key, 0, timeout=limit.seconds + 1)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.add(cache_key, 1, timeout=limit.seconds + 1)
        count = 1
    if count <= limit.count:
        return Verdict(allowed=True)
    return Verdict(allowed=False, retry_after=(window + 1) * limit.seconds - now)


def throttle_checks(checks: list[tuple[str, str, str]]) -> Verdict:
    """Count the request against every (scope, key, rate); refused if any is over."""
    refused = [
        verdict
        for scope, key, rate in checks
        if key
        for verdict in [throttle_hit(scope=scope, key=key, rate=rate)]
        if not verdict.allowed
    ]
    if not refused:
        return Verdict(allowed=True)
    return Verdict(allowed=False, retry_after=max(v.retry_after for v in refused))


def throttled_response(request: HttpRequest, verdict: Verdict) -> HttpResponse:
    minutes = max(1, (verdict.retry_after + 59) // 60)
    response = render(request, "people/throttled.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(max(1, verdict.retry_after))
    return response
