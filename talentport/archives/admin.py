"""Admin: read-only views of files, batches and the journal (writes go through services)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from talentport.archives.models import ArchiveBatch, ArchiveEvent, ArchiveFile, GuardianLink


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ArchiveFile)
class ArchiveFileAdmin(ReadOnlyAdmin):
    list_display = ["name", "id_card_masked", "school", "class_name", "status", "status_changed_at"]
    list_filter = ["status", "school"]
    search_fields = ["name"]
    # the encrypted values stay out of the admin: masked forms only
    exclude = [
        "id_card",
        "id_card_index",
        "guardian_phone",
        "guardian_phone_index",
        "claim_code_index",
        "claim_code_pending",
    ]


@admin.register(ArchiveBatch)
class ArchiveBatchAdmin(ReadOnlyAdmin):
    list_display = ["school", "created_at", "filename", "source", "accepted_count", "refused_count"]
    list_filter = ["school", "source"]


@admin.register(ArchiveEvent)
class ArchiveEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "file", "action", "from_state", "to_state", "actor"]
    list_filter = ["action"]


@admin.register(GuardianLink)
class GuardianLinkAdmin(ReadOnlyAdmin):
    list_display = ["file", "guardian", "status", "consented_at", "revoked_at"]
    list_filter = ["status"]
