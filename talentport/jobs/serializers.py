"""API shapes of the jobs app (input validation names the field; output is read-only)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from talentport.jobs.models import (
    AbroadStatus,
    Degree,
    District,
    EventKind,
    Industry,
    MajorField,
)

Base = serializers.Serializer[Any]


def _blank(choices: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    return [("", "不限"), *choices]


class JobsPositionQuerySerializer(Base):
    q = serializers.CharField(required=False, allow_blank=True, max_length=100, help_text="关键词")
    industry = serializers.ChoiceField(choices=_blank(Industry.choices), required=False)
    district = serializers.ChoiceField(choices=_blank(District.choices), required=False)
    degree = serializers.ChoiceField(choices=_blank(Degree.choices), required=False)
    page = serializers.IntegerField(required=False, min_value=1, default=1)
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=100, default=20)


class JobsLimitQuerySerializer(Base):
    limit = serializers.IntegerField(required=False, min_value=1, max_value=100, default=20)


class JobsEventQuerySerializer(Base):
    kind = serializers.ChoiceField(choices=_blank(EventKind.choices), required=False)


class JobsOrgBriefSerializer(Base):
    id = serializers.UUIDField(source="uuid")
    name = serializers.CharField()
    org_type = serializers.CharField()
    org_type_label = serializers.CharField(source="get_org_type_display")


class JobsPositionSerializer(Base):
    id = serializers.UUIDField(source="uuid")
    title = serializers.CharField()
    org = JobsOrgBriefSerializer()
    industry = serializers.CharField()
    industry_label = serializers.CharField(source="get_industry_display")
    degree = serializers.CharField(help_text="最低学历")
    degree_label = serializers.CharField(source="get_degree_display")
    major_fields = serializers.ListField(child=serializers.CharField(), help_text="空 = 专业不限")
    majors_note = serializers.CharField()
    salary_min = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="元/年")
    salary_max = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="元/年")
    district = serializers.CharField()
    district_label = serializers.CharField(source="get_district_display")
    description = serializers.CharField()
    headcount = serializers.IntegerField()
    published_at = serializers.DateTimeField()


class JobsPaginatedPositionSerializer(Base):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = JobsPositionSerializer(many=True)


class JobsReasonSerializer(Base):
    factor = serializers.ChoiceField(choices=["major", "degree", "salary", "location", "industry"])
    label = serializers.CharField()  # type: ignore[assignment]
    points = serializers.IntegerField()
    max_points = serializers.IntegerField()
    met = serializers.BooleanField()
    text = serializers.CharField()


class JobsPositionMatchSerializer(Base):
    position = JobsPositionSerializer()
    score = serializers.IntegerField(help_text="0-100")
    reasons = JobsReasonSerializer(many=True)


class JobsCandidateSerializer(Base):
    id = serializers.UUIDField(source="uuid")
    full_name = serializers.CharField()
    abroad_status = serializers.CharField()
    school = serializers.CharField()
    country = serializers.CharField()
    major = serializers.CharField()
    major_field = serializers.CharField()
    degree = serializers.CharField()
    expected_graduation = serializers.DateField(allow_null=True)
    phone = serializers.CharField()
    email = serializers.CharField()


class JobsCandidateMatchSerializer(Base):
    candidate = JobsCandidateSerializer(source="entry")
    score = serializers.IntegerField()
    reasons = JobsReasonSerializer(many=True)


class JobsPoolEntryInputSerializer(Base):
    full_name = serializers.CharField(max_length=80)
    abroad_status = serializers.ChoiceField(choices=AbroadStatus.choices, default="studying")
    school = serializers.CharField(max_length=200)
    country = serializers.CharField(max_length=80)
    major = serializers.CharField(max_length=120)
    major_field = serializers.ChoiceField(choices=MajorField.choices, default="other")
    degree = serializers.ChoiceField(choices=Degree.choices)
    expected_graduation = serializers.DateField(required=False, allow_null=True, default=None)
    intended_districts = serializers.ListField(
        child=serializers.ChoiceField(choices=District.choices), required=False, default=list
    )
    industries = serializers.ListField(
        child=serializers.ChoiceField(choices=Industry.choices), required=False, default=list
    )
    salary_expectation = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        min_value=0,
        required=False,
        allow_null=True,
        default=None,
        help_text="期望年薪，元/年",
    )
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    contact_consent = serializers.BooleanField(default=False)
    ambassador_code = serializers.CharField(
        max_length=32, required=False, allow_blank=True, default=""
    )


class JobsPoolEntrySerializer(Base):
    id = serializers.UUIDField(source="uuid")
    full_name = serializers.CharField()
    abroad_status = serializers.CharField()
    school = serializers.CharField()
    country = serializers.CharField()
    major = serializers.CharField()
    major_field = serializers.CharField()
    degree = serializers.CharField()
    expected_graduation = serializers.DateField(allow_null=True)
    intended_districts = serializers.ListField(child=serializers.CharField())
    industries = serializers.ListField(child=serializers.CharField())
    salary_expectation = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    phone = serializers.CharField()
    email = serializers.CharField()
    contact_consent = serializers.BooleanField()
    profile_id = serializers.UUIDField(source="profile.uuid", help_text="人才画像公开编号")
    profile_education = serializers.JSONField(
        source="profile.data.education", help_text="同步到人才画像的学历信息"
    )


class JobsEventSerializer(Base):
    id = serializers.UUIDField(source="uuid")
    kind = serializers.CharField()
    kind_label = serializers.CharField(source="get_kind_display")
    title = serializers.CharField()
    description = serializers.CharField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField(allow_null=True)
    location = serializers.CharField()
    capacity = serializers.IntegerField()
    seats_left = serializers.IntegerField()
    status = serializers.CharField()


class JobsEventRegistrationSerializer(Base):
    id = serializers.UUIDField(source="uuid")
    event = serializers.UUIDField(source="event.uuid")
    status = serializers.ChoiceField(choices=["confirmed", "waitlisted", "cancelled"])
    waitlist_position = serializers.IntegerField(allow_null=True)


class JobsSalaryRowSerializer(Base):
    degree = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    positions = serializers.IntegerField()
    salary_min = serializers.DecimalField(max_digits=12, decimal_places=2)
    salary_max = serializers.DecimalField(max_digits=12, decimal_places=2)
    average_min = serializers.DecimalField(max_digits=12, decimal_places=2)
    average_max = serializers.DecimalField(max_digits=12, decimal_places=2)


class JobsTypeShareSerializer(Base):
    org_type = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    count = serializers.IntegerField()
    share = serializers.FloatField()


class JobsFairSummarySerializer(Base):
    id = serializers.UUIDField(source="fair.uuid")
    name = serializers.CharField(source="fair.name")
    is_historical = serializers.BooleanField(source="fair.is_historical")
    employers_total = serializers.IntegerField()
    employers_by_type = JobsTypeShareSerializer(many=True)
    salary_by_degree = JobsSalaryRowSerializer(many=True)
    candidates_signed_up = serializers.IntegerField()
    candidates_checked_in = serializers.IntegerField()
    reported = serializers.JSONField(help_text="公开报道的汇总数字（非平台登记数据）")
    source = serializers.CharField(source="fair.source")  # type: ignore[assignment]


class JobsRateRowSerializer(Base):
    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    referred = serializers.IntegerField()
    applied = serializers.IntegerField()
    returned = serializers.IntegerField()
    conversion_rate = serializers.FloatField()


class JobsAmbassadorRateSerializer(JobsRateRowSerializer):
    country = serializers.CharField()
    university = serializers.CharField()
    code = serializers.CharField()


class JobsMeasuredNetworkSerializer(Base):
    ambassadors = serializers.IntegerField()
    countries = serializers.IntegerField()
    universities = serializers.IntegerField()
    returned_share = serializers.FloatField()


class JobsAmbassadorStatsSerializer(Base):
    measured = JobsMeasuredNetworkSerializer()
    overall = JobsRateRowSerializer()
    per_ambassador = JobsAmbassadorRateSerializer(many=True)
    per_country = JobsRateRowSerializer(many=True)
    per_university = JobsRateRowSerializer(many=True)
    reported = serializers.JSONField(help_text="公开报道的特派员网络数字")
    reported_source = serializers.CharField()
