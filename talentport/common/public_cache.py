"""Public pages and the public catalog API, cached by the version of what they show.

What the portal's public pages and the catalog API show is the same for everyone until
the catalog or a policy changes.  Both bump one stamp in the database
(``catalog.CatalogVersion``, see ``catalog.services.catalog_version_bump``; policy
versions bump it through ``portal.signals``), so every process of every app server
agrees on it.  A rendered page is kept in Django's cache (Redis when ``REDIS_URL`` is
set, local memory otherwise) under a key made of that stamp, today's date (validity
periods end at midnight), the language, the host and the full path with its query.

Nothing personal is ever cached.  A page is rendered for the cache *as nobody*: on a
copy of the request with an anonymous user, and every per-user part of ``base.html``
— the account links, the CSRF token of the language form, the messages — is left as a
hole (``{% personal "name" %}``, see ``portal_tags``).  Each request fills the holes
for its own visitor (a small template each), so one visitor's name, token or message
never reaches another.  A render that read the CSRF token or the CSP nonce anyway
(a personal value inside the content) is served but not stored.

Every such response carries an ``ETag`` (and, for anonymous visitors, a
``Last-Modified``) and answers ``If-None-Match`` / ``If-Modified-Since`` with 304.
The ETag of a page also covers who is asking (user and CSRF cookie), so a browser
never keeps an anonymous header once signed in.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import hashlib
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages as django_messages
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.html import format_html
from django.utils.http import http_date

from talentport.catalog.models import CatalogVersion

__all__ = [
    "HOLE_TEMPLATES",
    "hole_marker",
    "public_api",
    "public_page",
    "public_version",
    "rendering_holes",
]

# How long a rendered page stays in the cache.  A new version makes new keys at once;
# the timeout only lets the entries of old versions (and rarely asked queries) go.
PAGE_TIMEOUT = 6 * 3600
QUERY_TIMEOUT = 600  # pages with a query string: more keys, shorter life

_VERSION_ATTR = "_tp_public_version"
_HOLES_ATTR = "_tp_render_holes"

# The per-user parts of base.html and the template that renders each.
HOLE_TEMPLATES = {
    "account": "_personal/account.html",
    "csrf": "_personal/csrf.html",
    "messages": "_personal/messages.html",
}


def hole_marker(name: str) -> str:
    # A tag: text from the catalog or from the query is escaped, so it cannot forge one.
    return f'<tp-hole name="{name}"></tp-hole>'


def rendering_holes(request: Any) -> bool:
    """True while a page is rendered for the cache (per-user parts become holes)."""
    return bool(getattr(request, _HOLES_ATTR, False))


# ------------------------------------------------------------------ version and keys


def public_version(request: HttpRequest | None = None) -> tuple[str, dt.datetime]:
    """(stamp, changed at) of the public content; read once per request."""
    if request is not None and hasattr(request, _VERSION_ATTR):
        memo: tuple[str, dt.datetime] = getattr(request, _VERSION_ATTR)
        return memo
    row = CatalogVersion.objects.filter(pk=1).values_list("stamp", "changed_at").first()
    version = row if row is not None else ("none", dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
    if request is not None:
        setattr(request, _VERSION_ATTR, version)
    return version


def _day_start() -> dt.datetime:
    today = timezone.localdate()
    return timezone.make_aware(dt.datetime.combine(today, dt.time.min))


def _key(request: HttpRequest, kind: str) -> str:
    stamp, _changed = public_version(request)
    parts = [
        kind,
        stamp,
        timezone.localdate().isoformat(),
        translation.get_language() or settings.LANGUAGE_CODE,
        request.scheme or "http",
        request.get_host(),
        request.get_full_path(),
    ]
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:40]
    return f"tp:public:{kind}:{digest}"


def _last_modified(request: HttpRequest) -> dt.datetime:
    _stamp, changed = public_version(request)
    return max(changed, _day_start())


def _timeout(request: HttpRequest) -> int:
    return QUERY_TIMEOUT if request.META.get("QUERY_STRING") else PAGE_TIMEOUT


def _etag(*parts: str) -> str:
    return '"' + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32] + '"'


def _conditional(
    request: HttpRequest, etag: str, last_modified: dt.datetime | None
) -> HttpResponseBase | None:
    return get_conditional_response(
        request,
        etag=etag,
        last_modified=int(last_modified.timestamp()) if last_modified else None,
    )


def _validators(
    response: HttpResponseBase, etag: str, last_modified: dt.datetime | None, cache_control: str
) -> HttpResponseBase:
    response["ETag"] = etag
    if last_modified is not None:
        response["Last-Modified"] = http_date(last_modified.timestamp())
    response["Cache-Control"] = cache_control
    return response


# ------------------------------------------------------------------ pages


def _fill(html: str, request: HttpRequest, pending: list[Any]) -> str:
    """Put the visitor's own parts into a page rendered with holes."""
    for name, template in HOLE_TEMPLATES.items():
        marker = hole_marker(name)
        if marker not in html:
            continue
        if name == "csrf":
            part = str(
                format_html(
                    '<input type="hidden" name="csrfmiddlewaretoken" value="{}">',
                    get_token(request),
                )
            )
        elif name == "messages":
            part = render_to_string(template, {"messages": pending}) if pending else ""
        else:
            part = render_to_string(template, request=request)
        html = html.replace(marker, part)
    return html


