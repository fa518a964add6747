"""Staff workbench: landing page (others extend it)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from talentport.people import permissions
from talentport.people.permissions import JOBS_JURISDICTION, TALENT_DB_JURISDICTION, Perm
from talentport.workbench.selectors import users_by_role, workbench_counts

StrOrPromise = str | Promise

#: The desks of the workbench: (permission, target, page, title, what it is for).
DESKS: tuple[tuple[Perm, permissions.Target | None, str, StrOrPromise, StrOrPromise], ...] = (
    (Perm.SUBCASE_HANDLE, None, "cases:queue", _("一件事待办"), _("受理、补正、审批、办结")),
    (Perm.ASSIST, None, "cases:assist", _("帮办代办"), _("为授权的办事人代为填报和办理")),
    (Perm.APPLICATION_OVERSEE, None, "cases:queue", _("一件事办件"), _("管辖区域内各部门的办件")),
    (Perm.SUPERVISE, None, "cases:supervision", _("督办看板"), _("超期与即将到期、好差评与回访")),
    (Perm.ARCHIVE_MANAGE, None, "archives:staff_home", _("人事档案"), _("名单导入、转递、超期")),
    (
        Perm.JOBS_MANAGE,
        permissions.Target(JOBS_JURISDICTION),
        "jobs:staff-home",
        _("人才库与招聘"),
        _("人才库、招聘会、引才特派员、活动"),
    ),
    (
        Perm.TALENT_DB_IMPORT,
        permissions.Target(TALENT_DB_JURISDICTION),
        "workbench:talent-db",
        _("人才信息库导入"),
        _("导入校友会、招聘会等来源的人才信息，按来源统计"),
    ),
    (Perm.WORKBENCH, None, "policies:staff_list", _("政策清单"), _("现行政策版本；管理员发布修订")),
    (
        Perm.GRANT_DECIDE,
        None,
        "policies:staff_grants",
        _("免申即享发放确认"),
        _("无需申请，核对后发放"),
    ),
    (
        Perm.SCOPE_MANAGE,
        None,
        "staff:staff_scopes",
        _("工作人员与权限范围"),
        _("角色与管辖范围，调整留痕"),
    ),
    (
        Perm.NOTIFY_VIEW_DELIVERIES,
        None,
        "workbench:deliveries",
        _("消息发送记录"),
        _("邮件与短信的发送状态、重试"),
    ),
    (
        Perm.AUDIT_READ,
        None,
        "workbench:audit",
        _("安全审计"),
        _("审计日志、个人信息查看记录、防篡改校验"),
    ),
)


def desks_for(user: object) -> list[dict[str, str]]:
    """The desks this account may open (a page it cannot use is never offered)."""
    seen: set[str] = set()
    out = []
    for perm, target, url_name, title, hint in DESKS:
        if url_name in seen or not permissions.can(user, perm, target):
            continue
        seen.add(url_name)
        out.append({"url": reverse(url_name), "title": str(title), "hint": str(hint)})
    return out


@require_safe
@login_required
def home(request: HttpRequest) -> HttpResponse:
    if not permissions.is_back_office(request.user):
        raise PermissionDenied
    counts = []
    for count in workbench_counts():
        url = ""
        if request.user.is_staff and count.admin_url_name:
            try:
                url = reverse(count.admin_url_name)
            except NoReverseMatch:
                url = ""
        counts.append({"label": count.label, "value": count.value, "url": url})
    context = {
        "desks": desks_for(request.user),
        "counts": counts,
        "roles": users_by_role(),
        "can_admin": request.user.is_staff,
    }
    return render(request, "workbench/home.html", context)
