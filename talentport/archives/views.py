"""Archive pages: staff under /archives/staff/, students and guardians under /archives/my/."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from talentport.api.errors import throttled_message
from talentport.api.throttling import page_throttle_wait
from talentport.archives import selectors, services
from talentport.archives.errors import ArchiveError, ClaimThrottled
from talentport.archives.forms import (
    ClaimForm,
    GuardianForm,
    ImportForm,
    TransferCancelForm,
    TransitionForm,
)
from talentport.archives.importer import handover_workbook, template_workbook
from talentport.archives.models import TRANSITIONS, ArchiveFile, ArchiveStatus, ImportSource
from talentport.archives.rules import PARTY_GUIDANCE
from talentport.common.exports import XLSX_CONTENT_TYPE
from talentport.common.files import attachment_response
from talentport.common.pii import log_pii_access, log_pii_access_many, pii_reveal
from talentport.common.search_stash import search_recall, search_stash
from talentport.people import permissions
from talentport.people.decorators import permission_required
from talentport.people.permissions import Perm
from talentport.people.stepup import step_up_fresh, step_up_redirect

archive_staff_required = permission_required(Perm.ARCHIVE_MANAGE)


def _file_or_404(request: HttpRequest, file_id: Any) -> ArchiveFile:
    """A file in the staff member's scope (404 for any other, as for none)."""
    file = selectors.archive_file_get_for_staff(user=request.user, uuid=file_id)
    if file is None:
        raise Http404("未找到该档案")
    return file


def _error_messages(request: HttpRequest, error: ArchiveError) -> None:
    for _field, message in error.errors:
        messages.error(request, message)


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    if selectors.is_staff_user(request.user):
        return redirect("archives:staff_home")
    return redirect("archives:my_files")


# --------------------------------------------------------------------------- #
# Staff
# --------------------------------------------------------------------------- #


@require_safe
@archive_staff_required
def staff_home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "archives/staff_home.html",
        {
            "summary": selectors.archive_school_summary(user=request.user),
            "states": ArchiveStatus.choices,
            "batches": selectors.archive_batch_list(user=request.user)[:10],
            "overdue_count": selectors.archive_overdue_transfers(user=request.user).count(),
            "overdue_days": selectors.OVERDUE_DAYS,
        },
    )


@archive_staff_required
def staff_import(request: HttpRequest) -> HttpResponse:
    report = None
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                report = services.archive_batch_import(
                    source=upload,
                    school=form.cleaned_data["school"],
                    actor=request.user,
                    filename=upload.name,
                    jurisdiction=services.archive_default_jurisdiction(user=request.user),
                    via=ImportSource.WEB,
                )
            except ArchiveError as exc:
                form.add_error("file" if exc.field == "file" else None, exc.message)
    else:
        form = ImportForm()
    return render(request, "archives/staff_import.html", {"form": form, "report": report})


@require_safe
@archive_staff_required
def template_download(request: HttpRequest) -> HttpResponse:
    return attachment_response(
        template_workbook(),
        filename="档案交接名单模板.xlsx",
        ascii_name="archive-handover-template.xlsx",
        content_type=XLSX_CONTENT_TYPE,
    )


@require_safe
@archive_staff_required
def batch_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.archive_batch_list(user=request.user), 30).get_page(
        request.GET.get("page")
    )
    return render(request, "archives/batch_list.html", {"page": page})


@require_safe
@archive_staff_required
def batch_detail(request: HttpRequest, batch_id: Any) -> HttpResponse:
    batch = selectors.archive_batch_get(user=request.user, uuid=batch_id)
    if batch is None:
        raise Http404("未找到该批次")
    files = selectors.archive_file_search(user=request.user, batch=batch)
    page = Paginator(files, 50).get_page(request.GET.get("page"))
    return render(request, "archives/batch_detail.html", {"batch": batch, "page": page})


