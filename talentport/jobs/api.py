"""REST API of the jobs app: parse input → selector or service → serializer."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

from django.db import transaction
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import APIView

from talentport.api.errors import ApiError, error, not_found
from talentport.api.serializers import ErrorResponseSerializer
from talentport.common.pii import log_pii_access_many
from talentport.jobs import selectors, services
from talentport.jobs import serializers as s
from talentport.jobs.errors import JobsError
from talentport.jobs.models import (
    EmployerOrg,
    Event,
    EventRegistration,
    FairCandidate,
    JobFair,
    Referral,
    RegistrationStatus,
    TalentPoolEntry,
)
from talentport.people import permissions
from talentport.people.models import Role
from talentport.people.permissions import JOBS_JURISDICTION, Perm

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


def _input(serializer_class: type[SerializerT], request: Request) -> dict[str, Any]:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _public_id(raw: object) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(raw))
    except ValueError:
        return None


def _is_jobs_staff(user: Any) -> bool:
    return permissions.can(user, Perm.JOBS_MANAGE, permissions.Target(JOBS_JURISDICTION))


def _require_staff(request: Request) -> None:
    if not _is_jobs_staff(request.user):
        raise _forbidden("只有负责人才服务的工作人员可以执行此操作")


def _require_role(request: Request, role: str, message: str) -> None:
    if getattr(request.user, "role", "") != role:
        raise _forbidden(message)


def _own_org(request: Request) -> EmployerOrg:
    """The employer account's organisation (403 for other roles, 409 before it exists)."""
    _require_role(request, Role.EMPLOYER, "只有用人单位账户可以执行此操作")
    org = selectors.employer_org_for_user(user=request.user)
    if org is None:
        raise ApiError([error("", "请先登记单位信息", "no_employer_org")], status.HTTP_409_CONFLICT)
    return org


def _own_entry(request: Request) -> TalentPoolEntry:
    entry = selectors.pool_entry_for_user(user=request.user)
    if entry is None:
        raise not_found("talent_pool", "您尚未登记人才信息")
    return entry


class AuthenticatedView(APIView):
    permission_classes = [IsAuthenticated]


# --- positions and matches -----------------------------------------------------------


