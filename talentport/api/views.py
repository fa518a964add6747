"""API v1 views: parse input → selector or engine → serializer. Nothing else.

All endpoints are public and read-only (the eligibility check computes, it stores
nothing), so they take no session: no CSRF token is needed to call them.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from csp.constants import SELF
from csp.decorators import csp_update
from django.core.exceptions import ObjectDoesNotExist, RequestDataTooBig
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.http.request import RawPostDataException
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework import serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from talentport.api import serializers as s
from talentport.api.errors import ApiError, ErrorList, error, not_found
from talentport.api.pagination import page_of, paginated_data
from talentport.catalog import selectors
from talentport.policies.engine import ProfileInvalid, evaluate, validate_profile
from talentport.policies.selectors import policies_in_force

logger = logging.getLogger("talentport.api")

ERRORS = {
    400: s.ErrorResponseSerializer,
    404: s.ErrorResponseSerializer,
}
CATALOG = ["catalog"]

SerializerT = TypeVar("SerializerT", bound=serializers.Serializer[Any])
T = TypeVar("T")


def parse_query(serializer_class: type[SerializerT], request: Request) -> SerializerT:
    serializer = serializer_class(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return serializer


def get_by_uuid(getter: Callable[..., T | None], raw: str, *, field: str, message: str) -> T:
    """One object by its public UUID; a malformed or unknown UUID is the same JSON 404."""
    try:
        public_id = uuid.UUID(raw)
    except ValueError:
        raise not_found(field, message) from None
    try:
        found = getter(uuid=public_id)
    except ObjectDoesNotExist:
        found = None
    if found is None:
        raise not_found(field, message)
    return found


def uuid_path(name: str = "id") -> OpenApiParameter:
    return OpenApiParameter(name, OpenApiTypes.UUID, OpenApiParameter.PATH, description="公开编号")


class PublicAPIView(APIView):
    authentication_classes: list[Any] = []


# --- catalog -------------------------------------------------------------------------


def service_page(request: Request, query: s.ServiceQuerySerializer) -> Response:
    number, size = query.validated_data["page"], query.validated_data["page_size"]
    found = selectors.service_item_search_page(
        offset=(number - 1) * size, limit=size, **query.filters()
    )
    page = page_of(count=found.count, items=found.items, number=number, size=size)
    results = s.ServiceListItemSerializer(page.items, many=True, context={"request": request}).data
    return Response(paginated_data(request, page, list(results)))


class ServiceListView(PublicAPIView):
    @extend_schema(
        operation_id="services_list",
        summary="服务事项清单",
        description="按城市、区（市）、阶段、类别、类型筛选服务事项；有 `q` 时按相关度排序，"
        "支持中文词语、全拼和拼音首字母。每页 20 条（`page_size` 最多 100）。",
        parameters=[s.ServiceQuerySerializer],
        responses={200: s.PaginatedServiceListSerializer, **ERRORS},
        tags=CATALOG,
    )
    def get(self, request: Request) -> Response:
        return service_page(request, parse_query(s.ServiceQuerySerializer, request))


class SearchView(PublicAPIView):
    @extend_schema(
        operation_id="search",
        summary="搜索服务事项",
        description="与 `/services` 相同，但必须给出 `q`（空白返回 400“请输入搜索内容”）。",
        parameters=[s.SearchQuerySerializer],
        responses={200: s.PaginatedServiceListSerializer, **ERRORS},
        tags=CATALOG,
    )
    def get(self, request: Request) -> Response:
        return service_page(request, parse_query(s.SearchQuerySerializer, request))


class ServiceDetailView(PublicAPIView):
    @extend_schema(
        operation_id="services_retrieve",
        summary="服务事项办事指南",
        description="一个事项的全部指南要素、申请材料、执行部门及电话、兑现的政策和有效期。",
        parameters=[uuid_path()],
        responses={200: s.ServiceDetailSerializer, 404: s.ErrorResponseSerializer},
        tags=CATALOG,
    )
    def get(self, request: Request, id: str) -> Response:
        item = get_by_uuid(selectors.service_item_get, id, field="id", message="未找到该服务事项")
        return Response(s.ServiceDetailSerializer(item, context={"request": request}).data)


class DepartmentListView(PublicAPIView):
    @extend_schema(
        operation_id="departments_list",
        summary="部门清单",
        parameters=[s.CityQuerySerializer],
        responses={200: s.DepartmentListSerializer, 400: s.ErrorResponseSerializer},
        tags=CATALOG,
    )
    def get(self, request: Request) -> Response:
        query = parse_query(s.CityQuerySerializer, request)
        departments = list(selectors.department_list(city=query.validated_data.get("city")))
        results = s.DepartmentSerializer(departments, many=True).data
        return Response({"count": len(departments), "results": results})


class DepartmentDetailView(PublicAPIView):
    @extend_schema(
        operation_id="departments_retrieve",
        summary="部门详情",
        description="部门职责、联系方式及其执行的服务事项编号。",
        parameters=[uuid_path()],
        responses={200: s.DepartmentDetailSerializer, 404: s.ErrorResponseSerializer},
        tags=CATALOG,
    )
    def get(self, request: Request, id: str) -> Response:
        department = get_by_uuid(selectors.department_get, id, field="id", message="未找到该部门")
        return Response(s.DepartmentDetailSerializer(department).data)


class JurisdictionListView(PublicAPIView):
    @extend_schema(
        operation_id="jurisdictions_list",
        summary="行政区域",
        description="城市、区（市）和功能区；`id` 即各接口使用的 city / district 标识。",
        responses={200: s.JurisdictionListSerializer},
        tags=CATALOG,
    )
    def get(self, request: Request) -> Response:
        jurisdictions = list(selectors.jurisdiction_list())
        results = s.JurisdictionSerializer(jurisdictions, many=True).data
        return Response({"count": len(jurisdictions), "results": results})


class SpecialistListView(PublicAPIView):
    @extend_schema(
        operation_id="specialists_list",
        summary="留学人员服务专员",
        parameters=[s.AreaQuerySerializer],
        responses={200: s.SpecialistListSerializer, 400: s.ErrorResponseSerializer},
        tags=CATALOG,
    )
    def get(self, request: Request) -> Response:
        query = parse_query(s.AreaQuerySerializer, request)
        specialists = list(
            selectors.specialist_list(
                city=query.validated_data.get("city"),
                district=query.validated_data.get("district"),
            )
        )
        results = s.SpecialistSerializer(specialists, many=True).data
        return Response({"count": len(specialists), "results": results})


class LifeEventListView(PublicAPIView):
    @extend_schema(
        operation_id="life_events_list",
        summary="人生事件（一件事）",
        responses={200: s.LifeEventListSerializer},
        tags=CATALOG,
    )
    def get(self, request: Request) -> Response:
        events = list(selectors.life_event_list())
        results = s.LifeEventSerializer(events, many=True).data
        return Response({"count": len(events), "results": results})


# --- eligibility ---------------------------------------------------------------------

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
EXAMPLE_PROFILE = {
    "as_of": "2026-11-22",
    "person": {"birth_date": "1991-04-02"},
    "education": {
        "degree": "doctor",
        "overseas": True,
        "full_time": True,
        "graduation_date": "2025-01-20",
        "cscse_certified": True,
    },
    "employment": {
        "kind": "employee",
        "city": "qingdao",
        "district": "shibei",
        "employer_type": "state_owned_enterprise",
        "start_date": "2025-04-01",
        "first_in_city": True,
    },
}


def _reject_constant(name: str) -> Any:
    raise ValueError(f"不支持的数值 {name}")


def read_json_body(request: Request) -> Any:
    """The raw body as JSON, whatever the Content-Type claims (curl -d sends a form type)."""
    try:
        raw = request.body
    except RequestDataTooBig:
        raise ApiError(
            [error("", "请求内容过大", "too_large")], status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
        ) from None
    except RawPostDataException:  # already read by a parser
        return request.data
    if not raw.strip():
        raise ApiError([error("", "请求体为空：请以 JSON 对象提交个人资料", "required")])
    try:
        return json.loads(raw, parse_constant=_reject_constant)
    except (ValueError, RecursionError):  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise ApiError([error("", "请求体不是有效的 JSON", "parse_error")]) from None


def parse_as_of(value: Any, field: str) -> dt.date | None | dict[str, str]:
    """A YYYY-MM-DD date, None when absent, or the error naming ``field``."""
    if value is None or value == "":
        return None
    if isinstance(value, str) and ISO_DATE.match(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    return error(field, "日期格式应为 YYYY-MM-DD 且为有效日期", "invalid")


class EligibilityView(PublicAPIView):
    parser_classes = [JSONParser]
    throttle_scope = "eligibility"

    @extend_schema(
        operation_id="eligibility",
        summary="个人政策匹配（能享受哪些政策）",
        description="请求体为个人资料（契约 profile.schema.json，所有字段可选）。评估日期取查询参数 "
        "`as_of`，其次请求体的 `as_of`，默认今天。每条政策都在 `results` 中，状态为 eligible、"
        "ineligible、needs_info 或 excluded。资料有误时返回 400，每个问题一条并给出字段路径。",
        parameters=[s.EligibilityQuerySerializer],
        request=s.ProfileSerializer,
        responses={200: s.EligibilitySerializer, 400: s.ErrorResponseSerializer},
        examples=[OpenApiExample("市北区博士", value=EXAMPLE_PROFILE, request_only=True)],
        tags=["eligibility"],
    )
    def post(self, request: Request) -> Response:
        profile = read_json_body(request)
        if not isinstance(profile, dict):
            raise ApiError([error("", "个人资料必须是 JSON 对象", "invalid")])

        errors: ErrorList = [
            error(problem.field, problem.message, str(getattr(problem, "code", None) or "invalid"))
            for problem in validate_profile(profile)
        ]
        as_of = parse_as_of(profile.get("as_of"), "as_of")
        if isinstance(as_of, dict):
            if not any(item["field"] == "as_of" for item in errors):
                errors.append(as_of)
            as_of = None
        query_as_of = parse_as_of(request.query_params.get("as_of"), "as_of")
        if isinstance(query_as_of, dict):
            errors.append(query_as_of)
        elif query_as_of is not None:
            as_of = query_as_of
        if errors:
            raise ApiError(errors)

        try:
            result = evaluate(profile, as_of=as_of, policies=policies_in_force())
        except ProfileInvalid as exc:
            raise ApiError([error(e.field, e.message) for e in exc.errors]) from None
        except (ValueError, TypeError, KeyError, ArithmeticError, AttributeError):
            # The engine met input its validator let through: the profile's fault, not a 500.
            logger.exception("eligibility evaluation failed on a validated profile")
            raise ApiError(
                [error("", "无法根据所填资料进行评估，请检查各项内容", "unprocessable")]
            ) from None
        return Response(result)


# --- docs and health -----------------------------------------------------------------


class SwaggerView(SpectacularSwaggerSplitView):
    """Swagger UI whose start-up script is a separate request (``?script``), not inline:
    the page works under the site's Content-Security-Policy without 'unsafe-inline'."""

    template_name = "api/swagger_ui.html"