def _render_for_cache(
    view: Callable[..., HttpResponseBase], request: HttpRequest, *args: Any, **kwargs: Any
) -> tuple[HttpResponseBase, bool]:
    """The view's response rendered as nobody, and whether it may be stored."""
    shell = copy.copy(request)
    shell.user = AnonymousUser()
    shell.META = dict(request.META)
    setattr(shell, _HOLES_ATTR, True)
    before = (request.META.get("CSRF_COOKIE"), request.META.get("CSRF_COOKIE_NEEDS_UPDATE"))
    response = view(shell, *args, **kwargs)
    if hasattr(response, "render") and not getattr(response, "is_rendered", True):
        response.render()
    after = (shell.META.get("CSRF_COOKIE"), shell.META.get("CSRF_COOKIE_NEEDS_UPDATE"))
    # the content read the CSRF token: a personal value, so the page is not stored,
    # and the cookie it asked for is the real request's to send
    token_read = after != before
    for name in ("CSRF_COOKIE", "CSRF_COOKIE_NEEDS_UPDATE"):
        if name in shell.META:
            request.META[name] = shell.META[name]
    storable = (
        response.status_code == 200
        and isinstance(response, HttpResponse)
        and not response.streaming
        and not response.cookies
        and not token_read
    )
    if storable and isinstance(response, HttpResponse):
        nonce = getattr(request, "csp_nonce", None)
        if nonce and str(nonce) in response.content.decode():
            storable = False
    return response, storable


def public_page(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Cache a public portal page as nobody, fill the visitor's parts per request,
    and answer conditional GETs."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        key = _key(request, "page")
        # reading the messages marks them shown: they go into this response, never a 304
        pending = list(django_messages.get_messages(request))
        signed_in = bool(getattr(request, "user", None) and request.user.is_authenticated)
        etag = _etag(
            key,
            str(request.user.pk) if signed_in else "-",
            request.COOKIES.get(settings.CSRF_COOKIE_NAME, ""),
        )
        last_modified = None if signed_in else _last_modified(request)
        if not pending:
            not_modified = _conditional(request, etag, last_modified)
            if not_modified is not None:
                patch_vary_headers(not_modified, ("Cookie",))
                return _validators(not_modified, etag, last_modified, "private, no-cache")
        html = cache.get(key)
        if html is None:
            response, storable = _render_for_cache(view, request, *args, **kwargs)
            if not isinstance(response, HttpResponse) or response.streaming:
                return response
            raw = response.content.decode()
            if storable:
                cache.set(key, raw, _timeout(request))
            response.content = _fill(raw, request, pending).encode()
            if response.status_code != 200:
                return response
        else:
            response = HttpResponse(_fill(html, request, pending))
        patch_vary_headers(response, ("Cookie",))
        if pending:
            response["Cache-Control"] = "private, no-cache"
            return response
        return _validators(response, etag, last_modified, "private, no-cache")

    return wrapped


# ------------------------------------------------------------------ API


def _wants_html(request: HttpRequest) -> bool:
    # the browsable API is rendered for its visitor (with a CSRF token): never cached
    return "format" in request.GET or "text/html" in request.META.get("HTTP_ACCEPT", "")


def public_api(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Cache the JSON of a public, session-free catalog endpoint and answer
    conditional GETs."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.method not in ("GET", "HEAD") or _wants_html(request):
            return view(request, *args, **kwargs)
        key = _key(request, "api")
        etag = _etag(key)
        last_modified = _last_modified(request)
        not_modified = _conditional(request, etag, last_modified)
        if not_modified is not None:
            patch_vary_headers(not_modified, ("Accept", "Accept-Language"))
            return _validators(not_modified, etag, last_modified, "public, no-cache")
        cached = cache.get(key)
        if cached is not None:
            content_type, body = cached
            response: HttpResponseBase = HttpResponse(body, content_type=content_type)
        else:
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                response.render()
            if (
                response.status_code != 200
                or not isinstance(response, HttpResponse)
                or response.streaming
                or not response.get("Content-Type", "").startswith("application/json")
            ):
                return response
            cache.set(key, (response["Content-Type"], response.content), _timeout(request))
        patch_vary_headers(response, ("Accept", "Accept-Language"))
        return _validators(response, etag, last_modified, "public, no-cache")

    return wrapped
