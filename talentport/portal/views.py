"""Public portal pages: home, catalog browse, service guides, departments, specialists.

Views only parse input (through forms) and call ``catalog.selectors``; a malformed
query parameter is a 400 naming the field, an unknown id a 404, both in Chinese.
"""

from __future__ import annotations

import uuid as uuid_lib
from collections import OrderedDict
from collections.abc import Iterable
from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from talentport.catalog import selectors as catalog_selectors
from talentport.catalog.models import (
    Department,
    Jurisdiction,
    JurisdictionLevel,
    ServiceItem,
    Specialist,
    Stage,
)
from talentport.common.public_cache import public_page
from talentport.portal.forms import PlaceFilterForm, ServiceFilterForm, field_errors
from talentport.portal.qr import qr_svg
from talentport.portal.templatetags.portal_tags import loc

PAGE_SIZE = 10
T = TypeVar("T")


# ---------------------------------------------------------------- error pages


def _error(
    request: HttpRequest,
    status: int,
    title: str,
    message: str,
    errors: list[tuple[str, list[str]]] | None = None,
) -> HttpResponse:
    if request.path.startswith("/api/"):
        fields = errors or [("", [message])]
        return JsonResponse(
            {
                "errors": [
                    {"field": field, "code": str(status), "message": m}
                    for field, messages in fields
                    for m in messages
                ]
            },
            status=status,
        )
    return render(
        request,
        "portal/error.html",
        {"status": status, "title": title, "message": message, "errors": errors or []},
        status=status,
    )


def bad_query(request: HttpRequest, errors: list[tuple[str, list[str]]]) -> HttpResponse:
    """400 for query parameters a form refused; the page names each field."""
    names = "、".join(label for label, _messages in errors)
    message = _("以下查询条件无法识别：%(fields)s。请修改后重试。") % {"fields": names}
    return _error(request, 400, _("查询条件有误"), message, errors)


def error_400(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 400, _("请求有误"), _("您提交的内容无法识别，请检查后重试。"))


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 403, _("没有权限"), _("您没有权限访问此页面。如需帮助请联系服务专员。"))


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form refused for a missing or stale CSRF token, on the portal's own error page
    (Django's built-in one writes inline styles, which the Content-Security-Policy refuses)."""
    return _error(
        request,
        403,
        _("页面已过期"),
        _("页面已过期或已在其他窗口退出登录。请返回上一页，刷新后重新提交。"),
    )


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 404, _("页面不存在"), _("您要找的页面不存在或已下线。"))


def error_500(request: HttpRequest) -> HttpResponse:
    return _error(request, 500, _("系统繁忙"), _("系统暂时无法处理您的请求，请稍后再试。"))


# ---------------------------------------------------------------- helpers


def _get_or_404(getter: Any, value: uuid_lib.UUID) -> Any:
    """Call a ``*_get(uuid=...)`` selector; missing or malformed → 404."""
    try:
        obj = getter(uuid=value)
    except (ObjectDoesNotExist, ValidationError, ValueError) as exc:
        raise Http404(_("页面不存在")) from exc
    if obj is None:
        raise Http404(_("页面不存在"))
    return obj


def _place(j: Jurisdiction) -> tuple[Jurisdiction, Jurisdiction | None]:
    """(city, district or None) of a jurisdiction."""
    if j.level in {JurisdictionLevel.CITY, JurisdictionLevel.PROVINCE} or not j.parent_id:
        return j, None
    return j.parent, j  # type: ignore[return-value]


def _group_by_jurisdiction(rows: Iterable[T]) -> list[tuple[Jurisdiction, list[T]]]:
    groups: OrderedDict[int, tuple[Jurisdiction, list[T]]] = OrderedDict()
    for row in rows:
        j: Jurisdiction = row.jurisdiction  # type: ignore[attr-defined]
        groups.setdefault(j.pk, (j, []))[1].append(row)
    return list(groups.values())


def _cities() -> list[Jurisdiction]:
    return [j for j in catalog_selectors.jurisdiction_list() if j.level == JurisdictionLevel.CITY]


# ---------------------------------------------------------------- pages


