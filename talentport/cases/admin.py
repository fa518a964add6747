from __future__ import annotations

import yaml
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from talentport.cases.clock import year_calendar_to_dict
from talentport.cases.models import CalendarDay
from talentport.cases.selectors import calendar_overrides
from talentport.common.files import attachment_response


@admin.register(CalendarDay)
class CalendarDayAdmin(SimpleHistoryAdmin):  # type: ignore[misc]
    list_display = ["date", "kind", "name", "note"]
    list_filter = ["kind", "name"]
    search_fields = ["name", "note"]
    date_hierarchy = "date"
    ordering = ["date"]
    actions = ["export_yaml"]

    @admin.action(description=_("导出所选年份为 YAML（放入 data/calendar/）"))
    def export_yaml(self, request: HttpRequest, queryset: QuerySet[CalendarDay]) -> HttpResponse:
        years = sorted({day.date.year for day in queryset})
        documents = []
        for year in years:
            calendar = calendar_overrides(year)
            if calendar is not None:
                documents.append(year_calendar_to_dict(calendar))
        body = yaml.safe_dump_all(documents, allow_unicode=True, sort_keys=False)
        name = "calendar-" + "-".join(str(y) for y in years) + ".yaml"
        return attachment_response(
            body.encode("utf-8"), filename=name, content_type="application/yaml; charset=utf-8"
        )


# --- 一件事 bundles (edited here, versioned on every change) -------------------------

from talentport.cases import services as case_services  # noqa: E402
from talentport.cases.models import (  # noqa: E402
    Application,
    Bundle,
    BundleItem,
    DepartmentMembership,
    RectificationTask,
    ReturnVisit,
    SubCase,
)


class BundleItemInline(admin.StackedInline):  # type: ignore[type-arg]
    model = BundleItem
    extra = 0
    raw_id_fields = ["service_item", "department"]


@admin.register(Bundle)
class BundleAdmin(SimpleHistoryAdmin):  # type: ignore[misc]
    list_display = ["title", "code", "city", "version", "active"]
    readonly_fields = ["version", "content_hash"]
    inlines = [BundleItemInline]

    def save_related(
        self, request: HttpRequest, form: object, formsets: object, change: bool
    ) -> None:
        super().save_related(request, form, formsets, change)
        case_services.bundle_touch(bundle=form.instance)  # type: ignore[attr-defined]


@admin.register(DepartmentMembership)
class DepartmentMembershipAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["user", "department", "supervisor", "phone"]
    list_filter = ["supervisor"]
    raw_id_fields = ["user", "department"]


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Cases change only through their services (state machine + journal)."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin):
    list_display = ["number", "bundle", "applicant", "status", "submitted_at"]
    list_filter = ["status", "bundle"]
    search_fields = ["number"]
    # the form (ID number, phone...) stays out of the admin: the pages log every read
    exclude = ["form_data", "phone_index"]


@admin.register(SubCase)
class SubCaseAdmin(ReadOnlyAdmin):
    list_display = ["application", "department", "status", "due_date", "due_provisional"]
    list_filter = ["status", "department"]


admin.site.register(RectificationTask, ReadOnlyAdmin)
admin.site.register(ReturnVisit, ReadOnlyAdmin)
