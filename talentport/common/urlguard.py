"""ID numbers and phone numbers never travel in a URL.

A URL ends up in access logs, proxy logs, browser history and ``Referer`` headers.
Searches by ID number or phone are POSTs; a request whose query string carries a
value shaped like an ID, mobile or passport number is refused with 400 and a Chinese
message before any view runs, and Django does not log the refusal.  (The access log
line gunicorn writes for it is masked by :mod:`talentport.common.logmask`.)
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from talentport.common.logmask import contains_personal_data

__all__ = ["PersonalDataInQueryMiddleware", "personal_query_parameter"]


def personal_query_parameter(request: HttpRequest) -> str | None:
    """The name of the first query parameter holding an ID or phone number, if any."""
    for key, values in request.GET.lists():
        if contains_personal_data(key):
            return "?"
        for value in values:
            if contains_personal_data(value):
                return key
    return None


def _message() -> str:
    return _(
        "为保护个人信息，网址中不能包含身份证号、手机号或护照号。请在页面的查询框中输入后点击查询。"
    )


class PersonalDataInQueryMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        field = personal_query_parameter(request)
        if field is None:
            return self.get_response(request)
        if request.path.startswith("/api/"):
            response: HttpResponse = JsonResponse(
                {
                    "errors": [
                        {"field": field, "code": "personal_data_in_url", "message": _message()}
                    ]
                },
                status=400,
                json_dumps_params={"ensure_ascii": False},
            )
        else:
            response = render(
                request,
                "portal/error.html",
                {"status": 400, "title": _("网址中不能含个人信息"), "message": _message()},
                status=400,
            )
        # django.request would log "Bad Request: <path>"; nothing of this request is logged.
        response._has_been_logged = True  # type: ignore[attr-defined]
        return response