@require_POST
@archive_staff_required
def batch_handover(request: HttpRequest, batch_id: Any) -> HttpResponse:
    """Download the batch's hand-over list with the claim codes (each shown this once)."""
    batch = selectors.archive_batch_get(user=request.user, uuid=batch_id)
    if batch is None:
        raise Http404("未找到该批次")
    rows = services.archive_handover_list(batch=batch, actor=request.user)
    content = handover_workbook(
        school=batch.school,
        rows=[(r.file.class_name, r.file.name, r.file.id_card_masked, r.code) for r in rows],
    )
    return attachment_response(
        content,
        filename=f"{batch.school}-交接清单（认领码）.xlsx",
        ascii_name=f"archive-claim-codes-{batch.uuid}.xlsx",
        content_type=XLSX_CONTENT_TYPE,
    )


@require_POST
@archive_staff_required
def file_claim_code(request: HttpRequest, file_id: Any) -> HttpResponse:
    """Regenerate one file's claim code; the page shows it once (never stored in clear)."""
    file = _file_or_404(request, file_id)
    try:
        code = services.archive_claim_code_regenerate(file=file, actor=request.user)
    except ArchiveError as exc:
        _error_messages(request, exc)
        return redirect("archives:file_detail", file_id=file.uuid)
    response = render(request, "archives/claim_code.html", {"file": file, "code": code})
    response["Cache-Control"] = "no-store"
    return response


@require_safe
@archive_staff_required
def overdue(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "archives/overdue.html",
        {
            "files": selectors.archive_overdue_transfers(user=request.user),
            "days": selectors.OVERDUE_DAYS,
        },
    )


FILE_SEARCH = "archives.file_list"
FILE_SEARCH_FIELDS = ("q", "status", "school")


@require_http_methods(["GET", "HEAD", "POST"])
@archive_staff_required
def file_list(request: HttpRequest) -> HttpResponse:
    """Find files by name or full ID number.  The form POSTs (an ID number never
    travels in a URL) and the results page carries only a token (``?s=``); a search
    by ID number is in the PII access log for every file it found."""
    if request.method == "POST":
        posted = {k: request.POST.get(k, "").strip() for k in FILE_SEARCH_FIELDS}
        token = search_stash(request, scope=FILE_SEARCH, criteria=posted)
        return redirect(reverse("archives:file_list") + "?" + urlencode({"s": token}))
    token = request.GET.get("s", "")
    criteria = search_recall(request, scope=FILE_SEARCH, token=token) if token else None
    if criteria is None:  # links with plain parameters (never an ID number: see urlguard)
        token = ""
        criteria = {k: request.GET.get(k, "").strip() for k in FILE_SEARCH_FIELDS}
    q, status, school = (str(criteria.get(k, "")) for k in FILE_SEARCH_FIELDS)
    files = selectors.archive_file_search(user=request.user, q=q, status=status, school=school)
    page = Paginator(files, 50).get_page(request.GET.get("page"))
    if selectors.is_id_card_query(q):
        log_pii_access_many(
            actor=request.user,
            subjects=list(page.object_list),
            field="id_card",
            purpose="按身份证号查找档案",
        )
    query = {"s": token} if token else {"q": q, "status": status, "school": school}
    return render(
        request,
        "archives/file_list.html",
        {
            "page": page,
            "q": q,
            "status": status,
            "school": school,
            "states": ArchiveStatus.choices,
            "query": urlencode(query) + "&",
        },
    )


