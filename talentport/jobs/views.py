"""Pages of the jobs app: parse input → service or selector → template."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from openpyxl import Workbook

from talentport.common.exports import XLSX_CONTENT_TYPE, xlsx_append
from talentport.common.files import download_headers
from talentport.common.pii import log_pii_access_many
from talentport.common.search_stash import search_recall, search_stash
from talentport.common.services import audit_event_record
from talentport.jobs import selectors, services
from talentport.jobs.errors import JobsError
from talentport.jobs.forms import (
    AmbassadorForm,
    EmployerOrgForm,
    EventFilterForm,
    EventForm,
    FairForm,
    FeedbackForm,
    PoolRegisterForm,
    PoolSearchForm,
    PositionFilterForm,
    PositionForm,
    VerifyForm,
)
from talentport.jobs.models import (
    EmployerOrg,
    EventKind,
    EventRegistration,
    FairCandidate,
    Referral,
    RegistrationStatus,
    TalentPoolEntry,
    VerificationStatus,
)
from talentport.people import permissions
from talentport.people.decorators import permission_required
from talentport.people.models import Role
from talentport.people.permissions import JOBS_JURISDICTION, Perm

jobs_staff_required = permission_required(Perm.JOBS_MANAGE, permissions.Target(JOBS_JURISDICTION))

View = Callable[..., HttpResponseBase]


def employer_required(view: View) -> View:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if getattr(request.user, "role", "") != Role.EMPLOYER:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _or_404(value: Any) -> Any:
    if value is None:
        raise Http404
    return value


def _refuse(request: HttpRequest, error: JobsError, form: Any = None) -> None:
    """Show a service's refusal on the form field it names, or as a page message."""
    if form is not None:
        field = error.field if error.field in form.fields else None
        form.add_error(field, error.message)
    else:
        messages.error(request, error.message)


def _page(request: HttpRequest, items: Any, size: int = 20) -> Any:
    return Paginator(items, size).get_page(request.GET.get("page"))


# --- positions and matches -----------------------------------------------------------


@require_safe
def position_list(request: HttpRequest) -> HttpResponse:
    form = PositionFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    positions = selectors.position_list(**{k: v for k, v in filters.items() if v})
    return render(
        request,
        "jobs/position_list.html",
        {
            "form": form,
            "page_obj": _page(request, positions),
            "count": positions.count(),
            "entry": selectors.pool_entry_for_user(user=request.user),
        },
    )


@require_safe
def position_detail(request: HttpRequest, id: Any) -> HttpResponse:
    position = _or_404(selectors.position_get(uuid=id))
    entry = selectors.pool_entry_for_user(user=request.user)
    match = selectors.position_match_for_entry(entry=entry, position=position) if entry else None
    applied = entry is not None and entry.applications.filter(position=position).exists()
    return render(
        request,
        "jobs/position_detail.html",
        {"position": position, "entry": entry, "match": match, "applied": applied},
    )


@login_required
@require_POST
def position_apply(request: HttpRequest, id: Any) -> HttpResponse:
    if not permissions.is_role(request.user, Role.APPLICANT):
        raise PermissionDenied("只有留学人员本人可以投递岗位")
    position = _or_404(selectors.position_get(uuid=id))
    entry = selectors.pool_entry_for_user(user=request.user)
    if entry is None:
        messages.info(request, "请先登记人才信息，再投递岗位。")
        return redirect("jobs:pool-register")
    try:
        services.job_apply(entry=entry, position=position, actor=request.user)
    except JobsError as error:
        _refuse(request, error)
    else:
        messages.success(request, "投递成功，用人单位将与您联系。")
    return redirect("jobs:position-detail", id=position.uuid)


@login_required
@require_safe
def my_matches(request: HttpRequest) -> HttpResponse:
    entry = selectors.pool_entry_for_user(user=request.user)
    if entry is None:
        messages.info(request, "登记人才信息后即可查看为您匹配的岗位。")
        return redirect("jobs:pool-register")
    matches = selectors.position_matches_for_entry(entry=entry, limit=20)
    return render(request, "jobs/my_matches.html", {"entry": entry, "matches": matches})


# --- talent pool ---------------------------------------------------------------------


