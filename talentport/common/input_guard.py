"""Refuse input no column can hold: a NUL character in a query parameter, a form field or
a JSON body is a 400 naming the field (PostgreSQL refuses NUL in text and ``\\u0000`` in
JSON, which would otherwise surface as a 500 from deep inside a query)."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.utils.translation import gettext

# ``\u0000`` preceded by an even number of backslashes (i.e. really an escape)
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000", re.IGNORECASE)
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class NulCharacter(SuspiciousOperation):
    """A NUL character in the input (answered 400 by the page handler)."""


def _nul_field(data: QueryDict) -> str | None:
    for key, values in data.lists():
        if "\x00" in key:
            return key.replace("\x00", "")[:80] or "?"
        if any("\x00" in str(v) for v in values):
            return key[:80]
    return None


def _json_has_nul(body: bytes) -> bool:
    return b"\x00" in body or bool(_JSON_NUL.search(body))


class InputGuardMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        field = self._offending_field(request)
        if field is not None:
            message = gettext("包含不允许的字符（NUL）")
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"errors": [{"field": field, "code": "invalid", "message": message}]},
                    status=400,
                )
            raise NulCharacter(f"NUL character in {field!r}")
        return self.get_response(request)

    def _offending_field(self, request: HttpRequest) -> str | None:
        found = _nul_field(request.GET)
        if found is not None:
            return found
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return None
        content_type = request.content_type or ""
        api = request.path.startswith("/api/")
        if content_type in _FORM_TYPES and not (api and content_type == _FORM_TYPES[1]):
            return _nul_field(request.POST)
        if "json" in content_type:
            try:
                body = request.body
            except RequestDataTooBig:
                return None  # the view answers 413
            return "" if _json_has_nul(body) else None
        return None