@require_safe
@archive_staff_required
def file_detail(request: HttpRequest, file_id: Any) -> HttpResponse:
    file = _file_or_404(request, file_id)
    log_pii_access(
        actor=request.user, subject=file, field="archive_file", purpose="查看人事档案详情"
    )
    can_reveal = permissions.can(
        request.user, Perm.ARCHIVE_REVEAL, permissions.Target(file.jurisdiction)
    )
    revealed: dict[str, str] = {}
    if can_reveal and request.GET.get("reveal") == "1":
        if not step_up_fresh(request):
            return step_up_redirect(request)
        purpose = "办理档案交接核对身份"
        revealed["id_card"] = pii_reveal(
            actor=request.user, subject=file, field="id_card", purpose=purpose
        )
        if file.guardian_phone:
            revealed["guardian_phone"] = pii_reveal(
                actor=request.user, subject=file, field="guardian_phone", purpose=purpose
            )
    allowed = [
        (s, str(ArchiveStatus(s).label))
        for s in ArchiveStatus.values
        if s in TRANSITIONS[file.status]
    ]
    return render(
        request,
        "archives/file_detail.html",
        {
            "file": file,
            "timeline": selectors.archive_timeline(file=file),
            "links": selectors.guardian_links_of(file=file),
            "allowed": allowed,
            "form": TransitionForm(initial={"to_state": allowed[0][0] if allowed else ""}),
            "guardian_form": GuardianForm(),
            "cancel_form": TransferCancelForm(),
            "can_reveal": can_reveal,
            "revealed": revealed,
            "adult": services.archive_is_adult(file=file),
            "party_guidance": PARTY_GUIDANCE,
        },
    )


@require_POST
@archive_staff_required
def file_transition(request: HttpRequest, file_id: Any) -> HttpResponse:
    file = _file_or_404(request, file_id)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "提交的内容有误，请检查后重试")
    else:
        data = form.cleaned_data
        try:
            file = services.archive_transition(
                file=file,
                actor=request.user,
                to_state=data["to_state"],
                note=data.get("note", ""),
                materials=data.get("materials", ""),
                courier_number=data.get("courier_number", ""),
                transfer=form.transfer_input(),
            )
        except ArchiveError as exc:
            _error_messages(request, exc)
        else:
            messages.success(request, f"已办理：{ArchiveStatus(file.status).label}")
    return redirect("archives:file_detail", file_id=file.uuid)


