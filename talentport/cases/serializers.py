"""DRF serializers of the cases API (output shapes and input validation only)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from talentport.api.serializers import ErrorResponseSerializer
from talentport.cases.models import (
    INDICATORS,
    Application,
    Bundle,
    MaterialFile,
    RatingLevel,
    SubCase,
)

ErrorsSerializer = ErrorResponseSerializer


class BundleItemOutSerializer(serializers.Serializer):  # type: ignore[type-arg]
    key = serializers.CharField()
    stage = serializers.CharField()
    title = serializers.CharField()
    department = serializers.CharField(source="department.name")
    department_code = serializers.CharField(source="department.code")
    legal_limit_days = serializers.IntegerField(allow_null=True)
    promised_limit_days = serializers.IntegerField(allow_null=True)
    limit_note = serializers.CharField()
    in_person = serializers.BooleanField(allow_null=True)
    materials = serializers.JSONField()
    depends_on = serializers.JSONField()
    result = serializers.CharField()


class BundleSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    id = serializers.UUIDField(source="uuid", read_only=True)
    filer = serializers.CharField(read_only=True)

    class Meta:
        model = Bundle
        fields = [
            "id",
            "code",
            "title",
            "city",
            "life_event",
            "summary",
            "filer",
            "version",
            "source",
        ]


class BundleDetailSerializer(BundleSerializer):
    items = BundleItemOutSerializer(many=True, read_only=True)

    class Meta(BundleSerializer.Meta):
        fields = [*BundleSerializer.Meta.fields, "items"]


class ChecklistSerializer(serializers.Serializer):  # type: ignore[type-arg]
    bundle = serializers.CharField()
    version = serializers.IntegerField()
    stage = serializers.CharField()
    items = serializers.JSONField()
    fields = serializers.JSONField()  # type: ignore[assignment]
    materials = serializers.JSONField()
    degree_confirmed = serializers.BooleanField()


class StageQuerySerializer(serializers.Serializer):  # type: ignore[type-arg]
    stage = serializers.CharField()


class SubCaseSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    id = serializers.UUIDField(source="uuid", read_only=True)
    application = serializers.UUIDField(source="application.uuid", read_only=True)
    application_number = serializers.CharField(source="application.number", read_only=True)
    department = serializers.CharField(source="department.name", read_only=True)
    department_code = serializers.CharField(source="department.code", read_only=True)
    status = serializers.CharField(read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    assignee = serializers.SerializerMethodField()

    class Meta:
        model = SubCase
        fields = [
            "id",
            "application",
            "application_number",
            "department",
            "department_code",
            "items",
            "status",
            "status_label",
            "limit_days",
            "started_on",
            "due_date",
            "due_provisional",
            "paused_days",
            "assignee",
            "result_number",
            "result_note",
            "reason",
            "version",
        ]

    def get_assignee(self, obj: SubCase) -> str:
        return str(obj.assignee) if obj.assignee_id else ""


class ApplicationSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    id = serializers.UUIDField(source="uuid", read_only=True)
    bundle = serializers.CharField(source="bundle.code", read_only=True)
    bundle_title = serializers.CharField(source="bundle.title", read_only=True)
    applicant = serializers.CharField(source="applicant.username", read_only=True)
    filed_by = serializers.CharField(source="filed_by.username", read_only=True)
    stage = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    subcases = SubCaseSerializer(many=True, read_only=True)
    materials = serializers.SerializerMethodField()

    class Meta:
        model = Application
        fields = [
            "id",
            "number",
            "bundle",
            "bundle_title",
            "bundle_version",
            "stage",
            "applicant",
            "filed_by",
            "status",
            "status_label",
            "selected_items",
            "form_data",
            "submitted_at",
            "closed_at",
            "version",
            "subcases",
            "materials",
        ]

    def get_materials(self, obj: Application) -> dict[str, str]:
        return {m.code: str(m.file.uuid) for m in obj.materials.select_related("file")}


class ApplicationCreateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    bundle = serializers.UUIDField(help_text="一件事套餐公开编号")
    stage = serializers.CharField()
    items = serializers.ListField(child=serializers.CharField(), required=False)
    form_data = serializers.DictField(required=False)
    applicant = serializers.CharField(
        required=False, help_text="代为申请时填写申请人账户名（窗口帮办、用人单位）"
    )
    submit = serializers.BooleanField(default=False)
    idempotency_key = serializers.CharField(required=False, max_length=80)


class ApplicationUpdateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    items = serializers.ListField(child=serializers.CharField(), required=False)
    form_data = serializers.DictField(required=False)
    version = serializers.IntegerField(
        required=False, help_text="读取时的版本号；草稿已被他人保存时返回 409"
    )


class MaterialFileSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    id = serializers.UUIDField(source="uuid", read_only=True)
    kind = serializers.CharField(read_only=True)

    class Meta:
        model = MaterialFile
        fields = ["id", "code", "name", "filename", "kind", "size", "sha256", "created_at"]


class MaterialUploadSerializer(serializers.Serializer):  # type: ignore[type-arg]
    code = serializers.SlugField()
    file = serializers.FileField(required=False)
    library_file = serializers.UUIDField(required=False, help_text="复用材料库中已有的文件")


class LibraryUploadSerializer(serializers.Serializer):  # type: ignore[type-arg]
    code = serializers.SlugField()
    name = serializers.CharField(required=False, allow_blank=True)
    file = serializers.FileField()


class TimelineEventSerializer(serializers.Serializer):  # type: ignore[type-arg]
    action = serializers.CharField()
    to_state = serializers.CharField(source="to")
    reason = serializers.CharField()
    at = serializers.CharField()
    actor = serializers.CharField()
    on_behalf_of = serializers.CharField()


class TimelineStepSerializer(serializers.Serializer):  # type: ignore[type-arg]
    uuid = serializers.CharField()
    department = serializers.CharField()
    items = serializers.ListField(child=serializers.CharField())
    status = serializers.CharField()
    status_label = serializers.CharField()
    version = serializers.IntegerField()
    due_date = serializers.DateField(allow_null=True)
    due_provisional = serializers.BooleanField()
    specialist = serializers.DictField(child=serializers.CharField())
    result_number = serializers.CharField()
    reason = serializers.CharField()
    correction = serializers.SerializerMethodField()
    events = TimelineEventSerializer(many=True)

    def get_correction(self, obj: dict[str, Any]) -> dict[str, Any] | None:
        notice = obj.get("correction")
        if notice is None:
            return None
        return {"entries": notice.entries, "message": notice.message}


class SubCaseActionSerializer(serializers.Serializer):  # type: ignore[type-arg]
    action = serializers.ChoiceField(
        choices=["accept", "request_correction", "approve", "reject", "complete"]
    )
    version = serializers.IntegerField(help_text="读取时的版本号（乐观锁）")
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    entries = serializers.ListField(
        child=serializers.DictField(child=serializers.CharField()), required=False, default=list
    )
    result_number = serializers.CharField(required=False, allow_blank=True, default="")
    result_note = serializers.CharField(required=False, allow_blank=True, default="")


class CorrectionAnswerSerializer(serializers.Serializer):  # type: ignore[type-arg]
    answer = serializers.CharField(required=False, allow_blank=True, default="")


class RatingInSerializer(serializers.Serializer):  # type: ignore[type-arg]
    subcase = serializers.UUIDField(required=False, allow_null=True, help_text="空表示整件评价")
    level = serializers.ChoiceField(choices=RatingLevel.choices)
    indicators = serializers.DictField(
        child=serializers.ChoiceField(choices=RatingLevel.choices),
        required=False,
        help_text="分项：" + "、".join(INDICATORS),
    )
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class RatingOutSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.UUIDField(source="uuid")
    scope = serializers.CharField()
    level = serializers.CharField()
    indicators = serializers.JSONField()
    comment = serializers.CharField()
    rectification = serializers.SerializerMethodField()

    def get_rectification(self, obj: Any) -> str | None:
        task = getattr(obj, "rectification", None) if hasattr(obj, "rectification") else None
        return task.due_date.isoformat() if task else None


class UsernameSerializer(serializers.Serializer):  # type: ignore[type-arg]
    username = serializers.CharField()


class OkSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.UUIDField()


class DegreeSerializer(serializers.Serializer):  # type: ignore[type-arg]
    school = serializers.CharField()
    degree = serializers.CharField()
    graduation_date = serializers.DateField(required=False)
    cscse_number = serializers.CharField(required=False, allow_blank=True)


class DashboardSerializer(serializers.Serializer):  # type: ignore[type-arg]
    overdue = SubCaseSerializer(many=True)
    due_soon = SubCaseSerializer(many=True)
    ratings = serializers.DictField(child=serializers.IntegerField())
    return_visits_total = serializers.IntegerField()
    return_visits_done = serializers.IntegerField()
    return_visit_rate = serializers.FloatField(allow_null=True)
    rectifications_total = serializers.IntegerField()
    rectifications_replied = serializers.IntegerField()
    reply_rate = serializers.FloatField(allow_null=True)


class ReplySerializer(serializers.Serializer):  # type: ignore[type-arg]
    reply = serializers.CharField()


class ReturnVisitInSerializer(serializers.Serializer):  # type: ignore[type-arg]
    reply = serializers.CharField(allow_blank=True, help_text="回访记录")
    reached = serializers.BooleanField(default=True, help_text="是否联系上")
    satisfaction = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="回访后满意度，取值同评价等级（very_satisfied … very_dissatisfied）",
    )
