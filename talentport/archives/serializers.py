"""API serializers of the archives: masked personal data out, transitions and uploads in."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import serializers

from talentport.api.serializers import PageQuerySerializer
from talentport.archives.models import ArchiveBatch, ArchiveFile, ArchiveStatus, GuardianLink
from talentport.archives.rules import EMPLOYER_TYPES, EMPLOYMENT_KINDS, PREFERENCES

STATES_HELP = "档案状态：" + "、".join(
    f"{value}（{label}）" for value, label in ArchiveStatus.choices
)


class ArchiveFileSerializer(serializers.ModelSerializer[ArchiveFile]):
    id = serializers.UUIDField(source="uuid", read_only=True)
    status = serializers.CharField(read_only=True, help_text=STATES_HELP)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    batch = serializers.UUIDField(source="batch.uuid", read_only=True, allow_null=True)

    class Meta:
        model = ArchiveFile
        fields = [
            "id",
            "name",
            "id_card_masked",
            "school",
            "class_name",
            "status",
            "status_label",
            "status_changed_at",
            "destination_name",
            "destination_explanation",
            "courier_number",
            "transfer_requested_at",
            "delivered_at",
            "batch",
        ]
        read_only_fields = fields


class ArchiveTimelineEventSerializer(serializers.Serializer[Any]):
    at = serializers.DateTimeField()
    action = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    from_state = serializers.CharField(allow_blank=True)
    to_state = serializers.CharField(allow_blank=True)
    to_state_label = serializers.CharField(allow_blank=True)
    note = serializers.CharField(allow_blank=True)
    actor = serializers.CharField()


class ArchiveFileDetailSerializer(ArchiveFileSerializer):
    guardian_name = serializers.CharField(read_only=True)
    guardian_phone_masked = serializers.CharField(read_only=True)
    birth_date = serializers.DateField(read_only=True)
    party_guidance = serializers.CharField(read_only=True)
    timeline = ArchiveTimelineEventSerializer(many=True, read_only=True)

    class Meta(ArchiveFileSerializer.Meta):
        fields = [
            *ArchiveFileSerializer.Meta.fields,
            "guardian_name",
            "guardian_phone_masked",
            "birth_date",
            "party_guidance",
            "timeline",
        ]
        read_only_fields = fields


class ArchiveMyFileSerializer(ArchiveFileSerializer):
    relation = serializers.CharField(read_only=True, help_text="student 或 guardian")
    party_guidance = serializers.CharField(read_only=True)
    timeline = ArchiveTimelineEventSerializer(many=True, read_only=True)

    class Meta(ArchiveFileSerializer.Meta):
        fields = [*ArchiveFileSerializer.Meta.fields, "relation", "party_guidance", "timeline"]
        read_only_fields = fields


class ArchiveTransitionSerializer(serializers.Serializer[Any]):
    to_state = serializers.CharField(help_text="办理后的状态。" + STATES_HELP)

    def validate_to_state(self, value: str) -> str:
        if value not in ArchiveStatus.values:
            raise serializers.ValidationError("未知的档案状态")
        return value

    note = serializers.CharField(required=False, allow_blank=True, max_length=500)
    materials = serializers.CharField(required=False, allow_blank=True, max_length=300)
    courier_number = serializers.CharField(required=False, allow_blank=True, max_length=40)
    employment_kind = serializers.ChoiceField(
        choices=list(EMPLOYMENT_KINDS.items()), required=False
    )
    employer_type = serializers.ChoiceField(choices=list(EMPLOYER_TYPES.items()), required=False)
    directed = serializers.BooleanField(required=False, default=False)
    employer_name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    work_city = serializers.CharField(required=False, allow_blank=True, max_length=60)
    work_details = serializers.CharField(required=False, allow_blank=True, max_length=300)
    hukou_city = serializers.CharField(required=False, allow_blank=True, max_length=60)
    preference = serializers.ChoiceField(choices=list(PREFERENCES.items()), required=False)


class ArchiveImportUploadSerializer(serializers.Serializer[Any]):
    file = serializers.FileField(help_text="交接名单 .xlsx")
    school = serializers.CharField(max_length=120)

    def validate_file(self, value: Any) -> Any:
        limit = int(settings.MAX_UPLOAD_BYTES)
        if value.size > limit:
            raise serializers.ValidationError(
                _("文件过大，最大 %(limit)s MB") % {"limit": max(limit // (1024 * 1024), 1)}
            )
        return value


class ArchiveRefusedErrorSerializer(serializers.Serializer[Any]):
    field = serializers.CharField()
    message = serializers.CharField()


class ArchiveRefusedRowSerializer(serializers.Serializer[Any]):
    row = serializers.IntegerField(help_text="表格行号")
    errors = ArchiveRefusedErrorSerializer(many=True)  # type: ignore[assignment]


class ArchiveImportReportSerializer(serializers.Serializer[Any]):
    batch = serializers.UUIDField(allow_null=True)
    accepted = serializers.IntegerField()
    refused = ArchiveRefusedRowSerializer(many=True)


class ArchiveBatchSerializer(serializers.ModelSerializer[ArchiveBatch]):
    id = serializers.UUIDField(source="uuid", read_only=True)

    class Meta:
        model = ArchiveBatch
        fields = [
            "id",
            "school",
            "filename",
            "source",
            "created_at",
            "accepted_count",
            "refused_count",
        ]
        read_only_fields = fields


class ArchiveSchoolSummarySerializer(serializers.Serializer[Any]):
    school = serializers.CharField()
    total = serializers.IntegerField()
    by_state = serializers.DictField(child=serializers.IntegerField())


class ArchivePageQuerySerializer(PageQuerySerializer):
    """``page`` and ``page_size`` (≤ 100) of an archive list."""


class ArchiveFileQuerySerializer(ArchivePageQuerySerializer):
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=80,
        help_text="姓名（按身份证号查找请用 POST /api/v1/archives/files/search/）",
    )
    school = serializers.CharField(required=False, allow_blank=True, max_length=120)
    status = serializers.CharField(
        required=False, allow_blank=True, max_length=24, help_text=STATES_HELP
    )

    def validate_status(self, value: str) -> str:
        if value and value not in ArchiveStatus.values:
            raise serializers.ValidationError("未知的档案状态")
        return value


class ArchiveFileSearchSerializer(ArchiveFileQuerySerializer):
    """The body of ``POST /api/v1/archives/files/search/`` (an ID number never goes in a URL)."""

    q = serializers.CharField(
        required=False, allow_blank=True, max_length=80, help_text="姓名或完整身份证号"
    )


class ArchiveFileSearchPageSerializer(serializers.Serializer[Any]):
    count = serializers.IntegerField(help_text="符合条件的总数")
    page = serializers.IntegerField(help_text="本页页码")
    page_size = serializers.IntegerField(help_text="每页条数")
    results = ArchiveFileSerializer(many=True)


class ArchiveFilePageSerializer(serializers.Serializer[Any]):
    count = serializers.IntegerField(help_text="符合条件的总数")
    next = serializers.URLField(allow_null=True, help_text="下一页地址，最后一页为 null")
    previous = serializers.URLField(allow_null=True, help_text="上一页地址，第一页为 null")
    results = ArchiveFileSerializer(many=True)


class ArchiveBatchPageSerializer(serializers.Serializer[Any]):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = ArchiveBatchSerializer(many=True)


class ArchiveClaimSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=80, help_text="与学校移交名单一致的姓名")
    id_card = serializers.CharField(max_length=30, help_text="18位居民身份证号")
    code = serializers.CharField(
        max_length=32,
        required=False,
        allow_blank=True,
        help_text="第二步：短信验证码（6位数字）或学校交接清单上的认领码（8位字母数字）；"
        "第一步不填",
    )


class ArchiveClaimSentSerializer(serializers.Serializer[Any]):
    status = serializers.CharField(help_text="code_sent")
    message = serializers.CharField()


class GuardianLinkSerializer(serializers.ModelSerializer[GuardianLink]):
    id = serializers.UUIDField(source="uuid", read_only=True)
    guardian = serializers.CharField(source="guardian.username", read_only=True)
    guardian_name = serializers.CharField(source="guardian.__str__", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    visible = serializers.BooleanField(
        read_only=True, help_text="该监护人当前能否查看档案（有效，且本人成年后须经本人同意）"
    )
    awaiting_consent = serializers.BooleanField(
        read_only=True, help_text="本人已成年、尚未同意：同意前监护人看不到档案"
    )

    class Meta:
        model = GuardianLink
        fields = [
            "id",
            "guardian",
            "guardian_name",
            "status",
            "status_label",
            "consented_at",
            "revoked_at",
            "created_at",
            "visible",
            "awaiting_consent",
        ]
        read_only_fields = fields


class GuardianLinkCreateSerializer(serializers.Serializer[Any]):
    username = serializers.CharField(
        max_length=150, help_text="监护人账户名（须为“监护人（家长）”账户）"
    )


class ArchiveTransferCancelSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=500, help_text="撤销原因，记入流转记录")