def _entry_initial(entry: TalentPoolEntry | None, request: HttpRequest) -> dict[str, Any]:
    if entry is None:
        user: Any = request.user
        return {
            "full_name": user.display_name,
            "email": user.email,
            "abroad_status": "studying",
            "ambassador_code": request.GET.get("ref", "")[:32],
        }
    return {
        "full_name": entry.full_name,
        "abroad_status": entry.abroad_status,
        "school": entry.school,
        "country": entry.country,
        "major": entry.major,
        "major_field": entry.major_field,
        "degree": entry.degree,
        "expected_graduation": entry.expected_graduation,
        "intended_districts": entry.intended_districts,
        "industries": entry.industries,
        "salary_expectation": entry.salary_expectation,
        "phone": entry.phone,
        "email": entry.email,
        "contact_consent": entry.contact_consent,
        "ambassador_code": entry.referred_by.code if entry.referred_by else "",
    }


@login_required
@require_http_methods(["GET", "POST"])
def pool_register(request: HttpRequest) -> HttpResponse:
    if getattr(request.user, "role", "") != Role.APPLICANT:
        raise PermissionDenied
    entry = selectors.pool_entry_for_user(user=request.user)
    if request.method == "POST":
        form = PoolRegisterForm(request.POST)
        if form.is_valid():
            try:
                entry = services.pool_entry_register(user=request.user, **form.cleaned_data)
            except JobsError as error:
                _refuse(request, error, form)
            else:
                messages.success(request, "人才信息已保存，以下是为您匹配的岗位。")
                return redirect("jobs:my-matches")
    else:
        form = PoolRegisterForm(initial=_entry_initial(entry, request))
    return render(request, "jobs/pool_register.html", {"form": form, "entry": entry})


# --- events --------------------------------------------------------------------------


@require_safe
def event_list(request: HttpRequest) -> HttpResponse:
    form = EventFilterForm(request.GET or None)
    kind = form.cleaned_data.get("kind", "") if form.is_valid() else ""
    return render(
        request,
        "jobs/event_list.html",
        {"form": form, "events": selectors.event_list(kind=kind)},
    )


@require_safe
def event_detail(request: HttpRequest, id: Any) -> HttpResponse:
    event = _or_404(selectors.event_get(uuid=id))
    registration = selectors.event_registration_for(event=event, user=request.user)
    return render(
        request,
        "jobs/event_detail.html",
        {
            "event": event,
            "registration": registration,
            "waitlist_position": selectors.event_waitlist_position(registration=registration)
            if registration
            else None,
            "can_feedback": registration is not None
            and registration.status == RegistrationStatus.CONFIRMED
            and event.starts_at <= timezone.now(),
            "feedback_form": FeedbackForm(
                initial={"rating": registration.rating, "comment": registration.comment}
                if registration
                else None
            ),
        },
    )


@login_required
@require_POST
def event_register(request: HttpRequest, id: Any) -> HttpResponse:
    event = _or_404(selectors.event_get(uuid=id))
    try:
        registration = services.event_register(event=event, user=request.user)
    except JobsError as error:
        _refuse(request, error)
    else:
        if registration.status == RegistrationStatus.CONFIRMED:
            messages.success(request, "报名成功。")
        else:
            messages.info(request, "名额已满，您已进入候补名单，有人取消时将按顺序递补。")
    return redirect("jobs:event-detail", id=event.uuid)


@login_required
@require_POST
def event_cancel(request: HttpRequest, id: Any) -> HttpResponse:
    event = _or_404(selectors.event_get(uuid=id))
    registration = _or_404(selectors.event_registration_for(event=event, user=request.user))
    try:
        services.event_registration_cancel(registration=registration, actor=request.user)
    except JobsError as error:
        _refuse(request, error)
    else:
        messages.success(request, "已取消报名。")
    return redirect("jobs:event-detail", id=event.uuid)


@login_required
@require_POST
def event_feedback(request: HttpRequest, id: Any) -> HttpResponse:
    event = _or_404(selectors.event_get(uuid=id))
    registration = _or_404(selectors.event_registration_for(event=event, user=request.user))
    form = FeedbackForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择 1 到 5 分的评分。")
        return redirect("jobs:event-detail", id=event.uuid)
    try:
        services.event_feedback_submit(
            registration=registration,
            actor=request.user,
            rating=form.cleaned_data["rating"],
            comment=form.cleaned_data["comment"],
        )
    except JobsError as error:
        _refuse(request, error)
    else:
        messages.success(request, "感谢您的评价。")
    return redirect("jobs:event-detail", id=event.uuid)


