"""API shapes of the jobs app (input validation names the field; output is read-only)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar, cast

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from talentport.jobs.models import (
    AbroadStatus,
    Degree,
    District,
    EventKind,
    Industry,
    MajorField,
    OrgType,
    ReferralStatus,
    VerificationStatus,
)

Base = serializers.Serializer[Any]

#: Dates and times of events and fairs lie in these years (as on the staff pages' forms):
#: year 112 is a typing slip, and Beijing time before 1901 is not a whole-minute offset.
FIRST_YEAR, LAST_YEAR = 2000, 2100


def _plausible_time(value: Any) -> None:
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise serializers.ValidationError(_("请填写2000年至2100年之间的时间"), code="out_of_range")


def _plausible_date(value: Any) -> None:
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise serializers.ValidationError(_("请填写2000年至2100年之间的日期"), code="out_of_range")


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


# --- staff and employer operations -----------------------------------------------------
#
# The choice sets below (degree, industry, district, major field...) are already used by
# other components under other names; left to drf-spectacular they would be merged or
# renamed with a warning.  Each is therefore one explicit, named schema component.


class JobsEnumField(serializers.ChoiceField):
    """A choice field whose choice set is fixed by the subclass (see :func:`_enum`)."""

    choice_set: ClassVar[list[tuple[str, Any]]] = []

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=self.choice_set, **kwargs)


def _enum(component: str, choices: list[tuple[str, Any]]) -> type[JobsEnumField]:
    field_class = cast(
        "type[JobsEnumField]",
        type(component + "Field", (JobsEnumField,), {"choice_set": list(choices)}),
    )
    schema = {
        "type": "string",
        "enum": [value for value, _ in choices],
        "description": "\n".join(
            "* `" + value + "` - " + str(text or "（不填）") for value, text in choices
        ),
    }
    return extend_schema_field(schema, component_name=component)(field_class)


JobsDegreeField = _enum("JobsDegree", Degree.choices)
JobsIndustryField = _enum("JobsIndustry", Industry.choices)
JobsDistrictField = _enum("JobsDistrict", District.choices)
JobsDistrictOrBlankField = _enum("JobsDistrictOrBlank", [("", ""), *District.choices])
JobsMajorFieldField = _enum("JobsMajorField", MajorField.choices)
JobsEventKindField = _enum("JobsEventKind", EventKind.choices)
JobsOrgTypeField = _enum("JobsOrgType", OrgType.choices)
JobsReferralStatusField = _enum("JobsReferralStatus", ReferralStatus.choices)
JobsVerificationDecisionField = _enum(
    "JobsVerificationDecision",
    [
        (VerificationStatus.VERIFIED.value, VerificationStatus.VERIFIED.label),
        (VerificationStatus.REJECTED.value, VerificationStatus.REJECTED.label),
    ],
)


def _text(max_length: int, **kwargs: Any) -> serializers.CharField:
    """An optional free-text input, blank by default."""
    return serializers.CharField(
        max_length=max_length, required=False, allow_blank=True, default="", **kwargs
    )


# events


class JobsEventCreateInputSerializer(Base):
    kind = JobsEventKindField()
    title = serializers.CharField(max_length=200)
    description = _text(5000)
    location = _text(200)
    starts_at = serializers.DateTimeField(
        help_text="开始时间（带时区，2000—2100 年）", validators=[_plausible_time]
    )
    ends_at = serializers.DateTimeField(
        required=False, allow_null=True, default=None, validators=[_plausible_time]
    )
    capacity = serializers.IntegerField(min_value=1, max_value=100_000, help_text="名额")
    publish = serializers.BooleanField(default=False, help_text="创建后立即发布、开放报名")


class JobsEventStaffSerializer(JobsEventSerializer):
    confirmed_count = serializers.IntegerField()
    published_at = serializers.DateTimeField(allow_null=True)


class JobsEventAttendanceInputSerializer(Base):
    registrations = serializers.ListField(
        child=serializers.UUIDField(),
        min_length=1,
        max_length=1000,
        help_text="报名编号（该活动已确认的报名）",
    )
    attended = serializers.BooleanField(help_text="true = 已出席，false = 未出席")


class JobsEventAttendeeSerializer(Base):
    id = serializers.UUIDField(source="uuid")
    status = serializers.CharField()
    attended = serializers.BooleanField()


class JobsEventAttendanceSerializer(Base):
    event = serializers.UUIDField(source="event.uuid")
    registrations = JobsEventAttendeeSerializer(many=True)


class JobsEventFeedbackInputSerializer(Base):
    rating = serializers.IntegerField(min_value=1, max_value=5, help_text="评分 1-5")
    comment = _text(2000)


class JobsEventFeedbackSerializer(Base):
    id = serializers.UUIDField(source="uuid", help_text="报名编号")
    event = serializers.UUIDField(source="event.uuid")
    rating = serializers.IntegerField()
    comment = serializers.CharField()


class JobsFeedbackShareSerializer(Base):
    rating = serializers.IntegerField()
    count = serializers.IntegerField()
    share = serializers.FloatField()


class JobsFeedbackCommentSerializer(Base):
    rating = serializers.IntegerField(allow_null=True)
    comment = serializers.CharField()
    user = serializers.CharField()


class JobsEventFeedbackSummarySerializer(Base):
    count = serializers.IntegerField(help_text="评价人数")
    average = serializers.FloatField(allow_null=True)
    attended = serializers.IntegerField()
    confirmed = serializers.IntegerField()
    waitlisted = serializers.IntegerField()
    attendance_rate = serializers.FloatField(allow_null=True, help_text="出席 ÷ 已确认")
    response_rate = serializers.FloatField(allow_null=True, help_text="评价 ÷ 出席")
    distribution = JobsFeedbackShareSerializer(many=True)
    comments = JobsFeedbackCommentSerializer(many=True)


# job fairs


class JobsFairCreateInputSerializer(Base):
    name = serializers.CharField(max_length=200)
    starts_on = serializers.DateField(help_text="2000—2100 年", validators=[_plausible_date])
    ends_on = serializers.DateField(
        required=False, allow_null=True, default=None, validators=[_plausible_date]
    )
    venue = serializers.CharField(max_length=200)
    capacity = serializers.IntegerField(
        min_value=1,
        max_value=1_000_000,
        required=False,
        allow_null=True,
        default=None,
        help_text="求职者名额，空 = 不限",
    )
    edition = serializers.IntegerField(
        min_value=1, max_value=10_000, required=False, allow_null=True, default=None
    )
    description = _text(5000)
    publish = serializers.BooleanField(default=False, help_text="创建后立即发布")


class JobsFairSerializer(Base):
    id = serializers.UUIDField(source="uuid")
    name = serializers.CharField()
    edition = serializers.IntegerField(allow_null=True)
    starts_on = serializers.DateField(allow_null=True)
    ends_on = serializers.DateField(allow_null=True)
    venue = serializers.CharField()
    description = serializers.CharField()
    is_historical = serializers.BooleanField()
    capacity = serializers.IntegerField(allow_null=True, help_text="求职者名额，空 = 不限")
    status = serializers.CharField(help_text="draft / published")
    published_at = serializers.DateTimeField(allow_null=True)


class JobsFairCheckInInputSerializer(Base):
    candidate = serializers.UUIDField(help_text="求职者报名编号")


class JobsFairCandidateSerializer(Base):
    id = serializers.UUIDField(source="uuid", help_text="报名编号")
    fair = serializers.UUIDField(source="fair.uuid")
    status = serializers.CharField(help_text="signed_up / checked_in")
    checked_in_at = serializers.DateTimeField(allow_null=True)


class JobsFairEmployerSerializer(Base):
    id = serializers.UUIDField(source="uuid")
    fair = serializers.UUIDField(source="fair.uuid")
    org = JobsOrgBriefSerializer()
    org_type = serializers.CharField(help_text="报名时的单位类型")
    booth = serializers.CharField()


# ambassadors and referrals


class JobsAmbassadorInputSerializer(Base):
    name = serializers.CharField(max_length=80)
    country = serializers.CharField(max_length=80)
    university = serializers.CharField(max_length=200)
    code = serializers.SlugField(
        max_length=32,
        required=False,
        allow_blank=True,
        default="",
        help_text="推荐码，空 = 自动生成",
    )
    appointed_on = serializers.DateField(required=False, allow_null=True, default=None)


class JobsAmbassadorSerializer(Base):
    id = serializers.UUIDField(source="uuid")
    code = serializers.CharField()
    name = serializers.CharField()
    country = serializers.CharField()
    university = serializers.CharField()
    appointed_on = serializers.DateField(allow_null=True)
    returned_to_city = serializers.BooleanField()


class JobsReferralAdvanceInputSerializer(Base):
    status = JobsReferralStatusField(help_text="推进到的进展（只能向前）")
    reason = _text(300)


class JobsReferralSerializer(Base):
    id = serializers.UUIDField(source="uuid")
    ambassador = serializers.UUIDField(source="ambassador.uuid")
    ambassador_name = serializers.CharField(source="ambassador.name")
    entry = serializers.UUIDField(source="entry.uuid", help_text="被推荐人的人才信息编号")
    entry_name = serializers.CharField(source="entry.full_name")
    status = serializers.CharField(help_text="registered / applied / returned")
    status_changed_at = serializers.DateTimeField(allow_null=True)


# employers and positions


class JobsEmployerOrgInputSerializer(Base):
    name = serializers.CharField(max_length=200)
    org_type = JobsOrgTypeField()
    credit_code = _text(18, help_text="统一社会信用代码")
    district = JobsDistrictOrBlankField(required=False, default="")
    contact_name = _text(80)
    contact_phone = _text(32)


class JobsEmployerOrgSerializer(Base):
    id = serializers.UUIDField(source="uuid")
    name = serializers.CharField()
    org_type = serializers.CharField()
    org_type_label = serializers.CharField(source="get_org_type_display")
    credit_code = serializers.CharField()
    district = serializers.CharField()
    contact_name = serializers.CharField()
    contact_phone = serializers.CharField()
    verification_status = serializers.CharField(help_text="pending / verified / rejected")
    verification_note = serializers.CharField()


class JobsEmployerVerificationInputSerializer(Base):
    decision = JobsVerificationDecisionField()
    note = _text(300, help_text="审核意见（不通过时必填）")


class JobsPositionInputSerializer(Base):
    title = serializers.CharField(max_length=200)
    industry = JobsIndustryField()
    degree = JobsDegreeField(help_text="最低学历")
    major_fields = serializers.ListField(
        child=JobsMajorFieldField(), required=False, default=list, help_text="空 = 专业不限"
    )
    majors_note = _text(200)
    salary_min = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=Decimal(0), help_text="元/年"
    )
    salary_max = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=Decimal(0), help_text="元/年"
    )
    district = JobsDistrictField(help_text="工作地点")
    description = _text(10_000)
    headcount = serializers.IntegerField(min_value=1, max_value=10_000, default=1)


class JobsEmployerPositionSerializer(JobsPositionSerializer):
    status = serializers.CharField(help_text="open / closed")


class JobsApplicationSerializer(Base):
    id = serializers.UUIDField(source="uuid")
    position = serializers.UUIDField(source="position.uuid")
    score = serializers.IntegerField(help_text="投递时匹配度 0-100")
    created_at = serializers.DateTimeField()
