"""REST API of the jobs app: parse input → selector or service → serializer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import APIView

from talentport.api.errors import ApiError, error, not_found
from talentport.api.serializers import ErrorResponseSerializer
from talentport.jobs import selectors, services
from talentport.jobs import serializers as s
from talentport.jobs.errors import JobsError
from talentport.jobs.models import EventRegistration, RegistrationStatus, TalentPoolEntry
from talentport.people.models import Role

T = TypeVar("T")
SerializerT = TypeVar("SerializerT", bound=serializers.Serializer[Any])
JOBS = ["jobs"]
EVENTS = ["events"]
POOL = ["talent-pool"]
ERRORS = {
    400: ErrorResponseSerializer,
    403: ErrorResponseSerializer,
    404: ErrorResponseSerializer,
    409: ErrorResponseSerializer,
}


def _id(name: str = "id") -> OpenApiParameter:
    return OpenApiParameter(name, OpenApiTypes.UUID, OpenApiParameter.PATH, description="公开编号")


def _query(serializer_class: type[SerializerT], request: Request) -> SerializerT:
    serializer = serializer_class(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return serializer


def _found(value: T | None, field: str, message: str) -> T:
    if value is None:
        raise not_found(field, message)
    return value


def _service(call: Callable[[], T]) -> T:
    try:
        return call()
    except JobsError as refusal:
        raise ApiError(
            [error(refusal.field, refusal.message, refusal.code)], refusal.status
        ) from None


def _forbidden(message: str) -> ApiError:
    return ApiError([error("", message, "forbidden")], status.HTTP_403_FORBIDDEN)


def _own_entry(request: Request) -> TalentPoolEntry:
    entry = selectors.pool_entry_for_user(user=request.user)
    if entry is None:
        raise not_found("talent_pool", "您尚未登记人才信息")
    return entry


class AuthenticatedView(APIView):
    permission_classes = [IsAuthenticated]


# --- positions and matches -----------------------------------------------------------


class PositionListApi(APIView):
    @extend_schema(
        operation_id="jobs_positions_list",
        summary="岗位列表",
        description="经认证的用人单位正在招聘的岗位，可按关键词、行业、区（市）、学历筛选。",
        parameters=[s.JobsPositionQuerySerializer],
        responses={200: s.JobsPaginatedPositionSerializer, **ERRORS},
        tags=JOBS,
    )
    def get(self, request: Request) -> Response:
        query = _query(s.JobsPositionQuerySerializer, request).validated_data
        positions = list(
            selectors.position_list(
                q=query.get("q", ""),
                industry=query.get("industry", ""),
                district=query.get("district", ""),
                degree=query.get("degree", ""),
            )
        )
        number, size = query["page"], query["page_size"]
        last = max(1, -(-len(positions) // size))
        if number > last:
            raise not_found("page", "页码超出范围（共 " + str(last) + " 页）")
        url = request.build_absolute_uri()
        previous = None
        if number > 1:
            previous = (
                replace_query_param(url, "page", number - 1)
                if number > 2
                else remove_query_param(url, "page")
            )
        items = positions[(number - 1) * size : number * size]
        return Response(
            {
                "count": len(positions),
                "next": replace_query_param(url, "page", number + 1) if number < last else None,
                "previous": previous,
                "results": s.JobsPositionSerializer(items, many=True).data,
            }
        )


class PositionDetailApi(APIView):
    @extend_schema(
        operation_id="jobs_positions_retrieve",
        summary="岗位详情",
        parameters=[_id()],
        responses={200: s.JobsPositionSerializer, **ERRORS},
        tags=JOBS,
    )
    def get(self, request: Request, id: str) -> Response:
        position = _found(selectors.position_get(uuid=id), "id", "岗位不存在或已停止招聘")
        return Response(s.JobsPositionSerializer(position).data)


class MatchListApi(AuthenticatedView):
    @extend_schema(
        operation_id="jobs_matches_list",
        summary="我的岗位匹配",
        description="按专业、学历、薪资、地点、行业为本人匹配的岗位，附匹配度（0-100）和理由。",
        parameters=[s.JobsLimitQuerySerializer],
        responses={200: s.JobsPositionMatchSerializer(many=True), **ERRORS},
        tags=JOBS,
    )
    def get(self, request: Request) -> Response:
        limit = _query(s.JobsLimitQuerySerializer, request).validated_data["limit"]
        matches = selectors.position_matches_for_entry(entry=_own_entry(request), limit=limit)
        return Response(s.JobsPositionMatchSerializer(matches, many=True).data)


class CandidateListApi(AuthenticatedView):
    @extend_schema(
        operation_id="jobs_positions_candidates_list",
        summary="岗位匹配人才（用人单位）",
        description="本单位岗位的匹配人才，只含同意向用人单位展示并联系的人。",
        parameters=[_id(), s.JobsLimitQuerySerializer],
        responses={200: s.JobsCandidateMatchSerializer(many=True), **ERRORS},
        tags=JOBS,
    )
    def get(self, request: Request, id: str) -> Response:
        limit = _query(s.JobsLimitQuerySerializer, request).validated_data["limit"]
        if getattr(request.user, "role", "") != Role.EMPLOYER:
            raise _forbidden("只有用人单位账户可以查看匹配人才")
        org = _found(selectors.employer_org_for_user(user=request.user), "id", "岗位不存在")
        position = _found(selectors.org_position_get(org=org, uuid=id), "id", "岗位不存在")
        if not org.is_verified:
            raise _forbidden("单位通过认证后才能查看匹配人才")
        matches = selectors.candidates_for_position(position=position, limit=limit)
        return Response(s.JobsCandidateMatchSerializer(matches, many=True).data)


# --- talent pool ---------------------------------------------------------------------


class PoolRegistrationApi(AuthenticatedView):
    @extend_schema(
        operation_id="talent_pool_me_retrieve",
        summary="我的人才信息",
        responses={200: s.JobsPoolEntrySerializer, **ERRORS},
        tags=POOL,
    )
    def get(self, request: Request) -> Response:
        return Response(s.JobsPoolEntrySerializer(_own_entry(request)).data)

    @extend_schema(
        operation_id="talent_pool_register",
        summary="登记（或更新）意愿来青留学人才信息",
        description="本人登记；学历与毕业时间同步到人才画像 `education`。可附特派员推荐码。",
        request=s.JobsPoolEntryInputSerializer,
        responses={200: s.JobsPoolEntrySerializer, **ERRORS},
        tags=POOL,
    )
    def post(self, request: Request) -> Response:
        data = s.JobsPoolEntryInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        entry = _service(
            lambda: services.pool_entry_register(user=request.user, **data.validated_data)
        )
        entry.refresh_from_db()
        return Response(s.JobsPoolEntrySerializer(entry).data)


# --- events --------------------------------------------------------------------------


class EventListApi(APIView):
    @extend_schema(
        operation_id="events_list",
        summary="活动列表",
        description="开放报名的行前培训、创业研学和联谊活动。",
        parameters=[s.JobsEventQuerySerializer],
        responses={200: s.JobsEventSerializer(many=True), **ERRORS},
        tags=EVENTS,
    )
    def get(self, request: Request) -> Response:
        kind = _query(s.JobsEventQuerySerializer, request).validated_data.get("kind", "")
        return Response(s.JobsEventSerializer(selectors.event_list(kind=kind), many=True).data)


def _registration_data(registration: EventRegistration) -> dict[str, Any]:
    return dict(
        s.JobsEventRegistrationSerializer(
            {
                "uuid": registration.uuid,
                "event": registration.event,
                "status": registration.status,
                "waitlist_position": selectors.event_waitlist_position(registration=registration),
            }
        ).data
    )


class EventRegistrationApi(AuthenticatedView):
    @extend_schema(
        operation_id="events_registration_create",
        summary="报名活动",
        description="有名额即确认，否则进入候补；有人取消时候补按顺序递补。",
        parameters=[_id()],
        request=None,
        responses={201: s.JobsEventRegistrationSerializer, **ERRORS},
        tags=EVENTS,
    )
    def post(self, request: Request, id: str) -> Response:
        event = _found(selectors.event_get(uuid=id), "id", "活动不存在")
        registration = _service(lambda: services.event_register(event=event, user=request.user))
        return Response(_registration_data(registration), status=status.HTTP_201_CREATED)

    @extend_schema(
        operation_id="events_registration_cancel",
        summary="取消报名",
        parameters=[_id()],
        request=None,
        responses={200: s.JobsEventRegistrationSerializer, **ERRORS},
        tags=EVENTS,
    )
    def delete(self, request: Request, id: str) -> Response:
        event = _found(selectors.event_get(uuid=id), "id", "活动不存在")
        registration = selectors.event_registration_for(event=event, user=request.user)
        if registration is None or registration.status == RegistrationStatus.CANCELLED:
            raise not_found("id", "您没有该活动的有效报名")
        registration = _service(
            lambda: services.event_registration_cancel(
                registration=registration, actor=request.user
            )
        )
        return Response(_registration_data(registration))


# --- fairs and ambassadors -----------------------------------------------------------


class FairSummaryApi(APIView):
    @extend_schema(
        operation_id="jobs_fairs_summary",
        summary="招聘会汇总",
        description="参会单位类型及占比、各学历年薪区间、求职者报名与签到；历史届次附公开报道数字。",
        parameters=[_id()],
        responses={200: s.JobsFairSummarySerializer, **ERRORS},
        tags=JOBS,
    )
    def get(self, request: Request, id: str) -> Response:
        fair = _found(selectors.fair_get(uuid=id), "id", "招聘会不存在")
        return Response(s.JobsFairSummarySerializer(selectors.fair_summary(fair=fair)).data)


class AmbassadorStatsApi(AuthenticatedView):
    @extend_schema(
        operation_id="jobs_ambassadors_stats",
        summary="特派员推荐转化率（工作人员）",
        description="按特派员、国家和地区、高校及总体的推荐转化率，附公开报道的网络数字。",
        responses={200: s.JobsAmbassadorStatsSerializer, **ERRORS},
        tags=JOBS,
    )
    def get(self, request: Request) -> Response:
        if not getattr(request.user, "is_staff_role", False):
            raise _forbidden("只有工作人员可以查看")
        return Response(s.JobsAmbassadorStatsSerializer(selectors.ambassador_stats()).data)
