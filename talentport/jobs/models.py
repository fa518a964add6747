"""Talent pool, employers and positions, job fairs, campus ambassadors and events.

Every status is a ``TextChoices`` changed only by a service in ``services.py``, which
also writes the transition to the append-only audit journal (``common.AuditEvent``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from talentport.common.crypto import BlindIndexField, EncryptedTextField
from talentport.common.idcard import normalize_phone
from talentport.common.models import BaseModel


class Degree(models.TextChoices):
    """Same ids as ``education.degree`` in the profile contract."""

    ASSOCIATE = "associate", _("专科")
    BACHELOR = "bachelor", _("本科")
    MASTER = "master", _("硕士")
    DOCTOR = "doctor", _("博士")


DEGREE_RANK = {Degree.ASSOCIATE: 0, Degree.BACHELOR: 1, Degree.MASTER: 2, Degree.DOCTOR: 3}


class District(models.TextChoices):
    """Qingdao district ids (contract README)."""

    SHINAN = "shinan", _("市南区")
    SHIBEI = "shibei", _("市北区")
    LICANG = "licang", _("李沧区")
    LAOSHAN = "laoshan", _("崂山区")
    XIHAIAN = "xihaian", _("西海岸新区")
    CHENGYANG = "chengyang", _("城阳区")
    JIMO = "jimo", _("即墨区")
    JIAOZHOU = "jiaozhou", _("胶州市")
    PINGDU = "pingdu", _("平度市")
    LAIXI = "laixi", _("莱西市")
    HIGHTECH = "hightech", _("高新区")
    FTZ = "ftz", _("自贸片区")


class Industry(models.TextChoices):
    MARINE = "marine", _("海洋经济")
    MANUFACTURING = "manufacturing", _("先进制造")
    DIGITAL = "digital", _("数字经济与信息技术")
    BIOMEDICINE = "biomedicine", _("生物医药与健康")
    NEW_MATERIALS = "new_materials", _("新材料")
    ENERGY_CHEMICAL = "energy_chemical", _("能源化工")
    FINANCE = "finance", _("金融")
    EDUCATION_RESEARCH = "education_research", _("教育科研")
    TRADE_LOGISTICS = "trade_logistics", _("商贸物流")
    CULTURE_TOURISM = "culture_tourism", _("文化旅游")
    PUBLIC_SERVICE = "public_service", _("公共服务")
    OTHER = "other", _("其他")


class MajorField(models.TextChoices):
    """Broad discipline of a major: matching compares these, the free text is shown."""

    COMPUTING = "computing", _("计算机与电子信息")
    MECHANICAL = "mechanical", _("机械与自动化")
    MATERIALS = "materials", _("材料科学与工程")
    MARINE_SCIENCE = "marine_science", _("海洋科学与工程")
    BIOLOGY_MEDICINE = "biology_medicine", _("生物与医学")
    CHEMISTRY = "chemistry", _("化学与化工")
    MATH_PHYSICS = "math_physics", _("数学、物理与统计")
    ECONOMICS_FINANCE = "economics_finance", _("经济与金融")
    MANAGEMENT = "management", _("管理")
    LAW = "law", _("法学")
    EDUCATION = "education", _("教育")
    LANGUAGES_HUMANITIES = "languages_humanities", _("语言与人文")
    ARTS_DESIGN = "arts_design", _("艺术与设计")
    CIVIL_ARCHITECTURE = "civil_architecture", _("土木与建筑")
    ENERGY_POWER = "energy_power", _("能源与动力")
    OTHER = "other", _("其他")


# --- talent pool ---------------------------------------------------------------------


class AbroadStatus(models.TextChoices):
    STUDYING = "studying", _("在读留学生")
    RETURNED = "returned", _("已回国（海归）")


class TalentPoolEntry(BaseModel):
    """One person in the 意愿来青留学人才信息库 (seed 003 §二(十))."""

    profile = models.OneToOneField(
        "people.TalentProfile",
        verbose_name=_("人才画像"),
        on_delete=models.PROTECT,
        related_name="pool_entry",
    )
    full_name = models.CharField(_("姓名"), max_length=80)
    abroad_status = models.CharField(
        _("留学状态"), max_length=16, choices=AbroadStatus.choices, default=AbroadStatus.STUDYING
    )
    school = models.CharField(_("就读院校"), max_length=200)
    country = models.CharField(_("留学国家和地区"), max_length=80)
    major = models.CharField(_("专业"), max_length=120)
    major_field = models.CharField(
        _("专业大类"), max_length=32, choices=MajorField.choices, default=MajorField.OTHER
    )
    degree = models.CharField(_("学历学位"), max_length=16, choices=Degree.choices)
    expected_graduation = models.DateField(_("（预计）毕业时间"), null=True, blank=True)
    intended_districts = models.JSONField(
        _("意向区（市）"), default=list, blank=True, help_text=_("为空表示青岛任意区（市）")
    )
    industries = models.JSONField(_("意向行业"), default=list, blank=True)
    salary_expectation = models.DecimalField(
        _("期望年薪（元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    # contact details encrypted at rest; masked copies for lists, a blind index to
    # find a phone by exact match
    phone = EncryptedTextField(_("联系电话"), blank=True, default="")
    phone_masked = models.CharField(_("联系电话（脱敏）"), max_length=32, blank=True)
    phone_index = BlindIndexField(_("联系电话索引"), source="phone", normalizer=normalize_phone)
    email = EncryptedTextField(_("联系邮箱"), blank=True, default="")
    email_masked = models.CharField(_("联系邮箱（脱敏）"), max_length=254, blank=True)
    contact_consent = models.BooleanField(
        _("同意向用人单位展示并联系"),
        default=False,
        help_text=_("同意后，经认证的用人单位可以看到您的信息并与您联系"),
    )
    referred_by = models.ForeignKey(
        "jobs.Ambassador",
        verbose_name=_("推荐特派员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referred_entries",
    )

    class Meta:
        verbose_name = _("留学人才信息")
        verbose_name_plural = _("意愿来青留学人才信息库")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["country"]),
            models.Index(fields=["degree"]),
            models.Index(fields=["major_field"]),
        ]

    def __str__(self) -> str:
        return f"{self.full_name}（{self.school}）"


# --- employers and positions ---------------------------------------------------------


class OrgType(models.TextChoices):
    PRIVATE = "private", _("民营企业")
    UNIVERSITY_INSTITUTE = "university_institute", _("高校及科研院所")
    STATE_OWNED = "state_owned", _("国有企业")
    OTHER = "other", _("其他")


class VerificationStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    VERIFIED = "verified", _("已认证")
    REJECTED = "rejected", _("未通过")


class EmployerOrg(BaseModel):
    name = models.CharField(_("单位名称"), max_length=200)
    org_type = models.CharField(_("单位类型"), max_length=32, choices=OrgType.choices)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    district = models.CharField(
        _("所在区（市）"), max_length=16, choices=District.choices, blank=True
    )
    contact_name = models.CharField(_("联系人"), max_length=80, blank=True)
    contact_phone = EncryptedTextField(_("联系电话"), blank=True, default="")
    contact_phone_masked = models.CharField(_("联系电话（脱敏）"), max_length=32, blank=True)
    verification_status = models.CharField(
        _("认证状态"),
        max_length=16,
        choices=VerificationStatus.choices,
        default=VerificationStatus.PENDING,
    )
    verification_note = models.CharField(_("审核意见"), max_length=300, blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("单位账户"),
        related_name="employer_orgs",
        blank=True,
    )

    class Meta:
        verbose_name = _("用人单位")
        verbose_name_plural = _("用人单位")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_verified(self) -> bool:
        return self.verification_status == VerificationStatus.VERIFIED


class PositionStatus(models.TextChoices):
    OPEN = "open", _("招聘中")
    CLOSED = "closed", _("已结束")


class Position(BaseModel):
    org = models.ForeignKey(
        EmployerOrg, verbose_name=_("用人单位"), on_delete=models.PROTECT, related_name="positions"
    )
    title = models.CharField(_("岗位名称"), max_length=200)
    industry = models.CharField(_("行业"), max_length=32, choices=Industry.choices)
    degree = models.CharField(_("最低学历"), max_length=16, choices=Degree.choices)
    major_fields = models.JSONField(
        _("专业大类要求"), default=list, blank=True, help_text=_("为空表示专业不限")
    )
    majors_note = models.CharField(_("专业说明"), max_length=200, blank=True)
    salary_min = models.DecimalField(_("年薪下限（元）"), max_digits=12, decimal_places=2)
    salary_max = models.DecimalField(_("年薪上限（元）"), max_digits=12, decimal_places=2)
    district = models.CharField(_("工作地点"), max_length=16, choices=District.choices)
    description = models.TextField(_("岗位描述"), blank=True)
    headcount = models.PositiveIntegerField(_("招聘人数"), default=1)
    status = models.CharField(
        _("状态"), max_length=16, choices=PositionStatus.choices, default=PositionStatus.OPEN
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("岗位")
        verbose_name_plural = _("岗位")
        ordering = ["-published_at", "-id"]

    def __str__(self) -> str:
        return f"{self.title}（{self.org}）"


class JobApplication(BaseModel):
    entry = models.ForeignKey(
        TalentPoolEntry,
        verbose_name=_("投递人"),
        on_delete=models.PROTECT,
        related_name="applications",
    )
    position = models.ForeignKey(
        Position, verbose_name=_("岗位"), on_delete=models.PROTECT, related_name="applications"
    )
    score = models.PositiveSmallIntegerField(_("投递时匹配度"), default=0)

    class Meta:
        verbose_name = _("岗位投递")
        verbose_name_plural = _("岗位投递")
        constraints = [
            models.UniqueConstraint(fields=["entry", "position"], name="jobs_application_once")
        ]

    def __str__(self) -> str:
        return f"{self.entry.full_name} → {self.position.title}"


# --- job fairs -----------------------------------------------------------------------


class FairStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")


class JobFair(BaseModel):
    slug = models.SlugField(_("标识"), max_length=80, unique=True)
    name = models.CharField(_("名称"), max_length=200)
    edition = models.PositiveIntegerField(_("届次"), null=True, blank=True)
    starts_on = models.DateField(_("开始日期"), null=True, blank=True)
    ends_on = models.DateField(_("结束日期"), null=True, blank=True)
    venue = models.CharField(_("地点"), max_length=200, blank=True)
    description = models.TextField(_("简介"), blank=True)
    is_historical = models.BooleanField(
        _("历史届次"), default=False, help_text=_("已举办，仅展示公开报道的汇总数字")
    )
    reported = models.JSONField(
        _("公开报道数字"),
        default=dict,
        blank=True,
        help_text=_("来自公开报道的汇总数字（单位数、占比、薪资区间），不是平台登记的数据"),
    )
    source = models.CharField(_("数据来源"), max_length=300, blank=True)
    capacity = models.PositiveIntegerField(
        _("求职者名额"), null=True, blank=True, help_text=_("为空表示不限名额")
    )
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=FairStatus.choices,
        default=FairStatus.PUBLISHED,
        help_text=_("工作人员新建的招聘会先为草稿，发布后对外展示"),
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("招聘会")
        verbose_name_plural = _("招聘会")
        ordering = ["-starts_on", "-id"]

    def __str__(self) -> str:
        return self.name


class FairEmployer(BaseModel):
    fair = models.ForeignKey(
        JobFair, verbose_name=_("招聘会"), on_delete=models.PROTECT, related_name="employers"
    )
    org = models.ForeignKey(
        EmployerOrg, verbose_name=_("用人单位"), on_delete=models.PROTECT, related_name="fairs"
    )
    org_type = models.CharField(
        _("参会单位类型"), max_length=32, choices=OrgType.choices, help_text=_("报名时的单位类型")
    )
    booth = models.CharField(_("展位"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("参会单位")
        verbose_name_plural = _("参会单位")
        constraints = [models.UniqueConstraint(fields=["fair", "org"], name="jobs_fair_org_once")]

    def __str__(self) -> str:
        return f"{self.fair} · {self.org}"


class FairCandidateStatus(models.TextChoices):
    SIGNED_UP = "signed_up", _("已报名")
    CHECKED_IN = "checked_in", _("已签到")


class FairCandidate(BaseModel):
    fair = models.ForeignKey(
        JobFair, verbose_name=_("招聘会"), on_delete=models.PROTECT, related_name="candidates"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("求职者"),
        on_delete=models.PROTECT,
        related_name="fair_signups",
    )
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=FairCandidateStatus.choices,
        default=FairCandidateStatus.SIGNED_UP,
    )
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("参会求职者")
        verbose_name_plural = _("参会求职者")
        constraints = [
            models.UniqueConstraint(fields=["fair", "user"], name="jobs_fair_candidate_once")
        ]

    def __str__(self) -> str:
        return f"{self.fair} · {self.user}"


# --- campus ambassadors --------------------------------------------------------------


class Ambassador(BaseModel):
    """海外校园引才特派员."""

    code = models.SlugField(_("推荐码"), max_length=32, unique=True)
    name = models.CharField(_("姓名"), max_length=80)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("账户"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ambassador",
    )
    country = models.CharField(_("国家和地区"), max_length=80)
    university = models.CharField(_("高校"), max_length=200)
    appointed_on = models.DateField(_("聘任日期"), null=True, blank=True)
    returned_to_city = models.BooleanField(_("本人已学成来青"), default=False)

    class Meta:
        verbose_name = _("海外校园引才特派员")
        verbose_name_plural = _("海外校园引才特派员")
        ordering = ["country", "university", "name"]

    def __str__(self) -> str:
        return f"{self.name}（{self.university}）"


class ReferralStatus(models.TextChoices):
    REGISTERED = "registered", _("已入库")
    APPLIED = "applied", _("已投递岗位")
    RETURNED = "returned", _("已来青就业")


REFERRAL_RANK = {
    ReferralStatus.REGISTERED: 0,
    ReferralStatus.APPLIED: 1,
    ReferralStatus.RETURNED: 2,
}


class Referral(BaseModel):
    ambassador = models.ForeignKey(
        Ambassador, verbose_name=_("特派员"), on_delete=models.PROTECT, related_name="referrals"
    )
    entry = models.OneToOneField(
        TalentPoolEntry,
        verbose_name=_("被推荐人"),
        on_delete=models.PROTECT,
        related_name="referral",
    )
    status = models.CharField(
        _("进展"), max_length=16, choices=ReferralStatus.choices, default=ReferralStatus.REGISTERED
    )
    status_changed_at = models.DateTimeField(_("进展更新时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("引才推荐")
        verbose_name_plural = _("引才推荐")

    def __str__(self) -> str:
        return f"{self.ambassador.name} → {self.entry.full_name}"


# --- events --------------------------------------------------------------------------


class EventKind(models.TextChoices):
    PRE_DEPARTURE = "pre_departure", _("行前培训")
    STUDY_TOUR = "study_tour", _("创业研学")
    ALUMNI = "alumni", _("留学人员联谊")


class EventStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("报名中")
    CANCELLED = "cancelled", _("已取消")


class Event(BaseModel):
    kind = models.CharField(_("活动类型"), max_length=24, choices=EventKind.choices)
    title = models.CharField(_("活动名称"), max_length=200)
    description = models.TextField(_("活动介绍"), blank=True)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    location = models.CharField(_("地点"), max_length=200, blank=True)
    capacity = models.PositiveIntegerField(_("名额"))
    confirmed_count = models.PositiveIntegerField(
        _("已确认人数"), default=0, help_text=_("由报名服务在事务中维护，保证不超过名额")
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=EventStatus.choices, default=EventStatus.DRAFT
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("活动")
        verbose_name_plural = _("活动")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(confirmed_count__lte=models.F("capacity")),
                name="jobs_event_never_over_capacity",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def seats_left(self) -> int:
        return max(0, self.capacity - self.confirmed_count)


class RegistrationStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("已确认")
    WAITLISTED = "waitlisted", _("候补中")
    CANCELLED = "cancelled", _("已取消")


class EventRegistration(BaseModel):
    event = models.ForeignKey(
        Event, verbose_name=_("活动"), on_delete=models.PROTECT, related_name="registrations"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("报名人"),
        on_delete=models.PROTECT,
        related_name="event_registrations",
    )
    status = models.CharField(_("状态"), max_length=16, choices=RegistrationStatus.choices)
    waitlisted_at = models.DateTimeField(_("候补时间"), null=True, blank=True)
    attended = models.BooleanField(_("已出席"), default=False)
    rating = models.PositiveSmallIntegerField(_("评分（1-5）"), null=True, blank=True)
    comment = models.TextField(_("评价"), blank=True)

    class Meta:
        verbose_name = _("活动报名")
        verbose_name_plural = _("活动报名")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "user"], name="jobs_event_registration_once"),
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                name="jobs_event_rating_1_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} · {self.user}"


# --- reported figures ----------------------------------------------------------------


class ReportedFigures(BaseModel):
    """Aggregate numbers from a public report (e.g. the ambassador network), shown beside
    what the platform measures; never turned into fake rows."""

    key = models.SlugField(_("标识"), max_length=80, unique=True)
    title = models.CharField(_("名称"), max_length=200)
    figures = models.JSONField(_("报道数字"), default=dict, blank=True)
    source = models.CharField(_("数据来源"), max_length=300, blank=True)
    reported_on = models.DateField(_("报道日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("公开报道数字")
        verbose_name_plural = _("公开报道数字")

    def __str__(self) -> str:
        return self.title