@require_POST
@archive_staff_required
def file_transfer_cancel(request: HttpRequest, file_id: Any) -> HttpResponse:
    file = _file_or_404(request, file_id)
    form = TransferCancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写撤销转递申请的原因")
    else:
        try:
            file = services.archive_transfer_cancel(
                file=file, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ArchiveError as exc:
            _error_messages(request, exc)
        else:
            messages.success(
                request, f"已撤销转递申请，档案回到“{ArchiveStatus(file.status).label}”"
            )
    return redirect("archives:file_detail", file_id=file.uuid)


def _guardian_user(username: str) -> Any:
    return selectors.guardian_account_get(username=username)


@require_POST
@archive_staff_required
def staff_guardian_add(request: HttpRequest, file_id: Any) -> HttpResponse:
    file = _file_or_404(request, file_id)
    form = GuardianForm(request.POST)
    if form.is_valid():
        try:
            services.guardian_link_create(
                file=file,
                guardian=_guardian_user(form.cleaned_data["username"]),
                actor=request.user,
            )
        except ArchiveError as exc:
            _error_messages(request, exc)
        else:
            messages.success(request, "已添加监护人查看")
    return redirect("archives:file_detail", file_id=file.uuid)


@require_POST
@archive_staff_required
def staff_guardian_revoke(request: HttpRequest, file_id: Any, link_id: Any) -> HttpResponse:
    file = _file_or_404(request, file_id)
    link = selectors.guardian_link_get(file=file, uuid=link_id)
    if link is None:
        raise Http404("未找到该授权")
    try:
        services.guardian_link_revoke(link=link, actor=request.user)
    except ArchiveError as exc:
        _error_messages(request, exc)
    else:
        messages.success(request, "已撤销监护人查看")
    return redirect("archives:file_detail", file_id=file.uuid)


# --------------------------------------------------------------------------- #
# Students and guardians
# --------------------------------------------------------------------------- #


@login_required
def my_files(request: HttpRequest) -> HttpResponse:
    """The family's files, and the two-step claim: 发送验证码 (op=send), then 绑定 with
    the SMS code or the hand-over list's claim code (op=claim).  Same answers, same
    limits as the API (shared counters)."""
    form = ClaimForm()
    sent = False
    status = 200
    if request.method == "POST":
        form = ClaimForm(request.POST)
        op = request.POST.get("op", "claim")
        if form.is_valid():
            data = form.cleaned_data
            wait = page_throttle_wait(request, "archive_claim", per_ip=True)
            try:
                if wait is not None:
                    raise ClaimThrottled(throttled_message(wait), wait=wait)
                if op == "send" or not data["code"].strip():
                    services.archive_claim_code_send(
                        user=request.user, id_card=data["id_card"], name=data["name"]
                    )
                    sent = True
                else:
                    file = services.archive_claim(
                        user=request.user,
                        id_card=data["id_card"],
                        name=data["name"],
                        code=data["code"],
                    )
                    messages.success(request, gettext("已绑定您的档案"))
                    return redirect("archives:my_file", file_id=file.uuid)
            except ClaimThrottled as exc:
                form.add_error(None, exc.message)
                status = 429
            except ArchiveError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
                status = 400
        else:
            status = 400
    return render(
        request,
        "archives/my_files.html",
        {
            "own": selectors.archive_files_for_student(user=request.user),
            "followed": selectors.archive_files_for_guardian(user=request.user),
            "form": form,
            "sent": sent,
            "sent_message": services.claim_sent_message() if sent else "",
        },
        status=status,
    )


@require_safe
@login_required
def my_file(request: HttpRequest, file_id: Any) -> HttpResponse:
    found = selectors.archive_file_for_family(user=request.user, uuid=file_id)
    if found is None:
        raise Http404("未找到该档案")
    file, relation = found
    context: dict[str, Any] = {
        "file": file,
        "relation": relation,
        "timeline": selectors.archive_timeline(file=file, family=True),
        "states": ArchiveStatus.choices,
        "steps": selectors.archive_progress_steps(file=file),
        "party_guidance": PARTY_GUIDANCE,
    }
    if relation == "student":
        context.update(
            links=selectors.guardian_links_of(file=file),
            guardian_form=GuardianForm(),
            adult=services.archive_is_adult(file=file),
        )
    return render(request, "archives/my_file.html", context)


def _own_file(request: HttpRequest, file_id: Any) -> ArchiveFile:
    found = selectors.archive_file_for_family(user=request.user, uuid=file_id)
    if found is None or found[1] != "student":
        raise Http404("未找到该档案")
    return found[0]


@require_POST
@login_required
def my_guardian_add(request: HttpRequest, file_id: Any) -> HttpResponse:
    file = _own_file(request, file_id)
    form = GuardianForm(request.POST)
    if form.is_valid():
        try:
            services.guardian_link_create(
                file=file,
                guardian=_guardian_user(form.cleaned_data["username"]),
                actor=request.user,
            )
        except ArchiveError as exc:
            _error_messages(request, exc)
        else:
            messages.success(request, "已同意该监护人查看您的档案")
    return redirect("archives:my_file", file_id=file.uuid)


@require_POST
@login_required
def my_guardian_action(
    request: HttpRequest, file_id: Any, link_id: Any, action: str
) -> HttpResponse:
    file = _own_file(request, file_id)
    link = selectors.guardian_link_get(file=file, uuid=link_id)
    if link is None or action not in {"consent", "revoke"}:
        raise Http404("未找到该授权")
    try:
        if action == "consent":
            services.guardian_link_consent(link=link, actor=request.user)
            messages.success(request, "已同意该监护人查看")
        else:
            services.guardian_link_revoke(link=link, actor=request.user)
            messages.success(request, "已撤销该监护人查看")
    except ArchiveError as exc:
        _error_messages(request, exc)
    return redirect(reverse("archives:my_file", kwargs={"file_id": file.uuid}))