# --- job fairs -----------------------------------------------------------------------


@require_safe
def fair_list(request: HttpRequest) -> HttpResponse:
    return render(request, "jobs/fair_list.html", {"fairs": selectors.fair_list()})


@require_safe
def fair_detail(request: HttpRequest, id: Any) -> HttpResponse:
    fair = _or_404(selectors.fair_get(uuid=id))
    return render(
        request,
        "jobs/fair_detail.html",
        {
            "fair": fair,
            "summary": selectors.fair_summary(fair=fair),
            "candidate": selectors.fair_candidate_for(fair=fair, user=request.user),
            "org": selectors.employer_org_for_user(user=request.user),
        },
    )


@login_required
@require_POST
def fair_signup(request: HttpRequest, id: Any) -> HttpResponse:
    fair = _or_404(selectors.fair_get(uuid=id))
    try:
        if getattr(request.user, "role", "") == Role.EMPLOYER:
            org = selectors.employer_org_for_user(user=request.user)
            if org is None:
                messages.error(request, "请先登记单位信息。")
                return redirect("jobs:employer-home")
            services.fair_employer_register(fair=fair, org=org, actor=request.user)
        else:
            services.fair_candidate_signup(fair=fair, user=request.user)
    except JobsError as error:
        _refuse(request, error)
    else:
        messages.success(request, "报名成功。")
    return redirect("jobs:fair-detail", id=fair.uuid)


# --- employers -----------------------------------------------------------------------


@employer_required
@require_http_methods(["GET", "POST"])
def employer_home(request: HttpRequest) -> HttpResponse:
    """Register the organisation, resubmit it, or request a change once verified (the
    change goes back to review)."""
    org = selectors.employer_org_for_user(user=request.user)
    initial = (
        {
            "name": org.name,
            "org_type": org.org_type,
            "credit_code": org.credit_code,
            "district": org.district,
            "contact_name": org.contact_name,
            "contact_phone": org.contact_phone,
        }
        if org
        else None
    )
    form = EmployerOrgForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        was_verified = org is not None and org.is_verified
        try:
            services.employer_org_save(user=request.user, **form.cleaned_data)
        except JobsError as error:
            _refuse(request, error, form)
        else:
            if was_verified:
                messages.success(
                    request, "变更申请已提交，单位重新进入待审核；审核通过前岗位暂停展示。"
                )
            else:
                messages.success(request, "单位信息已提交，工作人员审核通过后即可发布岗位。")
            return redirect("jobs:employer-home")
    positions = selectors.org_position_list(org=org) if org else []
    return render(
        request, "jobs/employer_home.html", {"org": org, "form": form, "positions": positions}
    )


@employer_required
@require_http_methods(["GET", "POST"])
def employer_position_new(request: HttpRequest) -> HttpResponse:
    org = selectors.employer_org_for_user(user=request.user)
    if org is None or not org.is_verified:
        messages.error(request, "单位通过认证后才能发布岗位。")
        return redirect("jobs:employer-home")
    form = PositionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            position = services.position_create(org=org, actor=request.user, **form.cleaned_data)
        except JobsError as error:
            _refuse(request, error, form)
        else:
            messages.success(request, "岗位已发布，并已推送给匹配度高的人才。")
            return redirect("jobs:employer-candidates", id=position.uuid)
    return render(request, "jobs/employer_position_form.html", {"form": form, "org": org})


@employer_required
@require_safe
def employer_candidates(request: HttpRequest, id: Any) -> HttpResponse:
    org = _or_404(selectors.employer_org_for_user(user=request.user))
    position = _or_404(selectors.org_position_get(org=org, uuid=id))
    if not org.is_verified:
        raise PermissionDenied
    candidates = selectors.candidates_for_position(position=position, limit=50)
    log_pii_access_many(
        actor=request.user,
        subjects=[match.entry for match in candidates],
        field="contact",
        purpose="用人单位查看岗位匹配人才：" + position.title,
    )
    applicants = position.applications.select_related("entry").filter(entry__contact_consent=True)
    return render(
        request,
        "jobs/employer_candidates.html",
        {"org": org, "position": position, "candidates": candidates, "applicants": applicants},
    )


