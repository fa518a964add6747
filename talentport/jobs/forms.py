"""Forms of the jobs pages: they parse and label input; services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from talentport.jobs.models import (
    AbroadStatus,
    Degree,
    District,
    EventKind,
    Industry,
    MajorField,
    OrgType,
    VerificationStatus,
)

ANY = [("", _("不限"))]


def _text(**attrs: Any) -> forms.TextInput:
    return forms.TextInput(attrs=attrs)


class PoolRegisterForm(forms.Form):
    full_name = forms.CharField(label=_("姓名"), max_length=80)
    abroad_status = forms.ChoiceField(
        label=_("目前状态"), choices=AbroadStatus.choices, widget=forms.RadioSelect
    )
    school = forms.CharField(label=_("就读（毕业）院校"), max_length=200)
    country = forms.CharField(label=_("留学国家和地区"), max_length=80)
    major = forms.CharField(label=_("专业"), max_length=120)
    major_field = forms.ChoiceField(label=_("专业大类"), choices=MajorField.choices)
    degree = forms.ChoiceField(label=_("最高学历学位"), choices=Degree.choices)
    expected_graduation = forms.DateField(
        label=_("（预计）毕业时间"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("格式：年-月-日"),
    )
    intended_districts = forms.MultipleChoiceField(
        label=_("意向工作区（市）"),
        choices=District.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不选表示青岛任意区（市）均可"),
    )
    industries = forms.MultipleChoiceField(
        label=_("意向行业"),
        choices=Industry.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    salary_expectation = forms.DecimalField(
        label=_("期望年薪（元）"),
        required=False,
        min_value=0,
        max_value=99999999,
        decimal_places=2,
        widget=_text(inputmode="decimal"),
        help_text=_("例如 200000 表示 20 万元/年"),
    )
    phone = forms.CharField(label=_("联系电话"), max_length=32, required=False)
    email = forms.EmailField(label=_("联系邮箱"), required=False)
    contact_consent = forms.BooleanField(
        label=_("同意经认证的用人单位查看我的信息并与我联系"), required=False
    )
    ambassador_code = forms.CharField(
        label=_("特派员推荐码"),
        max_length=32,
        required=False,
        help_text=_("由海外校园引才特派员推荐的，请填写其推荐码"),
    )


class EmployerOrgForm(forms.Form):
    name = forms.CharField(label=_("单位名称"), max_length=200)
    org_type = forms.ChoiceField(label=_("单位类型"), choices=OrgType.choices)
    credit_code = forms.CharField(label=_("统一社会信用代码"), max_length=18, required=False)
    district = forms.ChoiceField(
        label=_("所在区（市）"), choices=[("", _("请选择"))] + District.choices, required=False
    )
    contact_name = forms.CharField(label=_("联系人"), max_length=80, required=False)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=32, required=False)


class PositionForm(forms.Form):
    title = forms.CharField(label=_("岗位名称"), max_length=200)
    industry = forms.ChoiceField(label=_("行业"), choices=Industry.choices)
    degree = forms.ChoiceField(label=_("最低学历"), choices=Degree.choices)
    major_fields = forms.MultipleChoiceField(
        label=_("专业大类要求"),
        choices=MajorField.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不选表示专业不限"),
    )
    majors_note = forms.CharField(label=_("专业说明"), max_length=200, required=False)
    salary_min = forms.DecimalField(
        label=_("年薪下限（元）"),
        min_value=0,
        max_value=99999999,
        widget=_text(inputmode="decimal"),
    )
    salary_max = forms.DecimalField(
        label=_("年薪上限（元）"),
        min_value=0,
        max_value=99999999,
        widget=_text(inputmode="decimal"),
    )
    district = forms.ChoiceField(label=_("工作地点"), choices=District.choices)
    headcount = forms.IntegerField(
        label=_("招聘人数"),
        min_value=1,
        max_value=9999,
        initial=1,
        widget=_text(inputmode="numeric"),
    )
    description = forms.CharField(label=_("岗位描述"), required=False, widget=forms.Textarea)


class PositionFilterForm(forms.Form):
    q = forms.CharField(label=_("关键词"), required=False, max_length=100)
    industry = forms.ChoiceField(label=_("行业"), choices=ANY + Industry.choices, required=False)
    district = forms.ChoiceField(
        label=_("工作地点"), choices=ANY + District.choices, required=False
    )
    degree = forms.ChoiceField(label=_("最低学历"), choices=ANY + Degree.choices, required=False)


class PoolSearchForm(forms.Form):
    q = forms.CharField(label=_("关键词（姓名、院校、专业）"), required=False, max_length=100)
    country = forms.CharField(label=_("国家和地区"), required=False, max_length=80)
    degree = forms.ChoiceField(label=_("学历"), choices=ANY + Degree.choices, required=False)
    major_field = forms.ChoiceField(
        label=_("专业大类"), choices=ANY + MajorField.choices, required=False
    )
    industry = forms.ChoiceField(
        label=_("意向行业"), choices=ANY + Industry.choices, required=False
    )
    district = forms.ChoiceField(
        label=_("意向区（市）"), choices=ANY + District.choices, required=False
    )
    abroad_status = forms.ChoiceField(
        label=_("留学状态"), choices=ANY + AbroadStatus.choices, required=False
    )
    consent = forms.ChoiceField(
        label=_("联系授权"),
        choices=[("", _("不限")), ("yes", _("已同意")), ("no", _("未同意"))],
        required=False,
    )

    def filters(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        consent = data.pop("consent", "")
        data["consent"] = {"yes": True, "no": False}.get(consent)
        return data


class VerifyForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("审核结果"),
        choices=[
            (VerificationStatus.VERIFIED, _("通过认证")),
            (VerificationStatus.REJECTED, _("不通过")),
        ],
    )
    note = forms.CharField(label=_("审核意见"), required=False, max_length=300)


class AmbassadorForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=80)
    country = forms.CharField(label=_("国家和地区"), max_length=80)
    university = forms.CharField(label=_("高校"), max_length=200)
    code = forms.SlugField(
        label=_("推荐码"), max_length=32, required=False, help_text=_("留空自动生成")
    )


class FeedbackForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("评分"),
        coerce=int,
        choices=[(i, str(i) + " 分") for i in range(5, 0, -1)],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("评价"), required=False, widget=forms.Textarea, max_length=2000
    )


class EventFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("活动类型"), choices=ANY + EventKind.choices, required=False)


DATETIME_LOCAL = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]


class EventForm(forms.Form):
    kind = forms.ChoiceField(label=_("活动类型"), choices=EventKind.choices)
    title = forms.CharField(label=_("活动名称"), max_length=200)
    starts_at = forms.DateTimeField(
        label=_("开始时间"),
        input_formats=DATETIME_LOCAL,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    ends_at = forms.DateTimeField(
        label=_("结束时间"),
        required=False,
        input_formats=DATETIME_LOCAL,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    location = forms.CharField(label=_("地点"), max_length=200)
    capacity = forms.IntegerField(label=_("名额"), min_value=1, max_value=100_000)
    description = forms.CharField(
        label=_("活动介绍"), required=False, max_length=5000, widget=forms.Textarea
    )
    publish = forms.BooleanField(
        label=_("立即发布（开放报名）"), required=False, help_text=_("不勾选则保存为草稿")
    )

    def _plausible(self, name: str) -> Any:
        value = self.cleaned_data.get(name)
        if value is not None and not 2000 <= value.year <= 2100:
            raise forms.ValidationError(_("请填写2000年至2100年之间的时间"))
        return value

    def clean_starts_at(self) -> Any:
        return self._plausible("starts_at")

    def clean_ends_at(self) -> Any:
        return self._plausible("ends_at")


class FairForm(forms.Form):
    name = forms.CharField(label=_("招聘会名称"), max_length=200)
    edition = forms.IntegerField(label=_("届次"), required=False, min_value=1, max_value=10_000)
    starts_on = forms.DateField(
        label=_("开始日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    ends_on = forms.DateField(
        label=_("结束日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    venue = forms.CharField(label=_("地点"), max_length=200)
    capacity = forms.IntegerField(
        label=_("求职者名额"),
        required=False,
        min_value=1,
        max_value=1_000_000,
        help_text=_("留空表示不限名额"),
    )
    description = forms.CharField(
        label=_("简介"), required=False, max_length=5000, widget=forms.Textarea
    )
    publish = forms.BooleanField(
        label=_("立即发布（开放报名）"), required=False, help_text=_("不勾选则保存为草稿")
    )

    def _plausible(self, name: str) -> Any:
        value = self.cleaned_data.get(name)
        if value is not None and not 2000 <= value.year <= 2100:
            raise forms.ValidationError(_("请填写2000年至2100年之间的日期"))
        return value

    def clean_starts_on(self) -> Any:
        return self._plausible("starts_on")

    def clean_ends_on(self) -> Any:
        return self._plausible("ends_on")
