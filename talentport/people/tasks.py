"""Queue tasks of the people app."""

from __future__ import annotations

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
    if run is None or run.status in (ImportRunStatus.DONE, ImportRunStatus.FAILED):
        return
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
