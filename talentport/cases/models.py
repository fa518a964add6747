"""Cases: the administrator-maintained working-day calendar (first), then 一件事
bundles, applications and department sub-cases.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from talentport.common.crypto import BlindIndexField, EncryptedJSONField
from talentport.common.idcard import normalize_phone
from talentport.common.models import BaseModel

# --------------------------------------------------------------------------- #
# Working-day calendar maintained by administrators (contract §7)
# --------------------------------------------------------------------------- #


class CalendarDayKind(models.TextChoices):
    HOLIDAY = "holiday", _("放假（节假日）")
    MAKEUP_WORKDAY = "makeup_workday", _("调休上班")


class CalendarDay(BaseModel):
    """One day of a year's official holiday arrangement, entered by an administrator.

    Used by the working-day clock (``talentport.cases.clock``) only for years the
    ``chinese_calendar`` package does not know yet, e.g. once the State Council has
    published next year's arrangement and before the package is updated.  Every day
    not listed follows Monday–Friday.  Read through
    ``talentport.cases.selectors.calendar_overrides``.
    """

    date = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类型"), max_length=20, choices=CalendarDayKind.choices)
    name = models.CharField(_("节日名称"), max_length=40, blank=True, help_text=_("例如：国庆节"))
    note = models.TextField(_("备注"), blank=True, help_text=_("例如：发布通知的文号"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("节假日安排")
        verbose_name_plural = _("节假日安排")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.get_kind_display()} {self.name}".strip()

    def clean(self) -> None:
        super().clean()
        if (
            self.kind == CalendarDayKind.MAKEUP_WORKDAY
            and self.date is not None
            and self.date.weekday() < 5
        ):
            raise ValidationError({"date": _("调休上班日应为周六或周日")})


# --------------------------------------------------------------------------- #
# 一件事 bundles: a life event as data (data/bundles/*.yaml, edited in the admin)
# --------------------------------------------------------------------------- #


class BundleStage(models.TextChoices):
    BEFORE = "before", _("出国前")
    ABROAD = "abroad", _("留学期间")
    AFTER = "after", _("回国后")
    ANY = "any", _("不分阶段")


class Filer(models.TextChoices):
    PERSON = "person", _("本人申请")
    EMPLOYER = "employer", _("用人单位申请")


class Bundle(BaseModel):
    """One life event offered as a single application, versioned on every change."""

    code = models.SlugField(_("标识"), max_length=80, unique=True)
    title = models.CharField(_("名称"), max_length=120)
    city = models.CharField(_("城市"), max_length=40, help_text=_("行政区域标识，如 weihai"))
    life_event = models.CharField(_("人生事件"), max_length=60, blank=True)
    summary = models.TextField(_("简介"), blank=True)
    filer = models.CharField(
        _("申请人"), max_length=16, choices=Filer.choices, default=Filer.PERSON
    )
    fields = models.JSONField(
        _("表单字段定义"), default=list, blank=True, help_text=_("[{key, label, prefill, type}]")
    )
    source = models.CharField(_("出处"), max_length=300, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    content_hash = models.CharField(_("内容摘要"), max_length=64, blank=True, editable=False)
    active = models.BooleanField(_("启用"), default=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("一件事套餐")
        verbose_name_plural = _("一件事套餐")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.title


class BundleItem(models.Model):
    """One service item of a bundle, bound to the department that handles it."""

    bundle = models.ForeignKey(
        Bundle, verbose_name=_("一件事套餐"), on_delete=models.CASCADE, related_name="items"
    )
    key = models.SlugField(_("事项标识"), max_length=100)
    stage = models.CharField(_("阶段"), max_length=10, choices=BundleStage.choices)
    title = models.CharField(_("事项名称"), max_length=160)
    kind = models.CharField(_("类型"), max_length=20, blank=True)
    service_item = models.ForeignKey(
        "catalog.ServiceItem",
        verbose_name=_("目录事项"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="bundle_items",
    )
    department = models.ForeignKey(
        "catalog.Department",
        verbose_name=_("责任部门"),
        on_delete=models.PROTECT,
        related_name="bundle_items",
    )
    materials = models.JSONField(
        _("申请材料"),
        default=list,
        blank=True,
        help_text=_("[{code, name, requirements, required}]"),
    )
    fields = models.JSONField(_("所需字段"), default=list, blank=True)
    legal_limit_days = models.PositiveIntegerField(
        _("法定时限（工作日）"), null=True, blank=True, help_text=_("空表示未明确")
    )
    promised_limit_days = models.PositiveIntegerField(
        _("承诺时限（工作日）"), null=True, blank=True, help_text=_("空表示未明确")
    )
    limit_note = models.CharField(_("时限说明"), max_length=300, blank=True)
    in_person = models.BooleanField(_("需到现场"), null=True, blank=True)
    policy = models.CharField(_("关联政策"), max_length=120, blank=True)
    preselected = models.BooleanField(_("默认选中"), default=False)
    depends_on = models.JSONField(_("前置事项"), default=list, blank=True)
    result = models.CharField(_("办理结果"), max_length=200, blank=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("套餐事项")
        verbose_name_plural = _("套餐事项")
        ordering = ["sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["bundle", "key"], name="uniq_bundle_item_key")
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def limit_days(self) -> int | None:
        return self.promised_limit_days or self.legal_limit_days


# --------------------------------------------------------------------------- #
# Who handles what: department memberships (the person's ties are people.AccessGrant)
# --------------------------------------------------------------------------- #


class DepartmentMembership(BaseModel):
    """A staff account's membership of a department; ``supervisor`` receives escalations."""

    user = models.ForeignKey(
        "people.User",
        verbose_name=_("账户"),
        on_delete=models.CASCADE,
        related_name="case_memberships",
    )
    department = models.ForeignKey(
        "catalog.Department",
        verbose_name=_("部门"),
        on_delete=models.CASCADE,
        related_name="case_memberships",
    )
    supervisor = models.BooleanField(_("督办负责人"), default=False)
    phone = models.CharField(_("办公电话"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("部门成员")
        verbose_name_plural = _("部门成员")
        constraints = [
            models.UniqueConstraint(fields=["user", "department"], name="uniq_case_membership")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.department}"


# --------------------------------------------------------------------------- #
# The person's material library (uploaded once, reused)
# --------------------------------------------------------------------------- #


class FileKind(models.TextChoices):
    PDF = "pdf", "PDF"
    JPG = "jpg", "JPG"
    PNG = "png", "PNG"
    OFD = "ofd", "OFD"


class MaterialFile(BaseModel):
    owner = models.ForeignKey(
        "people.User",
        verbose_name=_("所有人"),
        on_delete=models.PROTECT,
        related_name="case_materials",
    )
    uploaded_by = models.ForeignKey(
        "people.User",
        verbose_name=_("上传人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    code = models.SlugField(_("材料标识"), max_length=80)
    name = models.CharField(_("材料名称"), max_length=200, blank=True)
    filename = models.CharField(_("原文件名"), max_length=200)
    kind = models.CharField(_("文件类型"), max_length=8, choices=FileKind.choices)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    path = models.CharField(_("存储路径"), max_length=300, editable=False)

    class Meta:
        verbose_name = _("材料文件")
        verbose_name_plural = _("材料文件")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name or self.code}（{self.filename}）"


class DegreeConfirmation(BaseModel):
    """学历汇: the person's degree data, confirmed once and reused by every item."""

    owner = models.OneToOneField(
        "people.User",
        verbose_name=_("本人"),
        on_delete=models.PROTECT,
        related_name="degree_confirmation",
    )
    data = EncryptedJSONField(_("学历学位信息"), default=dict)
    confirmed_at = models.DateTimeField(_("确认时间"))
    confirmed_by = models.ForeignKey(
        "people.User",
        verbose_name=_("确认人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("学历确认（学历汇）")
        verbose_name_plural = _("学历确认（学历汇）")

    def __str__(self) -> str:
        return str(self.owner)


# --------------------------------------------------------------------------- #
# Applications and department sub-cases
# --------------------------------------------------------------------------- #


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PROCESSING = "processing", _("办理中")
    CORRECTION = "correction", _("待补正")
    CLOSED = "closed", _("已办结")


class Application(BaseModel):
    number = models.CharField(_("申请编号"), max_length=32, unique=True, null=True, blank=True)
    applicant = models.ForeignKey(
        "people.User",
        verbose_name=_("申请人"),
        on_delete=models.PROTECT,
        related_name="case_applications",
    )
    filed_by = models.ForeignKey(
        "people.User",
        verbose_name=_("经办人"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("本人以外的经办人（窗口帮办代办、用人单位）"),
    )
    bundle = models.ForeignKey(
        Bundle, verbose_name=_("一件事套餐"), on_delete=models.PROTECT, related_name="applications"
    )
    bundle_version = models.PositiveIntegerField(_("套餐版本"))
    stage = models.CharField(_("阶段"), max_length=10, choices=BundleStage.choices)
    snapshot = models.JSONField(_("申请时的事项"), default=dict)
    selected_items = models.JSONField(_("所选事项"), default=list)
    # The 一件事 form holds the ID number, phone, passport, address...: encrypted as a
    # whole; the phone, which window specialists search by, through a blind index.
    form_data = EncryptedJSONField(_("表单数据"), default=dict, blank=True)
    phone_index = BlindIndexField(
        _("表单手机号索引"),
        source="form_phone",
        normalizer=normalize_phone,
        scope="cases.application.form_data.phone",
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=ApplicationStatus.choices, default=ApplicationStatus.DRAFT
    )
    idempotency_key = models.CharField(_("幂等键"), max_length=80, null=True, blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    version = models.PositiveIntegerField(_("版本号"), default=0)

    class Meta:
        verbose_name = _("一件事申请")
        verbose_name_plural = _("一件事申请")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["applicant", "idempotency_key"], name="uniq_application_idempotency"
            )
        ]

    def __str__(self) -> str:
        return self.number or str(self.uuid)

    @property
    def form_phone(self) -> str:
        """The phone of the form (indexed by ``phone_index``)."""
        return str((self.form_data or {}).get("phone") or "").strip()


class ApplicationMaterial(models.Model):
    """A material of the application's checklist, satisfied by a file of the library."""

    application = models.ForeignKey(
        Application, verbose_name=_("申请"), on_delete=models.CASCADE, related_name="materials"
    )
    code = models.SlugField(_("材料标识"), max_length=80)
    file = models.ForeignKey(
        MaterialFile, verbose_name=_("文件"), on_delete=models.PROTECT, related_name="uses"
    )

    class Meta:
        verbose_name = _("申请材料")
        verbose_name_plural = _("申请材料")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "code"], name="uniq_application_material"
            )
        ]

    def __str__(self) -> str:
        return f"{self.application} {self.code}"


class SubCaseStatus(models.TextChoices):
    WAITING = "waiting", _("等待前置环节")
    SUBMITTED = "submitted", _("待受理")
    ACCEPTED = "accepted", _("办理中")
    CORRECTION = "correction", _("待补正")
    APPROVED = "approved", _("审核通过")
    REJECTED = "rejected", _("不予办理")
    COMPLETED = "completed", _("已办结")


class SubCase(BaseModel):
    """The part of an application one department handles, with its legal clock."""

    application = models.ForeignKey(
        Application, verbose_name=_("申请"), on_delete=models.PROTECT, related_name="subcases"
    )
    department = models.ForeignKey(
        "catalog.Department",
        verbose_name=_("责任部门"),
        on_delete=models.PROTECT,
        related_name="subcases",
    )
    items = models.JSONField(_("事项"), default=list)
    depends_on = models.JSONField(_("前置部门"), default=list, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=SubCaseStatus.choices, default=SubCaseStatus.SUBMITTED
    )
    resume_status = models.CharField(_("补正后恢复状态"), max_length=16, blank=True)
    limit_days = models.PositiveIntegerField(_("时限（工作日）"))
    started_on = models.DateField(_("起算日"), null=True, blank=True)
    due_date = models.DateField(_("到期日"), null=True, blank=True, db_index=True)
    due_provisional = models.BooleanField(_("到期日为暂定"), default=False)
    paused_since = models.DateField(_("暂停起始日"), null=True, blank=True)
    paused_days = models.PositiveIntegerField(_("累计暂停工作日"), default=0)
    assignee = models.ForeignKey(
        "people.User",
        verbose_name=_("承办人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_subcases",
    )
    result_number = models.CharField(_("结果编号"), max_length=120, blank=True)
    result_note = models.TextField(_("结果说明"), blank=True)
    reason = models.TextField(_("不予办理理由"), blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("已提醒"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("已督办"), null=True, blank=True)
    version = models.PositiveIntegerField(_("版本号"), default=0)

    class Meta:
        verbose_name = _("部门子件")
        verbose_name_plural = _("部门子件")
        ordering = ["application_id", "id"]
        indexes = [models.Index(fields=["department", "status"])]

    def __str__(self) -> str:
        return f"{self.application} · {self.department}"

    @property
    def has_result(self) -> bool:
        return self.status in (SubCaseStatus.COMPLETED, SubCaseStatus.REJECTED)


class CorrectionNotice(BaseModel):
    """补正: one notice listing everything to correct; the clock pauses until answered."""

    subcase = models.ForeignKey(
        SubCase, verbose_name=_("部门子件"), on_delete=models.PROTECT, related_name="corrections"
    )
    entries = models.JSONField(_("补正清单"), default=list, help_text=_("[{field, message}]"))
    message = models.TextField(_("补正说明"), blank=True)
    requested_by = models.ForeignKey(
        "people.User", verbose_name=_("发起人"), on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(_("补正时间"), null=True, blank=True)
    answered_by = models.ForeignKey(
        "people.User",
        verbose_name=_("补正人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    answer = models.TextField(_("补正答复"), blank=True)

    class Meta:
        verbose_name = _("补正通知")
        verbose_name_plural = _("补正通知")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.subcase} 补正"


# --------------------------------------------------------------------------- #
# 好差评, rectification and return visits
# --------------------------------------------------------------------------- #


class RatingLevel(models.TextChoices):
    VERY_SATISFIED = "very_satisfied", _("非常满意")
    SATISFIED = "satisfied", _("满意")
    BASIC = "basic", _("基本满意")
    DISSATISFIED = "dissatisfied", _("不满意")
    VERY_DISSATISFIED = "very_dissatisfied", _("非常不满意")


BAD_LEVELS = (RatingLevel.DISSATISFIED, RatingLevel.VERY_DISSATISFIED)
INDICATORS = {
    "efficiency": _("办事效率"),
    "guide_accuracy": _("指南准确"),
    "convenience": _("办事便捷"),
    "attitude": _("服务态度"),
}


class Rating(BaseModel):
    application = models.ForeignKey(
        Application, verbose_name=_("申请"), on_delete=models.PROTECT, related_name="ratings"
    )
    subcase = models.ForeignKey(
        SubCase,
        verbose_name=_("部门子件"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ratings",
        help_text=_("空表示对整件申请的评价"),
    )
    scope = models.CharField(
        _("评价对象"), max_length=64, help_text=_("application 或部门子件编号")
    )
    level = models.CharField(_("评价等级"), max_length=20, choices=RatingLevel.choices)
    indicators = models.JSONField(_("分项评价"), default=dict, blank=True)
    comment = models.TextField(_("评价内容"), blank=True)
    rated_by = models.ForeignKey(
        "people.User", verbose_name=_("评价人"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("好差评")
        verbose_name_plural = _("好差评")
        constraints = [
            models.UniqueConstraint(fields=["application", "scope"], name="uniq_rating_scope")
        ]

    def __str__(self) -> str:
        return f"{self.application} {self.get_level_display()}"


class RectificationStatus(models.TextChoices):
    OPEN = "open", _("整改中")
    REPLIED = "replied", _("已答复")


class RectificationTask(BaseModel):
    rating = models.OneToOneField(
        Rating, verbose_name=_("差评"), on_delete=models.PROTECT, related_name="rectification"
    )
    department = models.ForeignKey(
        "catalog.Department",
        verbose_name=_("整改部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rectifications",
    )
    status = models.CharField(
        _("状态"),
        max_length=12,
        choices=RectificationStatus.choices,
        default=RectificationStatus.OPEN,
    )
    due_date = models.DateField(_("整改期限"))
    due_provisional = models.BooleanField(_("期限为暂定"), default=False)
    reply = models.TextField(_("整改答复"), blank=True)
    replied_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    replied_by = models.ForeignKey(
        "people.User",
        verbose_name=_("答复人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("差评整改")
        verbose_name_plural = _("差评整改")

    def __str__(self) -> str:
        return f"{self.rating} 整改"


class ReturnVisitStatus(models.TextChoices):
    PENDING = "pending", _("待回访")
    DONE = "done", _("已回访")


class ReturnVisit(BaseModel):
    rating = models.OneToOneField(
        Rating, verbose_name=_("差评"), on_delete=models.PROTECT, related_name="return_visit"
    )
    status = models.CharField(
        _("状态"),
        max_length=12,
        choices=ReturnVisitStatus.choices,
        default=ReturnVisitStatus.PENDING,
    )
    reached = models.BooleanField(_("是否联系上"), null=True, blank=True)
    satisfaction = models.CharField(
        _("回访后满意度"), max_length=20, choices=RatingLevel.choices, blank=True
    )
    note = models.TextField(_("回访记录"), blank=True)
    visited_at = models.DateTimeField(_("回访时间"), null=True, blank=True)
    visited_by = models.ForeignKey(
        "people.User",
        verbose_name=_("回访人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("回访记录")
        verbose_name_plural = _("回访记录")

    def __str__(self) -> str:
        return f"{self.rating} 回访"
