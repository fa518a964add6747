"""Public portal pages."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def _error(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        from django.http import JsonResponse

        return JsonResponse(
            {"errors": [{"field": "", "code": str(status), "message": message}]}, status=status
        )
    return render(
        request,
        "portal/error.html",
        {"status": status, "title": title, "message": message},
        status=status,
    )


def error_400(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 400, "请求有误", "您提交的内容无法识别，请检查后重试。")


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 403, "没有权限", "您没有权限访问此页面。如需帮助请联系服务专员。")


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 404, "页面不存在", "您要找的页面不存在或已下线。")


def error_500(request: HttpRequest) -> HttpResponse:
    return _error(request, 500, "系统繁忙", "系统暂时无法处理您的请求，请稍后再试。")
