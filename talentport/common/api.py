"""API v1 of the audit journal and the personal-data access log: auditors only.

``GET /api/v1/audit/events`` and ``GET /api/v1/audit/pii-access``, newest first, in
the project's page style (``{"count", "next", "previous", "results"}``).  Reading the
access log is itself journaled.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from talentport.api.pagination import Page, page_of, paginated_data
from talentport.api.serializers import ErrorResponseSerializer
from talentport.common import selectors
from talentport.common import serializers as s
from talentport.common.models import PiiAccessLog
from talentport.common.services import audit_event_record
from talentport.people.permissions import is_auditor

TAGS = ["audit"]
ERRORS = {
    400: ErrorResponseSerializer,
    401: ErrorResponseSerializer,
    403: ErrorResponseSerializer,
    404: ErrorResponseSerializer,
}
PAGE_HELP = (
    "按页返回，最新的在前：`page` 从 1 开始，`page_size` 默认 20、最多 100；格式不对返回 400 "
    "并指明字段，页码超出范围返回 404。日期按北京时间，含起止当天。仅安全审计员可用。"
)
FILTERS = ("actor", "subject_type", "subject_id", "date_from", "date_to")


class IsAuditor(BasePermission):
    message = "只有安全审计员可以查看审计记录"

    def has_permission(self, request: Request, view: Any) -> bool:
        return is_auditor(request.user)


class AuditorView(APIView):
    permission_classes = [IsAuthenticated, IsAuditor]


def _page(
    request: Request, rows: QuerySet[Any], data: dict[str, Any]
) -> tuple[Page[Any], list[Any]]:
    number, size = data["page"], data["page_size"]
    # bounds first (a 404 naming ``page``), so a huge page number never reaches the database
    page: Page[Any] = page_of(count=rows.count(), items=[], number=number, size=size)
    return page, list(rows[(number - 1) * size : number * size])


class AuditEventListView(AuditorView):
    @extend_schema(
        operation_id="audit_events_list",
        summary="审计日志（安全审计员）",
        description="只追加、以哈希链相连的审计日志：操作人、动作、对象、状态变化、IP、"
        "序号与哈希。" + PAGE_HELP,
        parameters=[s.AuditEventQuerySerializer],
        responses={200: s.AuditEventPageSerializer, **ERRORS},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        query = s.AuditEventQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        filters = {key: data[key] for key in (*FILTERS, "action") if data.get(key)}
        page, items = _page(request, selectors.audit_event_search(**filters), data)
        results = list(s.AuditEventSerializer(items, many=True).data)
        return Response(paginated_data(request, page, results))


class PiiAccessListView(AuditorView):
    @extend_schema(
        operation_id="audit_pii_access_list",
        summary="个人信息查看记录（安全审计员）",
        description="谁在何时、为何查看了谁的哪项个人信息；查看本记录本身记入审计日志。"
        + PAGE_HELP,
        parameters=[s.PiiAccessQuerySerializer],
        responses={200: s.PiiAccessPageSerializer, **ERRORS},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        query = s.PiiAccessQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        filters = {key: data[key] for key in (*FILTERS, "field") if data.get(key)}
        page, items = _page(request, selectors.pii_access_search(**filters), data)
        audit_event_record(
            subject_type=PiiAccessLog._meta.label_lower,
            action="audit.pii_log_viewed",
            actor=request.user,
            data={
                "filters": {key: str(value) for key, value in filters.items()},
                "page": page.number,
                "via": "api",
            },
        )
        results = list(s.PiiAccessSerializer(items, many=True).data)
        return Response(paginated_data(request, page, results))