@method_decorator(csp_update({"worker-src": [SELF, "blob:"]}), name="dispatch")
class RedocView(SpectacularRedocView):
    """Redoc without the Google Fonts links of the stock template (no asset leaves the
    site) and without inline script or style (Content-Security-Policy).  Redoc's search
    runs in a Web Worker that its bundle starts from a ``blob:`` URL: this page alone
    allows that (``worker-src 'self' blob:``); scripts stay ``'self'`` plus nonce."""

    template_name = "api/redoc.html"


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and database reachability, for load balancers and monitoring."""
    vendor = connection.vendor
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any failure to reach the database is "unreachable", never a 500
        logger.warning("health check: database unreachable", exc_info=True)
        return JsonResponse(
            {"status": "error", "database": "unreachable", "vendor": vendor},
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
        )
    return JsonResponse(
        {"status": "ok", "database": "ok", "vendor": vendor, "queue": _queue_health()}
    )


def _queue_health() -> dict[str, Any]:
    """The task queue's broker kind and last heartbeat; informative, never a 503: a stale
    scheduler must not take the portal out of a load balancer."""
    from talentport.common.queue import broker_kind, queue_status

    try:
        return queue_status()
    except Exception:  # e.g. the heartbeat table not migrated yet
        logger.warning("health check: queue heartbeat unreadable", exc_info=True)
        return {"broker": broker_kind(), "last_heartbeat": None, "stale": True}