@employer_required
@require_POST
def employer_position_close(request: HttpRequest, id: Any) -> HttpResponse:
    org = _or_404(selectors.employer_org_for_user(user=request.user))
    position = _or_404(selectors.org_position_get(org=org, uuid=id))
    try:
        services.position_close(position=position, actor=request.user)
    except JobsError as error:
        _refuse(request, error)
    else:
        messages.success(request, "岗位已结束招聘。")
    return redirect("jobs:employer-home")


# --- staff ---------------------------------------------------------------------------


@jobs_staff_required
@require_safe
def staff_home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "jobs/staff_home.html",
        {
            "pool_count": TalentPoolEntry.objects.count(),
            "pending_orgs": EmployerOrg.objects.filter(
                verification_status=VerificationStatus.PENDING
            ).count(),
            "fairs": selectors.fair_list(include_drafts=True)[:12],
            "upcoming_events": selectors.event_list_for_staff().filter(
                starts_at__gte=timezone.now()
            )[:6],
        },
    )


POOL_SEARCH = "jobs.staff_pool"


def _pool_filters(request: HttpRequest) -> tuple[PoolSearchForm, dict[str, Any]]:
    """The criteria of the page: a search POSTed earlier (``?s=<token>``, see
    ``talentport.common.search_stash``) or, for links, plain query parameters."""
    token = request.GET.get("s")
    data: Any = search_recall(request, scope=POOL_SEARCH, token=token) if token else None
    if data is None:
        data = {k: v for k, v in request.GET.items() if k not in ("page", "s")} or None
    form = PoolSearchForm(data)
    if form.is_bound and not form.is_valid():
        return form, {}
    return form, form.filters() if form.is_bound else {}


@jobs_staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def staff_pool(request: HttpRequest) -> HttpResponse:
    """The search form POSTs (names stay out of URLs and access logs), then the page
    redirects to its results under a token."""
    if request.method == "POST":
        posted = PoolSearchForm(request.POST)
        if posted.is_valid():
            criteria = {k: str(v) for k, v in posted.cleaned_data.items() if v not in ("", None)}
            token = search_stash(request, scope=POOL_SEARCH, criteria=criteria)
            return redirect(reverse("jobs:staff-pool") + "?s=" + token)
        form, filters, status = posted, dict[str, Any](), 400
    else:
        form, filters = _pool_filters(request)
        status = 200
    entries = selectors.pool_entry_search(**filters)
    if request.method == "POST":
        export_query = ""
    elif request.GET.get("s"):
        export_query = urlencode({"s": request.GET["s"]})
    else:
        export_query = urlencode({k: v for k, v in request.GET.items() if k != "page"})
    return render(
        request,
        "jobs/staff_pool.html",
        {
            "form": form,
            "page_obj": _page(request, entries, 50),
            "count": entries.count(),
            "export_query": export_query,
        },
        status=status,
    )


EXPORT_COLUMNS = [
    "姓名",
    "留学状态",
    "院校",
    "国家和地区",
    "专业",
    "专业大类",
    "学历",
    "（预计）毕业时间",
    "意向区（市）",
    "意向行业",
    "期望年薪（元）",
    "联系电话",
    "联系邮箱",
    "同意联系",
    "推荐特派员",
    "登记时间",
]