class PositionListApi(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]

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

    @extend_schema(
        operation_id="jobs_positions_create",
        summary="发布岗位（用人单位）",
        description="经认证的用人单位发布岗位，并推送给匹配度高的人才。",
        request=s.JobsPositionInputSerializer,
        responses={201: s.JobsEmployerPositionSerializer, **ERRORS},
        tags=JOBS,
    )
    def post(self, request: Request) -> Response:
        org = _own_org(request)
        data = _input(s.JobsPositionInputSerializer, request)
        position = _service(lambda: services.position_create(org=org, actor=request.user, **data))
        return Response(
            s.JobsEmployerPositionSerializer(position).data, status=status.HTTP_201_CREATED
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
        log_pii_access_many(
            actor=request.user,
            subjects=[match.entry for match in matches],
            field="contact",
            purpose="接口：用人单位查看岗位匹配人才",
        )
        return Response(s.JobsCandidateMatchSerializer(matches, many=True).data)


# --- talent pool ---------------------------------------------------------------------


class PoolRegistrationApi(AuthenticatedView):
    throttle_scope = "talent_pool"

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
    permission_classes = [IsAuthenticatedOrReadOnly]

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

    @extend_schema(
        operation_id="events_create",
        summary="新建活动（工作人员）",
        description="默认保存为草稿；`publish` 为 true 时立即发布、开放报名。",
        request=s.JobsEventCreateInputSerializer,
        responses={201: s.JobsEventStaffSerializer, **ERRORS},
        tags=EVENTS,
    )
    def post(self, request: Request) -> Response:
        _require_staff(request)
        data = _input(s.JobsEventCreateInputSerializer, request)
        event = _service(lambda: services.event_create(actor=request.user, **data))
        return Response(s.JobsEventStaffSerializer(event).data, status=status.HTTP_201_CREATED)


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
    throttle_scope = "event_registration"

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
        if not _is_jobs_staff(request.user):
            raise _forbidden("只有负责人才服务的工作人员可以查看")
        return Response(s.JobsAmbassadorStatsSerializer(selectors.ambassador_stats()).data)


# --- staff and employer operations ---------------------------------------------------


def _staff_event(request: Request, id: str) -> Event:
    _require_staff(request)
    return _found(selectors.event_get(uuid=id, include_unpublished=True), "id", "活动不存在")


def _staff_fair(request: Request, id: str) -> JobFair:
    _require_staff(request)
    return _found(selectors.fair_get(uuid=id, include_drafts=True), "id", "招聘会不存在")


class EventPublishApi(AuthenticatedView):
    @extend_schema(
        operation_id="events_publish",
        summary="发布活动（工作人员）",
        description="草稿发布后开放报名；已发布或已取消的活动答 409。",
        parameters=[_id()],
        request=None,
        responses={200: s.JobsEventStaffSerializer, **ERRORS},
        tags=EVENTS,
    )
    def post(self, request: Request, id: str) -> Response:
        event = _staff_event(request, id)
        event = _service(lambda: services.event_publish(event=event, actor=request.user))
        return Response(s.JobsEventStaffSerializer(event).data)


class EventAttendanceApi(AuthenticatedView):
    @extend_schema(
        operation_id="events_attendance_mark",
        summary="登记出席（工作人员）",
        description=(
            "把该活动的若干报名一并登记为出席或未出席；只有已确认的报名可以登记，"
            "有一条不行则全部不改（409）。"
        ),
        parameters=[_id()],
        request=s.JobsEventAttendanceInputSerializer,
        responses={200: s.JobsEventAttendanceSerializer, **ERRORS},
        tags=EVENTS,
    )
    def post(self, request: Request, id: str) -> Response:
        event = _staff_event(request, id)
        data = _input(s.JobsEventAttendanceInputSerializer, request)
        wanted = list(dict.fromkeys(data["registrations"]))
        found = {r.uuid: r for r in EventRegistration.objects.filter(event=event, uuid__in=wanted)}
        missing = [str(value) for value in wanted if value not in found]
        if missing:
            raise not_found("registrations", "该活动没有这些报名：" + "、".join(missing))
        with transaction.atomic():
            marked = [
                _service(
                    partial(
                        services.event_attendance_mark,
                        registration=found[value],
                        actor=request.user,
                        attended=data["attended"],
                    )
                )
                for value in wanted
            ]
        return Response(
            s.JobsEventAttendanceSerializer({"event": event, "registrations": marked}).data
        )


class EventFeedbackApi(AuthenticatedView):
    @extend_schema(
        operation_id="events_feedback_summary",
        summary="活动反馈汇总（工作人员）",
        description="出席与评价：人数、出席率、平均分、评分分布和最近的评价内容。",
        parameters=[_id()],
        responses={200: s.JobsEventFeedbackSummarySerializer, **ERRORS},
        tags=EVENTS,
    )
    def get(self, request: Request, id: str) -> Response:
        event = _staff_event(request, id)
        summary = selectors.event_feedback_summary(event=event)
        return Response(s.JobsEventFeedbackSummarySerializer(summary).data)

    @extend_schema(
        operation_id="events_feedback_submit",
        summary="评价活动",
        description="已确认参加的本人在活动开始后评分（1-5）并可留言；再次提交即修改。",
        parameters=[_id()],
        request=s.JobsEventFeedbackInputSerializer,
        responses={200: s.JobsEventFeedbackSerializer, **ERRORS},
        tags=EVENTS,
    )
    def post(self, request: Request, id: str) -> Response:
        event = _found(selectors.event_get(uuid=id), "id", "活动不存在")
        registration = _found(
            selectors.event_registration_for(event=event, user=request.user),
            "id",
            "您没有该活动的报名",
        )
        data = _input(s.JobsEventFeedbackInputSerializer, request)
        registration = _service(
            lambda: services.event_feedback_submit(
                registration=registration, actor=request.user, **data
            )
        )
        return Response(s.JobsEventFeedbackSerializer(registration).data)


class FairListApi(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(
        operation_id="jobs_fairs_list",
        summary="招聘会列表",
        description="已发布的招聘会（含历史届次）；工作人员还能看到草稿。",
        responses={200: s.JobsFairSerializer(many=True), **ERRORS},
        tags=JOBS,
    )
    def get(self, request: Request) -> Response:
        staff = _is_jobs_staff(request.user)
        fairs = selectors.fair_list(include_drafts=staff)
        return Response(s.JobsFairSerializer(fairs, many=True).data)

    @extend_schema(
        operation_id="jobs_fairs_create",
        summary="新建招聘会（工作人员）",
        description="日期、地点和求职者名额；默认保存为草稿，`publish` 为 true 时立即发布。",
        request=s.JobsFairCreateInputSerializer,
        responses={201: s.JobsFairSerializer, **ERRORS},
        tags=JOBS,
    )
    def post(self, request: Request) -> Response:
        _require_staff(request)
        data = _input(s.JobsFairCreateInputSerializer, request)
        fair = _service(lambda: services.fair_create(actor=request.user, **data))
        return Response(s.JobsFairSerializer(fair).data, status=status.HTTP_201_CREATED)


class FairPublishApi(AuthenticatedView):
    @extend_schema(
        operation_id="jobs_fairs_publish",
        summary="发布招聘会（工作人员）",
        description="草稿发布后对外展示、开放报名；已发布的答 409。",
        parameters=[_id()],
        request=None,
        responses={200: s.JobsFairSerializer, **ERRORS},
        tags=JOBS,
    )
    def post(self, request: Request, id: str) -> Response:
        fair = _staff_fair(request, id)
        fair = _service(lambda: services.fair_publish(fair=fair, actor=request.user))
        return Response(s.JobsFairSerializer(fair).data)


class FairCheckInApi(AuthenticatedView):
    @extend_schema(
        operation_id="jobs_fairs_check_in",
        summary="求职者签到（工作人员）",
        description="按报名编号为求职者签到；已签到的答 409。",
        parameters=[_id()],
        request=s.JobsFairCheckInInputSerializer,
        responses={200: s.JobsFairCandidateSerializer, **ERRORS},
        tags=JOBS,
    )
    def post(self, request: Request, id: str) -> Response:
        fair = _staff_fair(request, id)
        candidate_id = _input(s.JobsFairCheckInInputSerializer, request)["candidate"]
        candidate = _found(
            FairCandidate.objects.filter(fair=fair, uuid=candidate_id).first(),
            "candidate",
            "该招聘会没有这条求职者报名",
        )
        candidate = _service(
            lambda: services.fair_candidate_check_in(candidate=candidate, actor=request.user)
        )
        return Response(s.JobsFairCandidateSerializer(candidate).data)


class FairEmployerApi(AuthenticatedView):
    @extend_schema(
        operation_id="jobs_fairs_employer_register",
        summary="单位报名参会（用人单位）",
        description="本单位（须已认证）报名参加已发布、未结束的招聘会。",
        parameters=[_id()],
        request=None,
        responses={201: s.JobsFairEmployerSerializer, **ERRORS},
        tags=JOBS,
    )
    def post(self, request: Request, id: str) -> Response:
        org = _own_org(request)
        fair = _found(selectors.fair_get(uuid=id), "id", "招聘会不存在")
        booth = _service(
            lambda: services.fair_employer_register(fair=fair, org=org, actor=request.user)
        )
        return Response(s.JobsFairEmployerSerializer(booth).data, status=status.HTTP_201_CREATED)


class FairCandidateApi(AuthenticatedView):
    @extend_schema(
        operation_id="jobs_fairs_candidate_signup",
        summary="求职者报名招聘会",
        description="留学人员本人报名已发布、未结束的招聘会；名额满时答 409。",
        parameters=[_id()],
        request=None,
        responses={201: s.JobsFairCandidateSerializer, **ERRORS},
        tags=JOBS,
    )
    def post(self, request: Request, id: str) -> Response:
        _require_role(request, Role.APPLICANT, "只有求职者本人可以报名")
        fair = _found(selectors.fair_get(uuid=id), "id", "招聘会不存在")
        candidate = _service(lambda: services.fair_candidate_signup(fair=fair, user=request.user))
        return Response(
            s.JobsFairCandidateSerializer(candidate).data, status=status.HTTP_201_CREATED
        )


class AmbassadorCreateApi(AuthenticatedView):
    @extend_schema(
        operation_id="jobs_ambassadors_create",
        summary="登记特派员（工作人员）",
        description="推荐码留空则自动生成；推荐码已被使用时答 409。",
        request=s.JobsAmbassadorInputSerializer,
        responses={201: s.JobsAmbassadorSerializer, **ERRORS},
        tags=JOBS,
    )
    def post(self, request: Request) -> Response:
        _require_staff(request)
        data = _input(s.JobsAmbassadorInputSerializer, request)
        ambassador = _service(lambda: services.ambassador_create(actor=request.user, **data))
        return Response(s.JobsAmbassadorSerializer(ambassador).data, status=status.HTTP_201_CREATED)


class ReferralAdvanceApi(AuthenticatedView):
    @extend_schema(
        operation_id="jobs_referrals_advance",
        summary="推进引才推荐（工作人员）",
        description="已入库 → 已投递岗位 → 已来青就业，只能向前；不向前时答 409。",
        parameters=[_id()],
        request=s.JobsReferralAdvanceInputSerializer,
        responses={200: s.JobsReferralSerializer, **ERRORS},
        tags=JOBS,
    )
    def post(self, request: Request, id: str) -> Response:
        _require_staff(request)
        public_id = _public_id(id)
        referral = _found(
            None
            if public_id is None
            else Referral.objects.select_related("ambassador", "entry")
            .filter(uuid=public_id)
            .first(),
            "id",
            "推荐记录不存在",
        )
        data = _input(s.JobsReferralAdvanceInputSerializer, request)
        referral = _service(
            lambda: services.referral_advance(
                referral=referral,
                to_status=data["status"],
                actor=request.user,
                reason=data["reason"],
            )
        )
        return Response(s.JobsReferralSerializer(referral).data)


class EmployerVerificationApi(AuthenticatedView):
    @extend_schema(
        operation_id="jobs_employers_verify",
        summary="审核用人单位（工作人员）",
        description=(
            "通过（verified）或不通过（rejected，须填审核意见）；也可撤销已通过的认证。"
            "不允许的状态变化答 409。"
        ),
        parameters=[_id()],
        request=s.JobsEmployerVerificationInputSerializer,
        responses={200: s.JobsEmployerOrgSerializer, **ERRORS},
        tags=JOBS,
    )
    def post(self, request: Request, id: str) -> Response:
        _require_staff(request)
        org = _found(selectors.employer_org_get(uuid=id), "id", "用人单位不存在")
        data = _input(s.JobsEmployerVerificationInputSerializer, request)
        org = _service(lambda: services.employer_org_verify(org=org, actor=request.user, **data))
        if org.contact_phone:
            log_pii_access_many(
                actor=request.user,
                subjects=[org],
                field="contact_phone",
                purpose="接口审核用人单位",
            )
        return Response(s.JobsEmployerOrgSerializer(org).data)


class EmployerOrgApi(AuthenticatedView):
    @extend_schema(
        operation_id="jobs_employer_retrieve",
        summary="本单位信息（用人单位）",
        description="本账户的单位信息及认证状态；尚未登记时答 404。",
        responses={200: s.JobsEmployerOrgSerializer, **ERRORS},
        tags=JOBS,
    )
    def get(self, request: Request) -> Response:
        _require_role(request, Role.EMPLOYER, "只有用人单位账户可以查看单位信息")
        org = _found(
            selectors.employer_org_for_user(user=request.user), "employer", "您尚未登记单位信息"
        )
        return Response(s.JobsEmployerOrgSerializer(org).data)

    @extend_schema(
        operation_id="jobs_employer_save",
        summary="登记或变更本单位信息（用人单位）",
        description=(
            "首次提交即登记（201），之后为变更（200）。任何变更都回到待审核："
            "已认证单位变更期间岗位暂停展示，审核通过后恢复。"
        ),
        request=s.JobsEmployerOrgInputSerializer,
        responses={200: s.JobsEmployerOrgSerializer, 201: s.JobsEmployerOrgSerializer, **ERRORS},
        tags=JOBS,
    )
    def put(self, request: Request) -> Response:
        _require_role(request, Role.EMPLOYER, "只有用人单位账户可以登记单位信息")
        data = _input(s.JobsEmployerOrgInputSerializer, request)
        created = selectors.employer_org_for_user(user=request.user) is None
        org = _service(lambda: services.employer_org_save(user=request.user, **data))
        return Response(
            s.JobsEmployerOrgSerializer(org).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class PositionCloseApi(AuthenticatedView):
    @extend_schema(
        operation_id="jobs_positions_close",
        summary="结束招聘（用人单位）",
        description="本单位的岗位结束招聘；已结束的答 409。",
        parameters=[_id()],
        request=None,
        responses={200: s.JobsEmployerPositionSerializer, **ERRORS},
        tags=JOBS,
    )
    def post(self, request: Request, id: str) -> Response:
        org = _own_org(request)
        position = _found(selectors.org_position_get(org=org, uuid=id), "id", "岗位不存在")
        position = _service(lambda: services.position_close(position=position, actor=request.user))
        return Response(s.JobsEmployerPositionSerializer(position).data)


class PositionApplicationApi(AuthenticatedView):
    throttle_scope = "position_application"

    @extend_schema(
        operation_id="jobs_positions_apply",
        summary="投递岗位",
        description="已登记人才信息的本人投递正在招聘的岗位，记录投递时的匹配度；重复投递答 409。",
        parameters=[_id()],
        request=None,
        responses={201: s.JobsApplicationSerializer, **ERRORS},
        tags=JOBS,
    )
    def post(self, request: Request, id: str) -> Response:
        _require_role(request, Role.APPLICANT, "只有留学人员本人可以投递岗位")
        position = _found(selectors.position_get(uuid=id), "id", "岗位不存在或已停止招聘")
        entry = _own_entry(request)
        application = _service(
            lambda: services.job_apply(entry=entry, position=position, actor=request.user)
        )
        return Response(
            s.JobsApplicationSerializer(application).data, status=status.HTTP_201_CREATED
        )
