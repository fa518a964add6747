"""API v1 of the people app: the signed-in person's access grants (我的授权)."""

from __future__ import annotations

import uuid as uuid_mod
from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from talentport.api.errors import ApiError, error, not_found
from talentport.api.serializers import ErrorResponseSerializer
from talentport.people import selectors, services
from talentport.people.models import AccessGrant, AccessKind, User

TAGS = ["people"]
ERRORS = {
    400: ErrorResponseSerializer,
    401: ErrorResponseSerializer,
    403: ErrorResponseSerializer,
    404: ErrorResponseSerializer,
}


class AccessGrantSerializer(serializers.Serializer[AccessGrant]):
    id = serializers.UUIDField(source="uuid")
    kind = serializers.ChoiceField(choices=AccessKind.choices)
    kind_label = serializers.CharField(source="get_kind_display")
    person = serializers.CharField(source="person.username")
    grantee = serializers.CharField(source="grantee.username")
    grantee_name = serializers.CharField(source="grantee.__str__")
    application = serializers.UUIDField(allow_null=True, help_text="空表示本人的全部申请")
    granted_at = serializers.DateTimeField(source="created_at")
    revoked_at = serializers.DateTimeField(allow_null=True)
    active = serializers.BooleanField()


class AccessGrantsSerializer(serializers.Serializer[Any]):
    given = AccessGrantSerializer(many=True, help_text="我授权的人（含已撤销）")
    received = AccessGrantSerializer(many=True, help_text="他人授权给我、仍有效的")


class AccessGrantCreateSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=AccessKind.choices)
    grantee = serializers.CharField(max_length=150, help_text="对方账户名（窗口专员为工号）")
    person = serializers.UUIDField(
        required=False, help_text="代未成年人授权时，未成年人的账户编号（须为其登记的监护人）"
    )


def _me(request: Request) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - IsAuthenticated ran
    return user


def _grant_error(exc: services.AccessGrantError) -> ApiError:
    return ApiError([error(exc.field, exc.message, "access_refused")], exc.status)


class AccessGrantListView(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="me_access_grants",
        summary="我的授权：我授权的人与他人授权给我",
        responses={200: AccessGrantsSerializer, **ERRORS},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        me = _me(request)
        data = {
            "given": selectors.access_grants_given(person=me),
            "received": selectors.access_grants_received(grantee=me),
        }
        return Response(AccessGrantsSerializer(data).data)

    @extend_schema(
        operation_id="me_access_grants_create",
        summary="授权他人查看（监护人）或代办（用人单位、窗口专员）我的申请",
        request=AccessGrantCreateSerializer,
        responses={201: AccessGrantSerializer, **ERRORS},
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        me = _me(request)
        body = AccessGrantCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        person: User | None = me
        if body.validated_data.get("person"):
            wanted = body.validated_data["person"]
            person = next(
                (p for p in selectors.minors_of_guardian(guardian=me) if p.uuid == wanted), None
            )
        if person is None:
            raise not_found("person", "未找到该未成年人，或您不是其登记的监护人")
        try:
            grant = services.access_grant_create(
                actor=me,
                person=person,
                kind=body.validated_data["kind"],
                grantee_username=body.validated_data["grantee"],
            )
        except services.AccessGrantError as exc:
            raise _grant_error(exc) from None
        return Response(AccessGrantSerializer(grant).data, status=status.HTTP_201_CREATED)


class AccessGrantRevokeView(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="me_access_grants_revoke",
        summary="撤销授权（本人、未成年人的监护人）或放弃授权（被授权人），立即生效",
        request=None,
        responses={200: AccessGrantSerializer, **ERRORS},
        tags=TAGS,
    )
    def post(self, request: Request, id: uuid_mod.UUID) -> Response:
        grant = selectors.access_grant_get(uuid=id)
        if grant is None:
            raise not_found("id", "未找到该授权")
        try:
            grant = services.access_grant_revoke(actor=_me(request), grant=grant)
        except services.AccessGrantError as exc:
            raise _grant_error(exc) from None
        return Response(AccessGrantSerializer(grant).data)
