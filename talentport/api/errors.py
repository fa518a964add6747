"""API errors as ``{"errors": [{"field", "code", "message"}]}`` in Chinese.

Every error the API answers has this one shape, whatever raised it: a serializer's
``ValidationError`` (one entry per problem, ``field`` the dotted path), an
:class:`ApiError` raised by a view, Django's ``Http404`` or one of DRF's own
exceptions (malformed JSON, wrong method...).
"""

from __future__ import annotations

import math
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

MESSAGES = {
    status.HTTP_400_BAD_REQUEST: "请求参数有误",
    status.HTTP_401_UNAUTHORIZED: "请先登录",
    status.HTTP_403_FORBIDDEN: "没有权限执行此操作",
    status.HTTP_404_NOT_FOUND: "未找到该资源",
    status.HTTP_405_METHOD_NOT_ALLOWED: "不支持该请求方法",
    status.HTTP_406_NOT_ACCEPTABLE: "无法提供所请求的内容格式",
    status.HTTP_409_CONFLICT: "数据已被他人修改，请刷新后重试",
    status.HTTP_413_REQUEST_ENTITY_TOO_LARGE: "请求内容过大",
    status.HTTP_415_UNSUPPORTED_MEDIA_TYPE: "不支持的内容类型，请以 JSON 提交",
    status.HTTP_429_TOO_MANY_REQUESTS: "请求过于频繁，请稍后再试",
}

# DRF exceptions whose own message is English: answer with these instead.
CODE_MESSAGES = {
    "parse_error": "请求体不是有效的 JSON",
    "not_found": MESSAGES[status.HTTP_404_NOT_FOUND],
}

ErrorList = list[dict[str, str]]


def error(field: str, message: str, code: str = "invalid") -> dict[str, str]:
    return {"field": field, "code": code, "message": message}


class ApiError(exceptions.APIException):
    """An error the view has already phrased: one or more ``{"field", "code", "message"}``."""

    status_code: int = status.HTTP_400_BAD_REQUEST
    default_code = "invalid"
    default_detail = MESSAGES[status.HTTP_400_BAD_REQUEST]

    def __init__(self, errors: ErrorList, status_code: int = status.HTTP_400_BAD_REQUEST) -> None:
        super().__init__(detail=errors[0]["message"] if errors else None)
        self.errors = errors
        self.status_code = status_code


def too_many(message: str, wait: float | None) -> ApiError:
    """A 429 phrased by the caller, with ``Retry-After`` (whole seconds) when known."""
    exc = ApiError([error("", message, "throttled")], status.HTTP_429_TOO_MANY_REQUESTS)
    if wait is not None:
        exc.wait = max(1, math.ceil(wait))  # type: ignore[attr-defined]
    return exc


def not_found(field: str, message: str) -> ApiError:
    return ApiError([error(field, message, "not_found")], status.HTTP_404_NOT_FOUND)


def _flatten(detail: Any, prefix: str = "") -> ErrorList:
    out: ErrorList = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            field = str(key) if key not in ("non_field_errors", "__all__") else ""
            path = f"{prefix}.{field}" if prefix and field else (field or prefix)
            out.extend(_flatten(value, path))
    elif isinstance(detail, list):
        for index, value in enumerate(detail):
            # A list of nested objects (ListField of dicts): name the index.
            if isinstance(value, dict) and value:
                out.extend(_flatten(value, f"{prefix}.{index}" if prefix else str(index)))
            else:
                out.extend(_flatten(value, prefix))
    else:
        code = getattr(detail, "code", "invalid") or "invalid"
        out.append(error(prefix, str(detail), str(code)))
    return out


def throttled_message(wait: float | None) -> str:
    """The 429 message (Chinese first): how long to wait, when known."""
    if wait is None:
        return gettext("请求过于频繁，请稍后再试")
    seconds = max(1, math.ceil(wait))
    if seconds >= 120:
        return gettext("请求过于频繁，请约 %(minutes)s 分钟后再试") % {
            "minutes": math.ceil(seconds / 60)
        }
    return gettext("请求过于频繁，请 %(seconds)s 秒后再试") % {"seconds": seconds}


def error_response(errors: ErrorList, status_code: int = status.HTTP_400_BAD_REQUEST) -> Response:
    return Response({"errors": errors}, status=status_code)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, RecursionError):  # a body nested too deep to parse: the input's fault
        exc = exceptions.ParseError()
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, ApiError):
        errors = exc.errors
    elif isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
    elif isinstance(exc, exceptions.Throttled):
        errors = [error("", throttled_message(getattr(exc, "wait", None)), "throttled")]
    else:
        code = str(getattr(exc, "default_code", "error"))
        detail = getattr(exc, "detail", None)
        message = CODE_MESSAGES.get(code) or MESSAGES.get(response.status_code) or str(detail)
        errors = [error("", message, code)]
    response.data = {"errors": errors}
    return response
