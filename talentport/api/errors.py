"""API errors as ``{"errors": [{"field", "code", "message"}]}`` in Chinese."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

MESSAGES = {
    status.HTTP_400_BAD_REQUEST: "请求参数有误",
    status.HTTP_401_UNAUTHORIZED: "请先登录",
    status.HTTP_403_FORBIDDEN: "没有权限执行此操作",
    status.HTTP_404_NOT_FOUND: "未找到该资源",
    status.HTTP_405_METHOD_NOT_ALLOWED: "不支持该请求方法",
    status.HTTP_409_CONFLICT: "数据已被他人修改，请刷新后重试",
    status.HTTP_415_UNSUPPORTED_MEDIA_TYPE: "不支持的内容类型",
    status.HTTP_429_TOO_MANY_REQUESTS: "请求过于频繁，请稍后再试",
}


def _flatten(detail: Any, prefix: str = "") -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            field = key if key != "non_field_errors" else ""
            path = f"{prefix}.{field}" if prefix and field else (field or prefix)
            out.extend(_flatten(value, path))
    elif isinstance(detail, list):
        for value in detail:
            out.extend(_flatten(value, prefix))
    else:
        code = getattr(detail, "code", "invalid") or "invalid"
        out.append({"field": prefix, "code": str(code), "message": str(detail)})
    return out


def error_response(
    errors: list[dict[str, str]], status_code: int = status.HTTP_400_BAD_REQUEST
) -> Response:
    return Response({"errors": errors}, status=status_code)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
    else:
        code = getattr(exc, "default_code", "error")
        message = MESSAGES.get(response.status_code, str(getattr(exc, "detail", "")))
        errors = [{"field": "", "code": str(code), "message": message}]
    response.data = {"errors": errors}
    return response
