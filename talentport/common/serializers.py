"""API v1 shapes of the audit journal and the personal-data access log (auditors only)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from talentport.api.serializers import PageQuerySerializer
from talentport.common.models import AuditEvent, PiiAccessLog

DATE_ERRORS: dict[str, Any] = {"invalid": "日期格式应为 YYYY-MM-DD"}
NULLABLE_TEXT = serializers.CharField(allow_null=True)


class AuditQueryMixin(serializers.Serializer[Any]):
    actor = serializers.CharField(
        required=False, allow_blank=True, max_length=150, help_text="操作人（查看人）用户名"
    )
    subject_type = serializers.CharField(
        required=False, allow_blank=True, max_length=80, help_text="对象类型，如 cases.application"
    )
    subject_id = serializers.CharField(
        required=False, allow_blank=True, max_length=64, help_text="对象公开编号"
    )
    date_from = serializers.DateField(
        required=False, help_text="起始日期（北京时间，含当天）", error_messages=DATE_ERRORS
    )
    date_to = serializers.DateField(
        required=False, help_text="截止日期（北京时间，含当天）", error_messages=DATE_ERRORS
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs.get("date_from"), attrs.get("date_to")
        if start and end and start > end:
            raise serializers.ValidationError({"date_to": "截止日期不能早于起始日期"})
        return attrs


class AuditEventQuerySerializer(PageQuerySerializer, AuditQueryMixin):
    action = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=80,
        help_text="动作，如 auth.login_failed；以点结尾表示前缀（auth.）",
    )


class PiiAccessQuerySerializer(PageQuerySerializer, AuditQueryMixin):
    field = serializers.CharField(
        required=False, allow_blank=True, max_length=80, help_text="被查看的字段"
    )


class AuditEventSerializer(serializers.ModelSerializer[AuditEvent]):
    id = serializers.UUIDField(source="uuid", read_only=True)
    actor = serializers.CharField(source="actor.username", allow_null=True, read_only=True)
    on_behalf_of = serializers.CharField(
        source="on_behalf_of.username", allow_null=True, read_only=True
    )
    ip = serializers.IPAddressField(allow_null=True, read_only=True)

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "seq",
            "at",
            "actor",
            "on_behalf_of",
            "subject_type",
            "subject_id",
            "action",
            "from_state",
            "to_state",
            "reason",
            "data",
            "ip",
            "prev_hash",
            "hash",
        ]
        read_only_fields = fields


class PiiAccessSerializer(serializers.ModelSerializer[PiiAccessLog]):
    id = serializers.UUIDField(source="uuid", read_only=True)
    actor = serializers.CharField(source="actor.username", allow_null=True, read_only=True)
    ip = serializers.SerializerMethodField(help_text="查看人的 IP 地址（未记录时为 null）")
    path = serializers.SerializerMethodField(help_text="查看时的页面或接口路径（未记录时为 null）")

    class Meta:
        model = PiiAccessLog
        fields = [
            "id",
            "at",
            "actor",
            "subject_type",
            "subject_id",
            "field",
            "purpose",
            "ip",
            "path",
        ]
        read_only_fields = fields

    @extend_schema_field(NULLABLE_TEXT)
    def get_ip(self, row: PiiAccessLog) -> str | None:
        value = getattr(row, "ip", None)
        return str(value) if value else None

    @extend_schema_field(NULLABLE_TEXT)
    def get_path(self, row: PiiAccessLog) -> str | None:
        value = getattr(row, "path", None)
        return str(value) if value else None


class AuditEventPageSerializer(serializers.Serializer[Any]):
    count = serializers.IntegerField(help_text="符合条件的总数")
    next = serializers.URLField(allow_null=True, help_text="下一页地址，最后一页为 null")
    previous = serializers.URLField(allow_null=True, help_text="上一页地址，第一页为 null")
    results = AuditEventSerializer(many=True)


class PiiAccessPageSerializer(serializers.Serializer[Any]):
    count = serializers.IntegerField(help_text="符合条件的总数")
    next = serializers.URLField(allow_null=True, help_text="下一页地址，最后一页为 null")
    previous = serializers.URLField(allow_null=True, help_text="上一页地址，第一页为 null")
    results = PiiAccessSerializer(many=True)
