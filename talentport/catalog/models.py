"""The service catalog: jurisdictions, departments, service items with their guides,
district service specialists and the policies each item pays.

Where a seed document gives no value for a guide element the field says so
(``NOT_SPECIFIED`` = "未明确") rather than inventing one.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from talentport.common.models import BaseModel, ValidityMixin, ValidityQuerySet

NOT_SPECIFIED = "未明确"


class JurisdictionLevel(models.TextChoices):
    PROVINCE = "province", _("省")
    CITY = "city", _("市")
    DISTRICT = "district", _("区（市）")
    ZONE = "zone", _("功能区")


class Jurisdiction(BaseModel):
    code = models.SlugField(
        _("标识"), max_length=40, unique=True, help_text=_("如 qingdao、shinan")
    )
    name = models.CharField(_("名称"), max_length=60)
    name_en = models.CharField(_("英文名称"), max_length=80, blank=True)
    level = models.CharField(_("层级"), max_length=16, choices=JurisdictionLevel.choices)
    division_code = models.CharField(
        _("行政区划代码"), max_length=12, blank=True, help_text=_("GB/T 2260；功能区无代码")
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("行政区域")
        verbose_name_plural = _("行政区域")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def city(self) -> Jurisdiction:
        return self.parent if self.parent_id and self.level != JurisdictionLevel.CITY else self  # type: ignore[return-value]


class Department(BaseModel):
    code = models.SlugField(_("标识"), max_length=80, unique=True)
    name = models.CharField(_("部门名称"), max_length=120)
    name_en = models.CharField(_("英文名称"), max_length=160, blank=True)
    jurisdiction = models.ForeignKey(
        Jurisdiction,
        verbose_name=_("所属区域"),
        on_delete=models.PROTECT,
        related_name="departments",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="units",
    )
    responsibilities = models.TextField(_("职责"), blank=True)
    phone = models.CharField(_("联系电话"), max_length=80, blank=True)
    address = models.CharField(_("办公地址"), max_length=200, default=NOT_SPECIFIED)
    source = models.CharField(_("出处"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("部门")
        verbose_name_plural = _("部门")
        ordering = ["jurisdiction__sort_order", "name"]

    def __str__(self) -> str:
        return self.name


class Stage(models.TextChoices):
    BEFORE = "before", _("出国前")
    ABROAD = "abroad", _("留学期间")
    AFTER = "after", _("回国后")


class ServiceKind(models.TextChoices):
    GOVERNMENT = "government", _("政务服务")
    VALUE_ADDED = "value_added", _("增值服务")
    PUBLIC = "public", _("公共服务")


class LifeEvent(BaseModel):
    """A life event ("一件事") the portal offers as an entry point."""

    code = models.SlugField(_("标识"), max_length=60, unique=True)
    title = models.CharField(_("名称"), max_length=80)
    title_en = models.CharField(_("英文名称"), max_length=120, blank=True)
    summary = models.TextField(_("简介"), blank=True)
    stage = models.CharField(_("阶段"), max_length=10, choices=Stage.choices, blank=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("人生事件")
        verbose_name_plural = _("人生事件")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.title


class ServiceItemQuerySet(ValidityQuerySet):
    pass


class ServiceItem(BaseModel, ValidityMixin):
    """A service item with every element of its guide (办事指南)."""

    code = models.SlugField(_("标识"), max_length=100, unique=True)
    title = models.CharField(_("事项名称"), max_length=120)
    title_en = models.CharField(_("英文名称"), max_length=200, blank=True)
    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name=_("所属区域"), on_delete=models.PROTECT, related_name="services"
    )
    category = models.CharField(_("服务类别"), max_length=40)
    kind = models.CharField(
        _("服务类型"), max_length=16, choices=ServiceKind.choices, default=ServiceKind.PUBLIC
    )
    stage = models.CharField(_("阶段"), max_length=10, choices=Stage.choices, blank=True)
    sequence = models.CharField(_("清单序号"), max_length=20, blank=True)
    content = models.TextField(_("服务内容"))
    applicants = models.TextField(_("申请对象及条件"), default=NOT_SPECIFIED)
    procedure = models.TextField(_("办理流程"), default=NOT_SPECIFIED)
    legal_basis = models.TextField(_("设定依据"), default=NOT_SPECIFIED)
    legal_limit_days = models.PositiveIntegerField(
        _("法定办结时限（工作日）"), null=True, blank=True, help_text=_("空表示未明确")
    )
    promised_limit_days = models.PositiveIntegerField(
        _("承诺办结时限（工作日）"), null=True, blank=True, help_text=_("空表示未明确")
    )
    fees = models.CharField(_("收费标准"), max_length=200, default=NOT_SPECIFIED)
    result = models.CharField(_("办理结果"), max_length=200, default=NOT_SPECIFIED)
    where_to_apply = models.CharField(_("办理地点（窗口）"), max_length=300, default=NOT_SPECIFIED)
    online_entry = models.CharField(_("网上办理入口"), max_length=300, default=NOT_SPECIFIED)
    in_person = models.BooleanField(_("需到现场"), null=True, blank=True)
    department = models.ForeignKey(
        Department,
        verbose_name=_("执行部门"),
        on_delete=models.PROTECT,
        related_name="services",
    )
    partner_departments = models.ManyToManyField(
        Department,
        verbose_name=_("协办部门"),
        blank=True,
        related_name="partner_services",
        help_text=_("种子文件同时列出的其他部门，如协助组织、区市承办部门"),
    )
    contact_phone = models.CharField(_("联系电话"), max_length=80, blank=True)
    contact_note = models.CharField(_("联系方式说明"), max_length=200, blank=True)
    source = models.CharField(_("出处"), max_length=200)
    life_events = models.ManyToManyField(
        LifeEvent, verbose_name=_("人生事件"), blank=True, related_name="services"
    )
    # Search document, rebuilt by catalog.services.service_item_index on every save.
    search_title = models.CharField(_("检索标题"), max_length=200, blank=True, editable=False)
    search_body = models.TextField(_("检索正文"), blank=True, editable=False)
    pinyin_title = models.CharField(_("标题拼音"), max_length=800, blank=True, editable=False)
    initials_title = models.CharField(
        _("标题拼音首字母"), max_length=200, blank=True, editable=False
    )
    pinyin_body = models.TextField(_("正文拼音"), blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["search_body", "pinyin_body"])

    objects = ServiceItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("服务事项")
        verbose_name_plural = _("服务事项")
        ordering = ["jurisdiction__sort_order", "id"]

    def __str__(self) -> str:
        return self.title


class Material(BaseModel):
    """One material of an item's guide, with its requirements (一次告知)."""

    service = models.ForeignKey(
        ServiceItem, verbose_name=_("服务事项"), on_delete=models.CASCADE, related_name="materials"
    )
    code = models.SlugField(
        _("材料标识"), max_length=80, help_text=_("同一材料跨事项共用同一标识，如 id_card")
    )
    name = models.CharField(_("材料名称"), max_length=200)
    requirements = models.CharField(_("要求"), max_length=300, default=NOT_SPECIFIED)
    required = models.BooleanField(_("必需"), default=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("申请材料")
        verbose_name_plural = _("申请材料")
        ordering = ["sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["service", "code"], name="uniq_material_per_service")
        ]

    def __str__(self) -> str:
        return self.name


class Specialist(BaseModel):
    """A district service specialist (服务专员) with a phone number (seed 000 annex 2)."""

    name = models.CharField(_("姓名"), max_length=40)
    jurisdiction = models.ForeignKey(
        Jurisdiction,
        verbose_name=_("负责区域"),
        on_delete=models.PROTECT,
        related_name="specialists",
    )
    phone = models.CharField(_("服务电话"), max_length=40)
    role = models.CharField(_("职责"), max_length=80, default="留学人员服务专员")
    source = models.CharField(_("出处"), max_length=200, blank=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("服务专员")
        verbose_name_plural = _("服务专员")
        ordering = ["jurisdiction__sort_order", "sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["jurisdiction", "name"], name="uniq_specialist")
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.jurisdiction}）"


class PolicyLink(models.Model):
    """A service item pays (or delivers) the benefit of a policy of the rules engine."""

    service = models.ForeignKey(
        ServiceItem,
        verbose_name=_("服务事项"),
        on_delete=models.CASCADE,
        related_name="policy_links",
    )
    policy_id = models.CharField(_("政策编号"), max_length=120, db_index=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("事项与政策关联")
        verbose_name_plural = _("事项与政策关联")
        constraints = [
            models.UniqueConstraint(fields=["service", "policy_id"], name="uniq_policy_link")
        ]

    def __str__(self) -> str:
        return f"{self.service} → {self.policy_id}"


class CatalogVersion(models.Model):
    """One row whose stamp changes on every catalog write.

    Search indexes kept in process memory compare it to decide whether to rebuild;
    it lives in the database so that every worker process sees the same stamp.
    """

    stamp = models.CharField(_("版本戳"), max_length=40)
    changed_at = models.DateTimeField(_("变更时间"), auto_now=True)

    class Meta:
        verbose_name = _("目录版本")
        verbose_name_plural = _("目录版本")

    def __str__(self) -> str:
        return self.stamp
