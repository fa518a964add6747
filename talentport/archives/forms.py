"""Forms of the archive pages: parse input only; decisions are the services'."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from talentport.archives.models import ArchiveStatus
from talentport.archives.rules import EMPLOYER_TYPES, EMPLOYMENT_KINDS, PREFERENCES, TransferInput


class ImportForm(forms.Form):
    school = forms.CharField(label=_("移交学校"), max_length=120)
    file = forms.FileField(
        label=_("交接名单（Excel .xlsx）"),
        help_text=_("第1行为表头，须含“姓名”“身份证号”两列；可从模板下载。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        limit = int(settings.MAX_UPLOAD_BYTES)
        if upload.size > limit:
            raise forms.ValidationError(
                _("文件过大，最大 %(limit)s MB") % {"limit": max(limit // (1024 * 1024), 1)}
            )
        return upload


class TransitionForm(forms.Form):
    to_state = forms.ChoiceField(label=_("办理"), choices=ArchiveStatus.choices)
    note = forms.CharField(label=_("说明"), required=False, max_length=500)
    materials = forms.CharField(label=_("补充材料"), required=False, max_length=300)
    courier_number = forms.CharField(label=_("机要编号"), required=False, max_length=40)
    employment_kind = forms.ChoiceField(
        label=_("就业情况"), required=False, choices=[("", "—"), *EMPLOYMENT_KINDS.items()]
    )
    employer_type = forms.ChoiceField(
        label=_("单位性质"), required=False, choices=[("", "—"), *EMPLOYER_TYPES.items()]
    )
    directed = forms.BooleanField(label=_("定向招生就业"), required=False)
    employer_name = forms.CharField(label=_("就业（定向）单位名称"), required=False, max_length=200)
    work_city = forms.CharField(label=_("就业创业所在地"), required=False, max_length=60)
    work_details = forms.CharField(label=_("就业创业信息"), required=False, max_length=300)
    hukou_city = forms.CharField(label=_("户籍所在地"), required=False, max_length=60)
    preference = forms.ChoiceField(
        label=_("转递至（非公单位、灵活就业、自主创业）"),
        required=False,
        choices=[("", "—"), *PREFERENCES.items()],
    )

    def transfer_input(self) -> TransferInput | None:
        data = self.cleaned_data
        if data.get("to_state") != ArchiveStatus.TRANSFER_REQUESTED:
            return None
        return TransferInput(
            employment_kind=data.get("employment_kind") or "",
            employer_type=data.get("employer_type") or "",
            directed=bool(data.get("directed")),
            employer_name=data.get("employer_name") or "",
            work_city=data.get("work_city") or "",
            work_details=data.get("work_details") or "",
            hukou_city=data.get("hukou_city") or "",
            preference=data.get("preference") or "",
        )


class ClaimForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=80)
    id_card = forms.CharField(
        label=_("身份证号"),
        max_length=30,
        help_text=_("与学校移交名单一致的18位居民身份证号"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
    )
    code = forms.CharField(
        label=_("验证码或认领码"),
        max_length=32,
        required=False,
        help_text=_(
            "先点“发送验证码”，将短信验证码（6位数字）填在这里；"
            "也可填写学校交接清单上的认领码（8位字母数字）"
        ),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text"}),
    )


class GuardianForm(forms.Form):
    username = forms.CharField(
        label=_("监护人账户名"),
        max_length=150,
        help_text=_("监护人须先注册“监护人（家长）”账户"),
    )


class TransferCancelForm(forms.Form):
    reason = forms.CharField(
        label=_("撤销原因"),
        max_length=500,
        help_text=_("如：就业信息填写有误、本人改变去向；原因记入流转记录"),
    )
