"""API v1 for policies: the policies in force, publishing a version (staff), the signed-in
person's stored profile and inbox, the district comparison, and 免申即享 grants (staff)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import permissions, serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from talentport.api.errors import ApiError, error, not_found
from talentport.api.serializers import ErrorResponseSerializer, ProfileSerializer
from talentport.funds.models import GrantStatus
from talentport.funds.selectors import grant_get_for, grant_list
from talentport.funds.services import GrantTransitionError, grant_decide
from talentport.notify.selectors import message_list_for
from talentport.people import permissions as access
from talentport.people.models import TalentProfile, User
from talentport.people.stepup import StepUpFresh
from talentport.policies.engine import validate_profile
from talentport.policies.errors import PolicyPublishError
from talentport.policies.questions import QINGDAO_DISTRICTS
from talentport.policies.selectors import (
    district_comparison,
    policies_in_force,
    policy_version_history,
    policy_versions_current,
    service_items_for_policies,
)
from talentport.policies.services import (
    policy_publish,
    stored_profile_errors,
    talent_profile_save,
)

TAGS = ["policies"]


class IsStaffRole(permissions.BasePermission):
    message = "仅限工作人员"

    def has_permission(self, request: Request, view: Any) -> bool:
        return access.is_staff(request.user)


class MayPublish(permissions.BasePermission):
    """Administrators with a scope; which policy they may publish the service decides."""

    message = access.DENIED

    def has_permission(self, request: Request, view: Any) -> bool:
        return access.can(request.user, access.Perm.POLICY_PUBLISH)


class MayDecideGrants(permissions.BasePermission):
    message = access.DENIED

    def has_permission(self, request: Request, view: Any) -> bool:
        return access.can(request.user, access.Perm.GRANT_DECIDE)


class PolicySerializer(serializers.Serializer[Any]):
    id = serializers.CharField()
    title = serializers.CharField()
    jurisdiction = serializers.CharField()
    kind = serializers.CharField(help_text="universal 普惠 / selective 遴选")
    benefit = serializers.CharField(help_text="cash 现金 / service 服务")
    auto_grant = serializers.BooleanField(help_text="免申即享")
    citation = serializers.CharField()
    valid_from = serializers.DateField(allow_null=True)
    valid_to = serializers.DateField(allow_null=True)
    version = serializers.IntegerField()
    service = serializers.UUIDField(allow_null=True, help_text="支付该政策的服务事项")


class PolicyDetailSerializer(PolicySerializer):
    source_text = serializers.CharField()
    conditions = serializers.ListField(child=serializers.CharField())
    text = serializers.CharField(help_text="政策文件（YAML）")
    history = serializers.ListField(child=serializers.DictField())


class PublishSerializer(serializers.Serializer[Any]):
    text = serializers.CharField(help_text="政策文件（YAML），须含测试用例")
    note = serializers.CharField(required=False, allow_blank=True, max_length=300)


def _policy_rows() -> list[dict[str, Any]]:
    versions = {v.policy_id: v for v in policy_versions_current()}
    guides = service_items_for_policies()
    rows = []
    for p in policies_in_force():
        version = versions.get(p.id)
        guide = guides.get(p.id)
        rows.append(
            {
                "id": p.id,
                "title": p.title,
                "jurisdiction": p.jurisdiction,
                "kind": p.kind,
                "benefit": p.benefit.kind,
                "auto_grant": p.auto_grant,
                "citation": p.citation,
                "valid_from": p.valid_from,
                "valid_to": p.valid_to,
                "version": version.version if version else 1,
                "service": guide.uuid if guide else None,
                "_policy": p,
                "_version": version,
            }
        )
    return rows


class PolicyListView(APIView):
    parser_classes = [JSONParser]

    def get_permissions(self) -> list[Any]:
        if self.request.method == "POST":
            return [permissions.IsAuthenticated(), MayPublish(), StepUpFresh()]
        return [permissions.AllowAny()]

    @extend_schema(
        operation_id="policies_list",
        summary="现行政策清单",
        responses={200: PolicySerializer(many=True)},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        rows = _policy_rows()
        return Response(PolicySerializer(rows, many=True).data)

    @extend_schema(
        operation_id="policies_publish",
        summary="发布政策新版本（工作人员）",
        description="校验政策文件并运行其测试用例；不通过则拒绝（400，逐条说明原因），现行版本不变。"
        "须在近期重新确认身份（/accounts/confirm/），否则 403 `step_up_required`。",
        request=PublishSerializer,
        responses={
            201: PolicySerializer,
            400: ErrorResponseSerializer,
            403: ErrorResponseSerializer,
        },
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        body = PublishSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            version = policy_publish(
                text=body.validated_data["text"],
                actor=request.user,
                note=body.validated_data.get("note", ""),
            )
        except PolicyPublishError as exc:
            raise ApiError(
                [error("text", reason, exc.code.value) for reason in exc.reasons]
            ) from None
        row = next(r for r in _policy_rows() if r["id"] == version.policy_id)
        return Response(PolicySerializer(row).data, status=status.HTTP_201_CREATED)


class PolicyDetailView(APIView):
    @extend_schema(
        operation_id="policies_retrieve",
        summary="政策详情（含原文、条件与版本历史）",
        responses={200: PolicyDetailSerializer, 404: ErrorResponseSerializer},
        tags=TAGS,
    )
    def get(self, request: Request, policy_id: str) -> Response:
        row = next((r for r in _policy_rows() if r["id"] == policy_id), None)
        if row is None:
            raise not_found("policy_id", "未找到该政策")
        policy = row["_policy"]
        row = {
            **row,
            "source_text": policy.source_text,
            "conditions": [c.label for c in policy.conditions],
            "text": row["_version"].text if row["_version"] else "",
            "history": [
                {
                    "version": v.version,
                    "origin": v.origin,
                    "published_at": v.created_at.isoformat(),
                    "note": v.note,
                }
                for v in policy_version_history(policy_id=policy_id)
            ],
        }
        return Response(PolicyDetailSerializer(row).data)


def _profile_errors(data: Any, *, stored: bool = False) -> None:
    if not isinstance(data, dict):
        raise ApiError([error("", "个人资料必须是 JSON 对象")])
    problems = stored_profile_errors(data) if stored else validate_profile(data)
    if problems:
        raise ApiError([error(p.field, p.message) for p in problems])


class MyProfileView(APIView):
    permission_classes = [permissions.IsAuthenticated]
    parser_classes = [JSONParser]
    throttle_scope = "profile"

    @extend_schema(
        operation_id="me_profile_retrieve",
        summary="我的人才画像",
        responses={200: ProfileSerializer},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        profile = TalentProfile.objects.filter(user=request.user.pk).first()
        return Response(profile.data if profile else {})

    @extend_schema(
        operation_id="me_profile_update",
        summary="保存我的人才画像（保存后自动推送新可享受的政策）",
        request=ProfileSerializer,
        responses={200: ProfileSerializer, 400: ErrorResponseSerializer},
        tags=TAGS,
    )
    def put(self, request: Request) -> Response:
        _profile_errors(request.data, stored=True)
        try:
            profile = talent_profile_save(user=request.user, data=dict(request.data))
        except PolicyPublishError as exc:
            raise ApiError([error("", r) for r in exc.reasons]) from None
        return Response(profile.data)


class MessageSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="uuid")
    kind = serializers.CharField()
    title = serializers.CharField()
    body = serializers.CharField()
    link = serializers.CharField()
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)


class MyMessagesView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="me_messages_list",
        summary="我的消息（政策推送、截止提醒、办件进度）",
        responses={200: MessageSerializer(many=True)},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        assert isinstance(request.user, User)
        rows = message_list_for(user=request.user)[:200]
        return Response(MessageSerializer(rows, many=True).data)


class DistrictRowSerializer(serializers.Serializer[Any]):
    district = serializers.CharField()
    name = serializers.CharField()
    max_total = serializers.DecimalField(max_digits=14, decimal_places=2, source="total")
    current = serializers.BooleanField()
    eligible = serializers.SerializerMethodField()
    gained = serializers.SerializerMethodField()
    lost = serializers.SerializerMethodField()

    def get_eligible(self, obj: Any) -> list[str]:
        return [r["policy"] for r in obj.eligible]

    def get_gained(self, obj: Any) -> list[str]:
        return [r["policy"] for r in obj.gained]

    def get_lost(self, obj: Any) -> list[str]:
        return [r["policy"] for r in obj.lost]


class DistrictComparisonView(APIView):
    authentication_classes: list[Any] = []
    parser_classes = [JSONParser]
    throttle_scope = "eligibility"

    @extend_schema(
        operation_id="eligibility_districts",
        summary="各区（市）对比：同一画像假设在青岛各区就业",
        request=ProfileSerializer,
        responses={200: DistrictRowSerializer(many=True), 400: ErrorResponseSerializer},
        tags=["eligibility"],
    )
    def post(self, request: Request) -> Response:
        _profile_errors(request.data)
        rows = district_comparison(profile=dict(request.data), districts=QINGDAO_DISTRICTS)
        return Response(DistrictRowSerializer(rows, many=True).data)


class GrantSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="uuid")
    policy = serializers.CharField(source="policy_id")
    policy_version = serializers.IntegerField()
    title = serializers.CharField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    status = serializers.CharField()
    reason = serializers.CharField()
    created_at = serializers.DateTimeField()


class GrantListView(APIView):
    permission_classes = [permissions.IsAuthenticated, MayDecideGrants]

    @extend_schema(
        operation_id="grants_list",
        summary="免申即享发放（工作人员）",
        parameters=[
            OpenApiParameter(
                "status", OpenApiTypes.STR, enum=list(GrantStatus.values), required=False
            )
        ],
        responses={200: GrantSerializer(many=True), 400: ErrorResponseSerializer},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        wanted = request.query_params.get("status") or None
        if wanted is not None and wanted not in GrantStatus.values:
            raise ApiError([error("status", "状态取值应为 pending、confirmed 或 rejected")])
        return Response(
            GrantSerializer(grant_list(user=request.user, status=wanted)[:500], many=True).data
        )


class GrantDecisionView(APIView):
    permission_classes = [permissions.IsAuthenticated, MayDecideGrants, StepUpFresh]
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="grants_decide",
        summary="确认或不予发放（工作人员）",
        description="须在近期重新确认身份（/accounts/confirm/），否则 403 `step_up_required`。",
        request=inline_serializer(
            "GrantDecision",
            {
                "confirm": serializers.BooleanField(),
                "reason": serializers.CharField(required=False, allow_blank=True),
            },
        ),
        responses={
            200: GrantSerializer,
            400: ErrorResponseSerializer,
            403: ErrorResponseSerializer,
            404: ErrorResponseSerializer,
            409: ErrorResponseSerializer,
        },
        tags=TAGS,
    )
    def post(self, request: Request, grant_id: str) -> Response:
        grant = grant_get_for(user=request.user, uuid=grant_id)
        if grant is None:
            raise not_found("id", "未找到该发放记录")
        data: dict[str, Any] = request.data if isinstance(request.data, dict) else {}
        confirm = data.get("confirm")
        if not isinstance(confirm, bool):
            raise ApiError([error("confirm", "请填写 true（确认发放）或 false（不予发放）")])
        try:
            with transaction.atomic():
                grant = grant_decide(
                    grant=grant,
                    actor=request.user,
                    confirm=confirm,
                    reason=str(data.get("reason") or ""),
                )
        except GrantTransitionError as exc:
            raise ApiError([error("", str(exc), "conflict")], status.HTTP_409_CONFLICT) from None
        return Response(GrantSerializer(grant).data)
