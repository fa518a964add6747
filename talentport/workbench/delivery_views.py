"""消息发送记录: the outbox's e-mail and SMS deliveries, for administrators and the auditor.

Addresses are shown masked (nothing is decrypted, so no access is logged); the text of
an SMS that carries a code is never shown. Administrators may send a failed delivery
again (重试).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST, require_safe

from talentport.common.services import audit_event_record
from talentport.notify.delivery import delivery_address_masked, delivery_retry, last_error_label
from talentport.notify.models import Delivery, DeliveryChannel, DeliveryStatus
from talentport.people import permissions
from talentport.people.permissions import Perm

PAGE_SIZE = 50


class DeliveryFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("状态"),
        required=False,
        choices=[("", gettext_lazy("全部"))] + list(DeliveryStatus.choices),
    )
    channel = forms.ChoiceField(
        label=gettext_lazy("渠道"),
        required=False,
        choices=[("", gettext_lazy("全部"))] + list(DeliveryChannel.choices),
    )


@require_safe
@login_required
def deliveries(request: HttpRequest) -> HttpResponse:
    permissions.require(request.user, Perm.NOTIFY_VIEW_DELIVERIES)
    form = DeliveryFilterForm(request.GET or None)
    rows = Delivery.objects.select_related("message__recipient", "notice__profile").order_by(
        "-created_at", "-id"
    )
    filters: dict[str, str] = {}
    if form.is_valid():
        filters = {k: v for k, v in form.cleaned_data.items() if v}
        rows = rows.filter(**filters)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    items: list[dict[str, Any]] = []
    for delivery in page.object_list:
        source = delivery.message or delivery.notice
        items.append(
            {
                "delivery": delivery,
                "title": source.title if source else "",
                "address": delivery_address_masked(delivery),
                "error": last_error_label(delivery),
            }
        )
    context = {
        "form": form,
        "page": page,
        "items": items,
        "query": urlencode(filters) + "&" if filters else "",
        "can_retry": permissions.has_perm(request.user, Perm.NOTIFY_RETRY_DELIVERIES),
    }
    return render(request, "workbench/deliveries.html", context)


@require_POST
@login_required
def deliveries_retry(request: HttpRequest) -> HttpResponse:
    permissions.require(request.user, Perm.NOTIFY_RETRY_DELIVERIES)
    chosen = Delivery.objects.filter(
        uuid__in=[v for v in request.POST.getlist("delivery") if _is_uuid(v)],
        status=DeliveryStatus.FAILED,
    )
    count = delivery_retry(deliveries=list(chosen))
    if count:
        audit_event_record(
            actor=request.user,
            action="notify.deliveries_retry",
            subject_type="notify.delivery",
            data={"count": count},
        )
    messages.success(
        request, ngettext("已重新排队 %(n)s 条", "已重新排队 %(n)s 条", count) % {"n": count}
    )
    return redirect("workbench:deliveries")


def _is_uuid(value: str) -> bool:
    import uuid

    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
