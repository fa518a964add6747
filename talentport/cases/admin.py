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
        response = HttpResponse(body, content_type="application/yaml; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