@require_safe
@public_page
def home(request: HttpRequest) -> HttpResponse:
    stages = [
        {
            "code": Stage.BEFORE,
            "label": Stage.BEFORE.label,
            "hint": _("留学咨询、出国手续、行前准备"),
        },
        {
            "code": Stage.ABROAD,
            "label": Stage.ABROAD.label,
            "hint": _("人事档案、校园大使、在外服务"),
        },
        {"code": Stage.AFTER, "label": Stage.AFTER.label, "hint": _("落户、就业创业、补贴申领")},
    ]
    context = {
        "stages": stages,
        "life_events": catalog_selectors.life_event_list(),
        "cities": _cities(),
    }
    return render(request, "portal/home.html", context)


@require_safe
@public_page
def services(request: HttpRequest) -> HttpResponse:
    form = ServiceFilterForm(request.GET)
    if not form.is_valid():
        return bad_query(request, field_errors(form))
    arguments = form.search_arguments()
    number = form.cleaned_data.get("page") or 1
    found = catalog_selectors.service_item_search_page(
        offset=(number - 1) * PAGE_SIZE, limit=PAGE_SIZE, **arguments
    )
    last = max(1, -(-found.count // PAGE_SIZE))
    if number > last:  # past the end: show the last page rather than an empty one
        number = last
        found = catalog_selectors.service_item_search_page(
            offset=(number - 1) * PAGE_SIZE, limit=PAGE_SIZE, **arguments
        )
    page = Paginator(range(found.count), PAGE_SIZE).get_page(number)
    rows = []
    for item in found.items:
        city, district = _place(item.jurisdiction)
        rows.append({"item": item, "city": city, "district": district})
    context = {
        "form": form,
        "page_obj": page,
        "rows": rows,
        "count": found.count,
        "query": form.cleaned_data.get("q") or "",
    }
    return render(request, "portal/services.html", context)


@require_safe
@public_page
def service_detail(request: HttpRequest, uuid: uuid_lib.UUID) -> HttpResponse:
    item: ServiceItem = _get_or_404(catalog_selectors.service_item_get, uuid)
    city, district = _place(item.jurisdiction)
    page_url = request.build_absolute_uri(
        reverse("portal:service_detail", kwargs={"uuid": item.uuid})
    )
    context = {
        "item": item,
        "city": city,
        "district": district,
        "materials": list(item.materials.all()),
        "life_events": list(item.life_events.all()),
        "partners": list(item.partner_departments.all()),
        "phone": item.contact_phone or item.department.phone,
        "page_url": page_url,
        "qr": qr_svg(page_url, label=_("用手机扫码打开本页：%(title)s") % {"title": loc(item)}),
    }
    return render(request, "portal/service_detail.html", context)


@require_safe
@public_page
def departments(request: HttpRequest) -> HttpResponse:
    form = PlaceFilterForm(request.GET)
    if not form.is_valid():
        return bad_query(request, field_errors(form))
    rows: list[Department] = list(
        catalog_selectors.department_list(city=form.cleaned_data.get("city") or None)
    )
    district = form.cleaned_data.get("district")
    if district:
        rows = [d for d in rows if d.jurisdiction.code == district]
    context = {"form": form, "groups": _group_by_jurisdiction(rows), "count": len(rows)}
    return render(request, "portal/departments.html", context)


@require_safe
@public_page
def department_detail(request: HttpRequest, uuid: uuid_lib.UUID) -> HttpResponse:
    department: Department = _get_or_404(catalog_selectors.department_get, uuid)
    context = {
        "department": department,
        "services": catalog_selectors.service_item_list_for_department(department=department),
        "units": list(department.units.all()),
    }
    return render(request, "portal/department_detail.html", context)


@require_safe
@public_page
def specialists(request: HttpRequest) -> HttpResponse:
    form = PlaceFilterForm(request.GET)
    if not form.is_valid():
        return bad_query(request, field_errors(form))
    rows: list[Specialist] = list(
        catalog_selectors.specialist_list(
            city=form.cleaned_data.get("city") or None,
            district=form.cleaned_data.get("district") or None,
        )
    )
    context = {"form": form, "groups": _group_by_jurisdiction(rows), "count": len(rows)}
    return render(request, "portal/specialists.html", context)
