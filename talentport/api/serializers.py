"""Serializers of API v1: query parameters in, catalog objects and eligibility documents out.

Query serializers validate what a client may send (unknown ids, bad pages) and name
the offending parameter; output serializers give the exact shapes of contract §6.
The profile and eligibility serializers document contract §2 for the OpenAPI schema
only: the profile itself is validated by the policy engine.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from talentport.api.pagination import MAX_PAGE_SIZE, PAGE_SIZE
from talentport.catalog import selectors
from talentport.catalog.models import (
    Department,
    Jurisdiction,
    JurisdictionLevel,
    LifeEvent,
    ServiceItem,
    ServiceKind,
    Specialist,
    Stage,
)

CITY_LEVELS = {JurisdictionLevel.CITY}
DISTRICT_LEVELS = {JurisdictionLevel.DISTRICT, JurisdictionLevel.ZONE}


# --- helpers -------------------------------------------------------------------------


def jurisdiction_by_code(code: str) -> Jurisdiction | None:
    try:
        found: Jurisdiction | None = selectors.jurisdiction_get_by_code(code)
    except ObjectDoesNotExist:
        return None
    return found


def city_code(jurisdiction: Jurisdiction) -> str:
    """The city a jurisdiction belongs to (itself for a city)."""
    node: Jurisdiction | None = jurisdiction
    while node is not None and node.level not in CITY_LEVELS and node.parent_id:
        node = node.parent
    return (node or jurisdiction).code


def district_code(jurisdiction: Jurisdiction) -> str | None:
    return jurisdiction.code if jurisdiction.level in DISTRICT_LEVELS else None


def choice_message(label: str, choices: list[tuple[str, str]] | Any) -> str:
    values = "、".join(str(value) for value, _label in choices)
    return f"“{{input}}”不是有效的{label}，可选值：{values}"


# --- query parameters ----------------------------------------------------------------


class PageQuerySerializer(serializers.Serializer[Any]):
    page = serializers.IntegerField(
        required=False,
        default=1,
        min_value=1,
        help_text="页码，从 1 开始",
        error_messages={
            "invalid": "页码必须是正整数",
            "min_value": "页码必须是正整数",
            "max_string_length": "页码必须是正整数",
        },
    )
    page_size = serializers.IntegerField(
        required=False,
        default=PAGE_SIZE,
        min_value=1,
        max_value=MAX_PAGE_SIZE,
        help_text=f"每页条数，默认 {PAGE_SIZE}，最多 {MAX_PAGE_SIZE}",
        error_messages={
            "invalid": f"每页条数必须是 1 到 {MAX_PAGE_SIZE} 之间的整数",
            "min_value": f"每页条数必须是 1 到 {MAX_PAGE_SIZE} 之间的整数",
            "max_value": f"每页条数必须是 1 到 {MAX_PAGE_SIZE} 之间的整数",
            "max_string_length": f"每页条数必须是 1 到 {MAX_PAGE_SIZE} 之间的整数",
        },
    )


class AreaQueryMixin(serializers.Serializer[Any]):
    """``city`` and ``district`` ids (contract §4), checked against the jurisdictions."""

    city = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=40,
        help_text="城市标识：qingdao、weihai、liaocheng",
    )
    district = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=40,
        help_text="区（市）或功能区标识，如 shinan、hightech；须属于所给城市",
    )

    def validate_city(self, value: str) -> str | None:
        if not value:
            return None
        jurisdiction = jurisdiction_by_code(value)
        if jurisdiction is None or jurisdiction.level not in CITY_LEVELS:
            raise serializers.ValidationError(f"未知的城市标识：{value}", code="unknown")
        return value

    def validate_district(self, value: str) -> str | None:
        if not value:
            return None
        jurisdiction = jurisdiction_by_code(value)
        if jurisdiction is None or jurisdiction.level not in DISTRICT_LEVELS:
            raise serializers.ValidationError(f"未知的区（市）标识：{value}", code="unknown")
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        city, district = attrs.get("city"), attrs.get("district")
        if city and district:
            jurisdiction = jurisdiction_by_code(district)
            if jurisdiction is not None and city_code(jurisdiction) != city:
                raise serializers.ValidationError(
                    {"district": [f"{district} 不属于城市 {city}"]}, code="mismatch"
                )
        return attrs


class ServiceQuerySerializer(PageQuerySerializer, AreaQueryMixin):
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=100,
        help_text="搜索词：中文词语、全拼或拼音首字母（如 zfbt）；有搜索词时按相关度排序",
        error_messages={"max_length": "搜索内容不能超过 100 个字"},
    )
    stage = serializers.ChoiceField(
        choices=Stage.choices,
        required=False,
        allow_blank=True,
        help_text="阶段：before 出国前、abroad 留学期间、after 回国后",
        error_messages={"invalid_choice": choice_message("阶段", Stage.choices)},
    )
    category = serializers.CharField(
        required=False, allow_blank=True, max_length=40, help_text="服务类别"
    )
    kind = serializers.ChoiceField(
        choices=ServiceKind.choices,
        required=False,
        allow_blank=True,
        help_text="服务类型：government 政务服务、value_added 增值服务、public 公共服务",
        error_messages={"invalid_choice": choice_message("服务类型", ServiceKind.choices)},
    )
    life_event = serializers.CharField(
        required=False, allow_blank=True, max_length=60, help_text="人生事件标识（一件事）"
    )
    on = serializers.DateField(
        required=False,
        input_formats=["iso-8601"],
        help_text="只列出在该日期有效的事项（YYYY-MM-DD），默认今天",
        error_messages={"invalid": "日期格式应为 YYYY-MM-DD"},
    )

    def validate_life_event(self, value: str) -> str | None:
        if not value:
            return None
        if value not in {event.code for event in selectors.life_event_list()}:
            raise serializers.ValidationError(f"未知的人生事件标识：{value}", code="unknown")
        return value

    def filters(self) -> dict[str, Any]:
        """Keyword arguments for ``service_item_search`` (blank parameters left out)."""
        data = self.validated_data
        names = ("q", "city", "district", "stage", "category", "kind", "life_event", "on")
        out: dict[str, Any] = {name: data[name] for name in names if data.get(name)}
        out.setdefault("q", "")
        return out


class SearchQuerySerializer(ServiceQuerySerializer):
    q = serializers.CharField(
        required=True,
        allow_blank=False,
        max_length=100,
        help_text="搜索词：中文词语、全拼或拼音首字母（如 zfbt），按相关度排序",
        error_messages={
            "required": "请输入搜索内容",
            "blank": "请输入搜索内容",
            "null": "请输入搜索内容",
            "max_length": "搜索内容不能超过 100 个字",
        },
    )


class CityQuerySerializer(AreaQueryMixin):
    district = None  # type: ignore[assignment]


class AreaQuerySerializer(AreaQueryMixin):
    pass


class EligibilityQuerySerializer(serializers.Serializer[Any]):
    as_of = serializers.DateField(
        required=False,
        input_formats=["iso-8601"],
        help_text="评估日期（YYYY-MM-DD）；优先于请求体中的 as_of，默认今天",
        error_messages={"invalid": "日期格式应为 YYYY-MM-DD"},
    )


# --- catalog output ------------------------------------------------------------------


class ServiceListItemSerializer(serializers.Serializer[Any]):
    """One line of the catalog (contract §6)."""

    id = serializers.UUIDField(source="uuid", read_only=True)
    title = serializers.CharField(read_only=True)
    title_en = serializers.CharField(read_only=True)
    city = serializers.SerializerMethodField()
    district = serializers.SerializerMethodField()
    stage = serializers.SerializerMethodField()
    category = serializers.CharField(read_only=True)
    kind = serializers.CharField(
        read_only=True, help_text="government 政务服务、value_added 增值服务、public 公共服务"
    )
    department = serializers.CharField(source="department.name", read_only=True)
    phone = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    def get_city(self, obj: ServiceItem) -> str:
        return city_code(obj.jurisdiction)

    def get_district(self, obj: ServiceItem) -> str | None:
        return district_code(obj.jurisdiction)

    @extend_schema_field(
        serializers.ChoiceField(choices=Stage.choices, allow_null=True, read_only=True)
    )
    def get_stage(self, obj: ServiceItem) -> str | None:
        return obj.stage or None

    def get_phone(self, obj: ServiceItem) -> str:
        return obj.contact_phone or obj.department.phone

    def get_url(self, obj: ServiceItem) -> str:
        path = reverse("api:service-detail", kwargs={"id": obj.uuid})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class PaginatedServiceListSerializer(serializers.Serializer[Any]):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True, help_text="下一页地址，最后一页为 null")
    previous = serializers.URLField(allow_null=True, help_text="上一页地址，第一页为 null")
    results = ServiceListItemSerializer(many=True)


class DepartmentSummarySerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="uuid", read_only=True)
    name = serializers.CharField(read_only=True)
    name_en = serializers.CharField(read_only=True)
    phone = serializers.CharField(read_only=True)
    address = serializers.CharField(read_only=True)


class MaterialSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    requirements = serializers.CharField(read_only=True)
    required = serializers.BooleanField(read_only=True)  # type: ignore[assignment]


class ServiceDetailSerializer(ServiceListItemSerializer):
    """A service item with every element of its guide (办事指南)."""

    code = serializers.CharField(read_only=True)
    sequence = serializers.CharField(read_only=True, help_text="清单序号")
    content = serializers.CharField(read_only=True, help_text="服务内容")
    applicants = serializers.CharField(read_only=True, help_text="申请对象及条件")
    procedure = serializers.CharField(read_only=True, help_text="办理流程")
    legal_basis = serializers.CharField(read_only=True, help_text="设定依据")
    legal_limit_days = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="法定办结时限（工作日），null 表示未明确"
    )
    promised_limit_days = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="承诺办结时限（工作日），null 表示未明确"
    )
    fees = serializers.CharField(read_only=True, help_text="收费标准")
    result = serializers.CharField(read_only=True, help_text="办理结果")
    where_to_apply = serializers.CharField(read_only=True, help_text="办理地点（窗口）")
    online_entry = serializers.CharField(read_only=True, help_text="网上办理入口")
    in_person = serializers.BooleanField(
        read_only=True, allow_null=True, help_text="需到现场，null 表示未明确"
    )
    department = DepartmentSummarySerializer(read_only=True)  # type: ignore[assignment]
    partner_departments = DepartmentSummarySerializer(
        many=True, read_only=True, help_text="协办部门"
    )
    contact_note = serializers.CharField(read_only=True)
    source = serializers.CharField(read_only=True, help_text="出处")  # type: ignore[assignment]
    materials = MaterialSerializer(many=True, read_only=True)
    policies = serializers.SerializerMethodField(help_text="该事项兑现的政策编号")
    life_events = serializers.SerializerMethodField(help_text="所属人生事件标识")
    valid_from = serializers.DateField(read_only=True, allow_null=True)
    valid_to = serializers.DateField(read_only=True, allow_null=True)

    def get_policies(self, obj: ServiceItem) -> list[str]:
        return sorted(link.policy_id for link in obj.policy_links.all())

    def get_life_events(self, obj: ServiceItem) -> list[str]:
        return [event.code for event in obj.life_events.all()]


class DepartmentSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="uuid", read_only=True)
    code = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    name_en = serializers.CharField(read_only=True)
    city = serializers.SerializerMethodField()
    district = serializers.SerializerMethodField()
    phone = serializers.CharField(read_only=True)
    address = serializers.CharField(read_only=True)
    parent = serializers.SerializerMethodField(help_text="上级部门编号")  # type: ignore[assignment]

    def get_city(self, obj: Department) -> str:
        return city_code(obj.jurisdiction)

    def get_district(self, obj: Department) -> str | None:
        return district_code(obj.jurisdiction)

    @extend_schema_field(serializers.UUIDField(allow_null=True, read_only=True))
    def get_parent(self, obj: Department) -> str | None:
        return str(obj.parent.uuid) if obj.parent_id and obj.parent is not None else None


class DepartmentDetailSerializer(DepartmentSerializer):
    responsibilities = serializers.CharField(read_only=True, help_text="职责")
    source = serializers.CharField(read_only=True, help_text="出处")  # type: ignore[assignment]
    services = serializers.SerializerMethodField(help_text="该部门执行的服务事项编号")
    partner_services = serializers.SerializerMethodField(help_text="该部门协办的服务事项编号")

    @extend_schema_field(serializers.ListField(child=serializers.UUIDField()))
    def get_services(self, obj: Department) -> list[str]:
        return [str(item.uuid) for item in self._items(obj) if item.department_id == obj.pk]

    @extend_schema_field(serializers.ListField(child=serializers.UUIDField()))
    def get_partner_services(self, obj: Department) -> list[str]:
        return [str(item.uuid) for item in self._items(obj) if item.department_id != obj.pk]

    def _items(self, obj: Department) -> list[ServiceItem]:
        """Items it carries out or helps with, fetched once per department."""
        cache: dict[int, list[ServiceItem]] = self.__dict__.setdefault("_items_cache", {})
        if obj.pk not in cache:
            cache[obj.pk] = selectors.service_item_list_for_department(department=obj)
        return cache[obj.pk]


class JurisdictionSerializer(serializers.Serializer[Any]):
    id = serializers.CharField(source="code", read_only=True, help_text="区域标识，如 qingdao")
    uuid = serializers.UUIDField(read_only=True)
    name = serializers.CharField(read_only=True)
    name_en = serializers.CharField(read_only=True)
    level = serializers.ChoiceField(choices=JurisdictionLevel.choices, read_only=True)
    division_code = serializers.CharField(read_only=True, help_text="行政区划代码（GB/T 2260）")
    parent = serializers.SerializerMethodField(help_text="上级区域标识")  # type: ignore[assignment]

    def get_parent(self, obj: Jurisdiction) -> str | None:
        return obj.parent.code if obj.parent_id and obj.parent is not None else None


class SpecialistSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="uuid", read_only=True)
    name = serializers.CharField(read_only=True)
    phone = serializers.CharField(read_only=True)
    role = serializers.CharField(read_only=True)
    city = serializers.SerializerMethodField()
    district = serializers.SerializerMethodField()
    area = serializers.CharField(source="jurisdiction.name", read_only=True, help_text="负责区域")

    def get_city(self, obj: Specialist) -> str:
        return city_code(obj.jurisdiction)

    def get_district(self, obj: Specialist) -> str | None:
        return district_code(obj.jurisdiction)


class LifeEventSerializer(serializers.Serializer[Any]):
    id = serializers.CharField(source="code", read_only=True, help_text="人生事件标识")
    uuid = serializers.UUIDField(read_only=True)
    title = serializers.CharField(read_only=True)
    title_en = serializers.CharField(read_only=True)
    summary = serializers.CharField(read_only=True)
    stage = serializers.SerializerMethodField()
    services = serializers.SerializerMethodField(help_text="该事件包含的服务事项编号")

    @extend_schema_field(
        serializers.ChoiceField(choices=Stage.choices, allow_null=True, read_only=True)
    )
    def get_stage(self, obj: LifeEvent) -> str | None:
        return obj.stage or None

    @extend_schema_field(serializers.ListField(child=serializers.UUIDField()))
    def get_services(self, obj: LifeEvent) -> list[str]:
        return [str(service.uuid) for service in obj.services.all()]


def list_envelope(
    name: str, child: type[serializers.Serializer[Any]]
) -> type[serializers.Serializer[Any]]:
    """``{"count": N, "results": [...]}`` for the unpaginated lists (schema only)."""
    return type(
        name,
        (serializers.Serializer[Any],),
        {
            "count": serializers.IntegerField(),
            "results": child(many=True),
            "__module__": __name__,
        },
    )


DepartmentListSerializer = list_envelope("DepartmentListSerializer", DepartmentSerializer)
JurisdictionListSerializer = list_envelope("JurisdictionListSerializer", JurisdictionSerializer)
SpecialistListSerializer = list_envelope("SpecialistListSerializer", SpecialistSerializer)
LifeEventListSerializer = list_envelope("LifeEventListSerializer", LifeEventSerializer)


# --- errors (schema only) ------------------------------------------------------------


class ErrorSerializer(serializers.Serializer[Any]):
    field = serializers.CharField(help_text="出错的字段路径，如 education.degree；整体错误为空")
    code = serializers.CharField(help_text="错误代码，如 invalid、required、not_found")
    message = serializers.CharField(help_text="中文说明")


class ErrorResponseSerializer(serializers.Serializer[Any]):
    errors = ErrorSerializer(many=True)  # type: ignore[assignment]


# --- eligibility (schema only: validation is the policy engine's) --------------------


class ProfilePersonSerializer(serializers.Serializer[Any]):
    birth_date = serializers.DateField(required=False)
    hukou_district = serializers.CharField(required=False, help_text="户籍所在区（市）标识")


class ProfileEducationSerializer(serializers.Serializer[Any]):
    degree = serializers.ChoiceField(
        choices=["associate", "bachelor", "master", "doctor"], required=False
    )
    overseas = serializers.BooleanField(required=False, help_text="国（境）外取得")
    full_time = serializers.BooleanField(required=False)
    graduation_date = serializers.DateField(
        required=False, allow_null=True, help_text="在读为 null"
    )
    cscse_certified = serializers.BooleanField(
        required=False, help_text="持教育部留学服务中心认证书"
    )
    world_top200 = serializers.BooleanField(required=False)


class ProfileEmploymentSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(
        choices=["employee", "founder", "flexible", "none"], required=False
    )
    city = serializers.ChoiceField(
        choices=["qingdao", "weihai", "liaocheng", "other"], required=False
    )
    district = serializers.CharField(required=False)
    employer_type = serializers.ChoiceField(
        choices=[
            "enterprise",
            "small_micro_enterprise",
            "state_owned_enterprise",
            "government",
            "public_institution",
            "individual_business",
            "social_organization",
        ],
        required=False,
    )
    start_date = serializers.DateField(required=False)
    first_in_city = serializers.BooleanField(required=False, help_text="首次来青/来城就业创业")
    contract_years = serializers.FloatField(required=False)
    social_insurance_months = serializers.IntegerField(required=False)


class ProfileBoughtHomeSerializer(serializers.Serializer[Any]):
    date = serializers.DateField(required=False)
    city = serializers.CharField(required=False)
    district = serializers.CharField(required=False)
    only_home_in_city = serializers.BooleanField(required=False, help_text="唯一商品住宅")


class ProfileHousingSerializer(serializers.Serializer[Any]):
    bought_home = ProfileBoughtHomeSerializer(required=False, allow_null=True)
    owns_commercial_home_in = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="拥有商品住房的区（市）标识"
    )


class ProfileVentureSerializer(serializers.Serializer[Any]):
    entity_type = serializers.ChoiceField(
        choices=[
            "individual_business",
            "small_micro_enterprise",
            "enterprise",
            "private_non_enterprise",
            "social_organization",
            "firm",
            "cooperative",
        ],
        required=False,
    )
    founded_date = serializers.DateField(required=False)
    city = serializers.CharField(required=False)
    district = serializers.CharField(required=False)
    equity_share = serializers.FloatField(required=False, min_value=0, max_value=1)
    local_contribution_last_year = serializers.FloatField(
        required=False, min_value=0, help_text="企业上年度在青地方综合贡献（元）"
    )
    selected_for_startup_support_plan = serializers.BooleanField(required=False)


class ProfileInternshipSerializer(serializers.Serializer[Any]):
    at_qingdao_base = serializers.BooleanField(required=False)
    days_this_month = serializers.IntegerField(required=False)


class ProfilePostdocSerializer(serializers.Serializer[Any]):
    status = serializers.ChoiceField(choices=["in_station", "out_station"], required=False)
    city = serializers.CharField(required=False)
    district = serializers.CharField(required=False)
    start_date = serializers.DateField(required=False)


class ProfileLiaochengSerializer(serializers.Serializer[Any]):
    recognized_talent = serializers.BooleanField(required=False)
    talent_tier = serializers.ChoiceField(
        choices=["top", "high_end", "urgent", "none"], required=False
    )
    professional_title = serializers.ChoiceField(
        choices=["senior_full", "senior_deputy", "intermediate", "none"], required=False
    )
    chief_technician = serializers.ChoiceField(
        choices=["municipal", "provincial", "national", "world_medal", "none"], required=False
    )
    uses_talent_apartment = serializers.BooleanField(required=False)


class ProfileSerializer(serializers.Serializer[Any]):
    """Applicant profile (contract ``profile.schema.json``); every field is optional."""

    as_of = serializers.DateField(required=False, help_text="评估日期，默认今天")
    person = ProfilePersonSerializer(required=False)
    education = ProfileEducationSerializer(required=False, help_text="最高学历")
    employment = ProfileEmploymentSerializer(required=False, help_text="当前就业或创业")
    housing = ProfileHousingSerializer(required=False)
    venture = ProfileVentureSerializer(required=False)
    internship = ProfileInternshipSerializer(required=False)
    postdoc = ProfilePostdocSerializer(required=False)
    liaocheng = ProfileLiaochengSerializer(required=False, help_text="仅聊城政策使用")


class BenefitSerializer(serializers.Serializer[Any]):
    kind = serializers.CharField(help_text="cash")
    per_period = serializers.FloatField(allow_null=True)
    per_period_min = serializers.FloatField(required=False, allow_null=True)
    per_period_max = serializers.FloatField(required=False, allow_null=True)
    period = serializers.ChoiceField(choices=["month", "year", "once"])
    max_periods = serializers.IntegerField(allow_null=True)
    max_total = serializers.FloatField(allow_null=True)


class ReasonSerializer(serializers.Serializer[Any]):
    condition = serializers.CharField()
    met = serializers.BooleanField(allow_null=True)
    source = serializers.CharField()  # type: ignore[assignment]


class EligibilityResultSerializer(serializers.Serializer[Any]):
    policy = serializers.CharField(help_text="政策编号，如 qingdao.graduate_housing_subsidy")
    title = serializers.CharField()
    jurisdiction = serializers.CharField()
    status = serializers.ChoiceField(choices=["eligible", "ineligible", "needs_info", "excluded"])
    benefit = BenefitSerializer(allow_null=True, help_text="非现金服务为 null")
    window_closes = serializers.DateField(allow_null=True)
    reasons = ReasonSerializer(many=True)
    missing = serializers.ListField(child=serializers.CharField(), help_text="缺少的字段路径")
    excluded_by = serializers.CharField(allow_null=True)


class EligibilityTotalsSerializer(serializers.Serializer[Any]):
    max_total = serializers.FloatField()


class EligibilitySerializer(serializers.Serializer[Any]):
    as_of = serializers.DateField()
    results = EligibilityResultSerializer(many=True)
    totals = EligibilityTotalsSerializer()