@jobs_staff_required
@require_safe
def staff_pool_export(request: HttpRequest) -> FileResponse:
    """The filtered pool as an .xlsx, written row by row and streamed from a temp file."""
    from talentport.jobs.models import District, Industry

    _, filters = _pool_filters(request)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("人才信息库")
    xlsx_append(sheet, EXPORT_COLUMNS)
    districts = dict(District.choices)
    industries = dict(Industry.choices)
    exported: list[TalentPoolEntry] = []
    rows = 0
    for entry in selectors.pool_entry_search(**filters).iterator(chunk_size=2000):
        rows += 1
        exported.append(entry)
        if len(exported) >= 2000:  # one bulk insert per chunk: no query per row
            log_pii_access_many(
                actor=request.user, subjects=exported, field="contact", purpose="导出人才信息库"
            )
            exported = []
        xlsx_append(
            sheet,
            [
                entry.full_name,
                entry.get_abroad_status_display(),
                entry.school,
                entry.country,
                entry.major,
                entry.get_major_field_display(),
                entry.get_degree_display(),
                entry.expected_graduation,
                "、".join(str(districts.get(d, d)) for d in entry.intended_districts) or "不限",
                "、".join(str(industries.get(i, i)) for i in entry.industries) or "不限",
                float(entry.salary_expectation) if entry.salary_expectation is not None else None,
                entry.phone,
                entry.email,
                "是" if entry.contact_consent else "否",
                entry.referred_by.name if entry.referred_by else "",
                timezone.localtime(entry.created_at).replace(tzinfo=None),
            ],
        )
    log_pii_access_many(
        actor=request.user, subjects=exported, field="contact", purpose="导出人才信息库"
    )
    audit_event_record(
        subject_type="jobs.talentpoolentry",
        subject_id="export",
        action="export.talent_pool",
        actor=request.user,
        data={"rows": rows, "filters": sorted(k for k, v in filters.items() if v)},
    )
    buffer = tempfile.TemporaryFile()  # noqa: SIM115 - closed by FileResponse
    workbook.save(buffer)
    buffer.seek(0)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = FileResponse(buffer, content_type=XLSX_CONTENT_TYPE)
    return download_headers(response, filename="talent-pool-" + stamp + ".xlsx")


@jobs_staff_required
@require_safe
def staff_fair(request: HttpRequest, id: Any) -> HttpResponse:
    fair = _or_404(selectors.fair_get(uuid=id, include_drafts=True))
    return render(
        request,
        "jobs/staff_fair.html",
        {
            "fair": fair,
            "summary": selectors.fair_summary(fair=fair),
            "candidates": selectors.fair_candidate_list(fair=fair),
        },
    )


@jobs_staff_required
@require_POST
def staff_fair_check_in(request: HttpRequest, id: Any, candidate: Any) -> HttpResponse:
    fair = _or_404(selectors.fair_get(uuid=id, include_drafts=True))
    signup = _or_404(FairCandidate.objects.filter(fair=fair, uuid=candidate).first())
    try:
        services.fair_candidate_check_in(candidate=signup, actor=request.user)
    except JobsError as error:
        _refuse(request, error)
    else:
        messages.success(request, "已签到。")
    return redirect("jobs:staff-fair", id=fair.uuid)


@jobs_staff_required
@require_http_methods(["GET", "POST"])
def staff_ambassadors(request: HttpRequest) -> HttpResponse:
    form = AmbassadorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.ambassador_create(actor=request.user, **form.cleaned_data)
        except JobsError as error:
            _refuse(request, error, form)
        else:
            messages.success(request, "特派员已登记。")
            return redirect("jobs:staff-ambassadors")
    referrals = Referral.objects.select_related("ambassador", "entry").order_by("-created_at")[:100]
    return render(
        request,
        "jobs/staff_ambassadors.html",
        {"form": form, "stats": selectors.ambassador_stats(), "referrals": referrals},
    )


@jobs_staff_required
@require_POST
def staff_referral_advance(request: HttpRequest, id: Any) -> HttpResponse:
    referral = _or_404(Referral.objects.filter(uuid=id).first())
    try:
        services.referral_advance(
            referral=referral, to_status=request.POST.get("status", ""), actor=request.user
        )
    except JobsError as error:
        _refuse(request, error)
    else:
        messages.success(request, "推荐进展已更新。")
    return redirect("jobs:staff-ambassadors")


