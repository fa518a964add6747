"""The client's IP address, behind a known number of trusted reverse proxies.

``X-Forwarded-For`` is written by whoever sends the request, so it is believed only as
far as the deployment says: with ``TRUSTED_PROXY_COUNT = 0`` (the default, no proxy in
front) the address is ``REMOTE_ADDR`` and the header is ignored; with ``N`` proxies, each
of which appends the address it received the request from, the client is the N-th entry
from the right (what the outermost trusted proxy saw).  Anything a client put further left
is never used.  Django REST framework's throttles count by the same rule (``NUM_PROXIES``),
and django-axes is given this function as ``AXES_CLIENT_IP_CALLABLE``.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from django.conf import settings

UNKNOWN = "0.0.0.0"  # noqa: S104 - a placeholder address, never bound to


def _valid(candidate: str) -> str | None:
    try:
        return str(ipaddress.ip_address(candidate.strip()))
    except ValueError:
        return None


def client_ip(request: Any) -> str:
    """The address to count sign-in failures and throttles against."""
    meta = getattr(request, "META", {})
    remote = _valid(str(meta.get("REMOTE_ADDR") or "")) or UNKNOWN
    proxies = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)
    if proxies <= 0:
        return remote
    hops = [hop.strip() for hop in str(meta.get("HTTP_X_FORWARDED_FOR") or "").split(",")]
    hops = [hop for hop in hops if hop]
    if not hops:
        return remote
    return _valid(hops[-min(proxies, len(hops))]) or remote
