"""Queue tasks of the people app."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from talentport.common.tasks import task

#: Where uploads wait for the queue, under DATA_DIR (private: never served), encrypted.
UPLOAD_DIR = "imports"


def upload_path(name: str) -> Path:
    return Path(settings.DATA_DIR) / UPLOAD_DIR / name


@task("people.profiles_import")
def profiles_import(run_uuid: str) -> None:
    """Run a talent database import the staff page queued (its upload waits, encrypted,
    under DATA_DIR). Idempotent: a finished run is left alone, and running an import
    again upserts the same rows (a retry after a crash finds the earlier lines unchanged)."""
    from talentport.common.crypto import decrypt_bytes
    from talentport.people.models import ImportRunStatus, ProfileImportRun
    from talentport.people.talent_import import ImportFileError, talent_profiles_import

    run = ProfileImportRun.objects.filter(uuid=run_uuid).select_related("actor").first()
    if run is None or not _claim(run.pk):
        return  # finished, failed, or running in another worker that is alive
    path = upload_path(run.upload_path)
    try:
        content = decrypt_bytes(path.read_bytes())
        talent_profiles_import(
            content, source=run.source, actor=run.actor, filename=run.filename, run=run
        )
    except (ImportFileError, OSError) as exc:
        message = exc.message if isinstance(exc, ImportFileError) else "待导入的文件已不存在"
        ProfileImportRun.objects.filter(pk=run.pk).update(
            status=ImportRunStatus.FAILED, error=message, finished_at=timezone.now()
        )
    path.unlink(missing_ok=True)
    ProfileImportRun.objects.filter(pk=run.pk).update(upload_path="")


def _claim(pk: int) -> bool:
    """Take the run for this worker: a queued one, or a running one whose worker has
    gone quiet. One conditional update, so two deliveries of the task (the resume below
    queued it again while the first still waited) run it once."""
    from django.db.models import Q

    from talentport.people.models import ImportRunStatus, ProfileImportRun
    from talentport.policies.push import stale_after  # one quiet-worker limit for all runs

    now = timezone.now()
    return bool(
        ProfileImportRun.objects.filter(pk=pk)
        .filter(
            Q(status=ImportRunStatus.QUEUED)
            | Q(status=ImportRunStatus.RUNNING, updated_at__lt=now - stale_after())
        )
        .update(status=ImportRunStatus.RUNNING, updated_at=now)
    )


@task("people.profile_imports_resume")
def profile_imports_resume() -> int:
    """Queue again the staff page's imports that wait (the broker was down when the file
    was uploaded, or the message was lost) or whose worker died; the scheduler calls this
    every few minutes. Returns how many were handed to the queue."""
    from django.db.models import Q

    from talentport.common.tasks import enqueue
    from talentport.people.models import ImportRunStatus, ProfileImportRun
    from talentport.policies.push import stale_after

    now = timezone.now()
    due = (
        ProfileImportRun.objects.exclude(upload_path="")
        .filter(
            Q(status=ImportRunStatus.QUEUED, created_at__lt=now - dt.timedelta(minutes=1))
            | Q(status=ImportRunStatus.RUNNING, updated_at__lt=now - stale_after())
        )
        .values_list("uuid", flat=True)[:20]
    )
    return sum(1 for run_uuid in list(due) if enqueue(profiles_import, str(run_uuid)))