@jobs_staff_required
@require_safe
def staff_employers(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    if status and status not in VerificationStatus.values:
        status = ""
    orgs = list(selectors.employer_org_list(status=status))
    changes = selectors.employer_org_pending_changes(orgs=orgs)
    for org in orgs:
        org.requested_changes = changes.get(org.pk, [])  # type: ignore[attr-defined]
    log_pii_access_many(
        actor=request.user,
        subjects=[org for org in orgs if org.contact_phone],
        field="contact_phone",
        purpose="审核用人单位",
    )
    return render(
        request,
        "jobs/staff_employers.html",
        {
            "orgs": orgs,
            "status": status,
            "statuses": VerificationStatus.choices,
            "form": VerifyForm(),
        },
    )


@jobs_staff_required
@require_POST
def staff_employer_verify(request: HttpRequest, id: Any) -> HttpResponse:
    org = _or_404(selectors.employer_org_get(uuid=id))
    form = VerifyForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择审核结果。")
        return redirect("jobs:staff-employers")
    try:
        services.employer_org_verify(actor=request.user, org=org, **form.cleaned_data)
    except JobsError as error:
        _refuse(request, error)
    else:
        messages.success(request, "“" + org.name + "”审核结果已保存。")
    return redirect("jobs:staff-employers")


@jobs_staff_required
@require_safe
def staff_event(request: HttpRequest, id: Any) -> HttpResponse:
    event = _or_404(selectors.event_get(uuid=id, include_unpublished=True))
    return render(
        request,
        "jobs/staff_event.html",
        {
            "event": event,
            "registrations": selectors.event_registration_list(event=event),
            "feedback": selectors.event_feedback_summary(event=event),
        },
    )


@jobs_staff_required
@require_POST
def staff_event_attendance(request: HttpRequest, id: Any, registration: Any) -> HttpResponse:
    event = _or_404(selectors.event_get(uuid=id, include_unpublished=True))
    target = _or_404(EventRegistration.objects.filter(event=event, uuid=registration).first())
    try:
        services.event_attendance_mark(
            registration=target, actor=request.user, attended=request.POST.get("attended") == "1"
        )
    except JobsError as error:
        _refuse(request, error)
    return redirect("jobs:staff-event", id=event.uuid)


@jobs_staff_required
@require_http_methods(["GET", "POST"])
def staff_events(request: HttpRequest) -> HttpResponse:
    """All events (drafts included) and the form to create one."""
    form = EventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            event = services.event_create(actor=request.user, **form.cleaned_data)
        except JobsError as error:
            _refuse(request, error, form)
        else:
            messages.success(
                request,
                "活动已发布，开放报名。" if form.cleaned_data["publish"] else "活动已保存为草稿。",
            )
            return redirect("jobs:staff-event", id=event.uuid)
    kind = request.GET.get("kind", "")
    if kind not in EventKind.values:
        kind = ""
    return render(
        request,
        "jobs/staff_events.html",
        {
            "form": form,
            "page_obj": _page(request, selectors.event_list_for_staff(kind=kind), 30),
            "kind": kind,
            "kinds": EventKind.choices,
        },
    )


@jobs_staff_required
@require_POST
def staff_event_publish(request: HttpRequest, id: Any) -> HttpResponse:
    event = _or_404(selectors.event_get(uuid=id, include_unpublished=True))
    try:
        services.event_publish(event=event, actor=request.user)
    except JobsError as error:
        _refuse(request, error)
    else:
        messages.success(request, "活动已发布，开放报名。")
    return redirect("jobs:staff-event", id=event.uuid)


@jobs_staff_required
@require_http_methods(["GET", "POST"])
def staff_fairs(request: HttpRequest) -> HttpResponse:
    """All job fairs (drafts included) and the form to create one."""
    form = FairForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            fair = services.fair_create(actor=request.user, **form.cleaned_data)
        except JobsError as error:
            _refuse(request, error, form)
        else:
            messages.success(
                request,
                "招聘会已发布。" if form.cleaned_data["publish"] else "招聘会已保存为草稿。",
            )
            return redirect("jobs:staff-fair", id=fair.uuid)
    return render(
        request,
        "jobs/staff_fairs.html",
        {"form": form, "fairs": selectors.fair_list(include_drafts=True)},
    )


@jobs_staff_required
@require_POST
def staff_fair_publish(request: HttpRequest, id: Any) -> HttpResponse:
    fair = _or_404(selectors.fair_get(uuid=id, include_drafts=True))
    try:
        services.fair_publish(fair=fair, actor=request.user)
    except JobsError as error:
        _refuse(request, error)
    else:
        messages.success(request, "招聘会已发布。")
    return redirect("jobs:staff-fair", id=fair.uuid)
