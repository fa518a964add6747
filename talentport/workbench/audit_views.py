"""The auditor's pages: the audit journal, the personal-data access log, the chain.

Only an auditor (role ``auditor``, or a superuser) may open them
(``people.permissions.is_auditor``); everyone else signed in gets 403.  Reading the
personal-data access log is itself journaled.

The chain: the whole journal is verified by ``talentport audit verify`` (schedule it,
e.g. nightly; its outcome is kept), which the page shows; the page's button verifies
only the newest ``settings.AUDIT_VERIFY_TAIL`` rows inside the request, so that a
journal of millions of rows never makes a page wait, and says so.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from talentport.common import selectors
from talentport.common.audit_chain import Reason
from talentport.common.models import AuditVerificationScope, PiiAccessLog
from talentport.common.services import audit_chain_verification_run, audit_event_record
from talentport.people.permissions import is_auditor

PAGE_SIZE = 50
DATA_PREVIEW = 300

REASON_LABELS = {
    Reason.HASH_MISMATCH: gettext_lazy("记录内容与其哈希不符（记录被改动）"),
    Reason.PREV_HASH_MISMATCH: gettext_lazy("与前一条记录衔接不上（记录被改动或插入）"),
    Reason.SEQ_GAP: gettext_lazy("序号不连续（记录被删除）"),
    Reason.HEAD_MISMATCH: gettext_lazy("链头与最新记录不符（最新记录被删除或链外追加）"),
    Reason.HEAD_MISSING: gettext_lazy("链头记录缺失"),
}


def auditor_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @login_required
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_auditor(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


class _DateInput(forms.DateInput):
    input_type = "date"


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=gettext_lazy("操作人用户名"), required=False, max_length=150)
    action = forms.CharField(
        label=gettext_lazy("动作"),
        required=False,
        max_length=80,
        help_text=gettext_lazy("如 auth.login_failed；以点结尾表示前缀，如 auth."),
    )
    subject_type = forms.CharField(
        label=gettext_lazy("对象类型"),
        required=False,
        max_length=80,
        help_text=gettext_lazy("如 cases.application、people.user"),
    )
    date_from = forms.DateField(label=gettext_lazy("起始日期"), required=False, widget=_DateInput)
    date_to = forms.DateField(label=gettext_lazy("截止日期"), required=False, widget=_DateInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("截止日期不能早于起始日期"))
        return data


class PiiFilterForm(AuditFilterForm):
    field = forms.CharField(label=gettext_lazy("字段"), required=False, max_length=80)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["action"]
        self.fields["actor"].label = gettext_lazy("查看人用户名")


def _filters(form: forms.Form) -> dict[str, Any]:
    """The valid, non-empty filters (an invalid one is shown with its error and ignored)."""
    form.is_valid()
    cleaned = getattr(form, "cleaned_data", {}) or {}
    return {key: value for key, value in cleaned.items() if value not in (None, "")}


def _query(filters: dict[str, Any]) -> str:
    """The filters as a query string prefix for the page links (``a=1&b=2&``)."""
    pairs = {key: str(value) for key, value in filters.items()}
    return urlencode(pairs) + "&" if pairs else ""


def _preview(data: Any) -> str:
    if not data:
        return ""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= DATA_PREVIEW else text[: DATA_PREVIEW - 1] + "…"


def _verification(scope: str) -> dict[str, Any] | None:
    run = selectors.audit_verification_latest(scope=scope)
    if run is None:
        return None
    return {"run": run, "reason_label": REASON_LABELS.get(run.reason, run.reason)}


@require_safe
@auditor_required
def journal(request: HttpRequest) -> HttpResponse:
    """The audit journal, newest first, with the state of its hash chain."""
    form = AuditFilterForm(request.GET or None)
    filters = _filters(form) if request.GET else {}
    rows = selectors.audit_event_search(**filters)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    for event in page.object_list:
        event.data_preview = _preview(event.data)  # type: ignore[attr-defined]
    context = {
        "form": form if request.GET else AuditFilterForm(),
        "page": page,
        "query": _query(filters),
        "head": selectors.audit_chain_head(),
        "full": _verification(AuditVerificationScope.FULL),
        "tail": _verification(AuditVerificationScope.TAIL),
        "tail_size": settings.AUDIT_VERIFY_TAIL,
        "tab": "journal",
    }
    return render(request, "workbench/audit_journal.html", context)


@require_POST
@auditor_required
def verify_tail(request: HttpRequest) -> HttpResponse:
    """Verify the newest rows of the chain now (the whole chain: the scheduled command)."""
    run = audit_chain_verification_run(tail=settings.AUDIT_VERIFY_TAIL, actor=request.user)
    if run.ok:
        messages.success(
            request,
            _("最近 %(n)s 条审计记录校验通过。") % {"n": run.events},
        )
    else:
        messages.error(
            request,
            _("审计日志在第 %(seq)s 条处断开：%(reason)s")
            % {"seq": run.first_bad_seq, "reason": REASON_LABELS.get(run.reason, run.reason)},
        )
    return redirect("workbench:audit")


@require_safe
@auditor_required
def pii_access(request: HttpRequest) -> HttpResponse:
    """Who saw which personal data of whom, why and when.  Reading it is journaled."""
    form = PiiFilterForm(request.GET or None)
    filters = _filters(form) if request.GET else {}
    rows = selectors.pii_access_search(**filters)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    audit_event_record(
        subject_type=PiiAccessLog._meta.label_lower,
        action="audit.pii_log_viewed",
        actor=request.user,
        data={
            "filters": {key: str(value) for key, value in filters.items()},
            "page": page.number,
            "via": "workbench",
        },
    )
    field_names = {f.name for f in PiiAccessLog._meta.get_fields()}
    context = {
        "form": form if request.GET else PiiFilterForm(),
        "page": page,
        "query": _query(filters),
        "has_ip": "ip" in field_names,
        "has_path": "path" in field_names,
        "tab": "pii",
    }
    return render(request, "workbench/audit_pii_access.html", context)
