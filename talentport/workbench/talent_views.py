"""人才信息库导入 / Talent database import: the staff page of contract §9's import.

Administrators of the city (``Perm.TALENT_DB_IMPORT`` over ``qingdao``) upload a JSONL
file or the .xlsx template with a source name. A small file is imported within the
request; a larger one (more than ``QUEUE_THRESHOLD`` lines) waits encrypted under
DATA_DIR and runs in the queue, its page showing how far it got. Every import is a
:class:`~talentport.people.models.ProfileImportRun`; the page lists them and the
profiles per source (with and without consent: staff figures count everyone).
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.conf import settings
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_safe

from talentport.common.exports import XLSX_CONTENT_TYPE
from talentport.common.files import attachment_response
from talentport.people.decorators import permission_required
from talentport.people.models import ImportRunStatus, ProfileImportRun, TalentProfile
from talentport.people.permissions import TALENT_DB_JURISDICTION, Perm, Target

talent_db_required = permission_required(Perm.TALENT_DB_IMPORT, Target(TALENT_DB_JURISDICTION))

#: Uploads larger than this are refused on the page (use the command line).
DEFAULT_MAX_BYTES = 100 * 1024 * 1024


def _max_bytes() -> int:
    return int(getattr(settings, "TALENT_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


class TalentImportForm(forms.Form):
    source = forms.CharField(
        label=_("来源名称"),
        max_length=60,
        help_text=_("如 校友会、招聘会、引才特派员；同一来源的编号 id 唯一，重复导入即更新"),
    )
    file = forms.FileField(
        label=_("文件（JSONL 或 Excel 模板 .xlsx）"),
        widget=forms.ClearableFileInput(attrs={"accept": ".jsonl,.json,.xlsx"}),
    )

    def clean_source(self) -> str:
        source: str = self.cleaned_data["source"].strip()
        if not source:
            raise forms.ValidationError(_("请填写来源名称"))
        return source

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        limit = _max_bytes()
        if upload.size > limit:
            raise forms.ValidationError(
                _("文件过大（最大 %(mb)s MB），更大的文件请用命令 talentport profiles import")
                % {"mb": max(limit // (1024 * 1024), 1)}
            )
        return upload


def _source_counts() -> list[dict[str, Any]]:
    return [
        dict(row)
        for row in TalentProfile.objects.exclude(source="")
        .values("source")
        .annotate(
            total=Count("id"),
            consented=Count("id", filter=Q(consent=True)),
            linked=Count("id", filter=Q(user__isnull=False)),
        )
        .order_by("source")
    ]


def _queue(request: HttpRequest, content: bytes, form: TalentImportForm, total: int) -> str:
    from talentport.common.crypto import encrypt_bytes
    from talentport.common.tasks import enqueue_on_commit
    from talentport.people.tasks import profiles_import, upload_path

    name = f"{uuid.uuid4().hex}.upload"
    path = upload_path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(encrypt_bytes(content))
    run = ProfileImportRun.objects.create(
        actor=request.user if request.user.is_authenticated else None,
        source=form.cleaned_data["source"],
        filename=form.cleaned_data["file"].name[:255],
        status=ImportRunStatus.QUEUED,
        total=total,
        upload_path=name,
    )
    enqueue_on_commit(profiles_import, str(run.uuid))
    return str(run.uuid)


@require_http_methods(["GET", "HEAD", "POST"])
@talent_db_required
def talent_db(request: HttpRequest) -> HttpResponse:
    from talentport.people.talent_import import (
        QUEUE_THRESHOLD,
        ImportFileError,
        count_lines,
        talent_profiles_import,
    )

    if request.method == "POST":
        form = TalentImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            content = upload.read()
            total = count_lines(content, upload.name)
            if total > QUEUE_THRESHOLD:
                return redirect(
                    "workbench:talent-db-run", run_id=_queue(request, content, form, total)
                )
            try:
                report = talent_profiles_import(
                    content,
                    source=form.cleaned_data["source"],
                    actor=request.user,
                    filename=upload.name,
                )
            except ImportFileError as exc:
                form.add_error("file", exc.message)
            else:
                assert report.run is not None
                return redirect("workbench:talent-db-run", run_id=report.run.uuid)
    else:
        form = TalentImportForm()
    context = {
        "form": form,
        "runs": ProfileImportRun.objects.select_related("actor")[:20],
        "sources": _source_counts(),
        "recent": TalentProfile.objects.exclude(source="").order_by("-updated_at", "-id")[:20],
    }
    return render(request, "workbench/talent_db.html", context)


@require_safe
@talent_db_required
def talent_db_run(request: HttpRequest, run_id: uuid.UUID) -> HttpResponse:
    run = get_object_or_404(ProfileImportRun.objects.select_related("actor"), uuid=run_id)
    waiting = run.status in (ImportRunStatus.QUEUED, ImportRunStatus.RUNNING)
    return render(request, "workbench/talent_db_run.html", {"run": run, "waiting": waiting})


@require_safe
@talent_db_required
def talent_db_template(request: HttpRequest) -> HttpResponse:
    from talentport.people.talent_xlsx import template_workbook

    return attachment_response(
        template_workbook(),
        filename="人才信息库导入模板.xlsx",
        ascii_name="talent-database-template.xlsx",
        content_type=XLSX_CONTENT_TYPE,
    )
