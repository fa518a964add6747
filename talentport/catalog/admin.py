"""Back office of the catalog: every model with its change history (who changed what)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from talentport.catalog.models import (
    CatalogVersion,
    Department,
    Jurisdiction,
    JurisdictionLevel,
    LifeEvent,
    Material,
    PolicyLink,
    ServiceItem,
    Specialist,
)


class CityFilter(admin.SimpleListFilter):
    """City, including its districts and functional zones."""

    title = _("城市")
    parameter_name = "city"
    prefix = "jurisdiction__"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        cities = Jurisdiction.objects.filter(level=JurisdictionLevel.CITY).order_by("sort_order")
        return [(j.code, j.name) for j in cities]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if not value:
            return queryset
        return queryset.filter(
            Q(**{f"{self.prefix}code": value}) | Q(**{f"{self.prefix}parent__code": value})
        )


class DistrictFilter(admin.SimpleListFilter):
    title = _("区（市）、功能区")
    parameter_name = "district"
    prefix = "jurisdiction__"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        districts = Jurisdiction.objects.filter(
            level__in=[JurisdictionLevel.DISTRICT, JurisdictionLevel.ZONE]
        ).order_by("sort_order")
        return [(j.code, j.name) for j in districts]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        return queryset.filter(**{f"{self.prefix}code": value}) if value else queryset


class CategoryFilter(admin.SimpleListFilter):
    title = _("服务类别")
    parameter_name = "category"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        from talentport.catalog.selectors import category_list

        return [(c, c) for c in category_list()]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        return queryset.filter(category=value) if value else queryset


class MaterialInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Material
    extra = 0
    fields = ["sort_order", "code", "name", "requirements", "required"]


class PolicyLinkInline(admin.TabularInline):  # type: ignore[type-arg]
    model = PolicyLink
    extra = 0
    fields = ["policy_id"]


@admin.register(ServiceItem)
class ServiceItemAdmin(SimpleHistoryAdmin):  # type: ignore[misc]
    list_display = [
        "title",
        "jurisdiction",
        "category",
        "kind",
        "stage",
        "department",
        "contact_phone",
        "sequence",
        "valid_from",
        "valid_to",
    ]
    list_filter = [CityFilter, DistrictFilter, "stage", CategoryFilter, "kind", "life_events"]
    search_fields = [
        "code",
        "title",
        "title_en",
        "content",
        "department__name",
        "pinyin_title",
        "initials_title",
        "source",
    ]
    list_select_related = ["jurisdiction", "department"]
    autocomplete_fields = ["department", "partner_departments"]
    filter_horizontal = ["life_events"]
    readonly_fields = [
        "uuid",
        "created_at",
        "updated_at",
        "search_title",
        "pinyin_title",
        "initials_title",
    ]
    inlines = [MaterialInline, PolicyLinkInline]
    history_list_display = ["title", "contact_phone", "stage"]
    fieldsets = [
        (None, {"fields": ["code", "title", "title_en", "jurisdiction", "sequence", "source"]}),
        (_("分类"), {"fields": ["category", "kind", "stage", "life_events"]}),
        (
            _("办事指南"),
            {
                "fields": [
                    "content",
                    "applicants",
                    "procedure",
                    "legal_basis",
                    "legal_limit_days",
                    "promised_limit_days",
                    "fees",
                    "result",
                    "where_to_apply",
                    "online_entry",
                    "in_person",
                ]
            },
        ),
        (
            _("部门与联系方式"),
            {"fields": ["department", "partner_departments", "contact_phone", "contact_note"]},
        ),
        (_("有效期"), {"fields": ["valid_from", "valid_to"]}),
        (
            _("检索"),
            {
                "classes": ["collapse"],
                "fields": ["search_title", "pinyin_title", "initials_title"],
            },
        ),
        (_("记录"), {"classes": ["collapse"], "fields": ["uuid", "created_at", "updated_at"]}),
    ]


@admin.register(Department)
class DepartmentAdmin(SimpleHistoryAdmin):  # type: ignore[misc]
    list_display = ["name", "jurisdiction", "parent", "phone"]
    list_filter = [CityFilter, DistrictFilter]
    search_fields = ["code", "name", "name_en", "responsibilities", "phone"]
    list_select_related = ["jurisdiction", "parent"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["uuid", "created_at", "updated_at"]


@admin.register(Jurisdiction)
class JurisdictionAdmin(SimpleHistoryAdmin):  # type: ignore[misc]
    list_display = ["name", "code", "level", "division_code", "parent", "sort_order"]
    list_filter = ["level"]
    search_fields = ["code", "name", "name_en", "division_code"]
    readonly_fields = ["uuid", "created_at", "updated_at"]


@admin.register(LifeEvent)
class LifeEventAdmin(SimpleHistoryAdmin):  # type: ignore[misc]
    list_display = ["title", "code", "stage", "sort_order"]
    list_filter = ["stage"]
    search_fields = ["code", "title", "title_en", "summary"]
    readonly_fields = ["uuid", "created_at", "updated_at"]


@admin.register(Material)
class MaterialAdmin(SimpleHistoryAdmin):  # type: ignore[misc]
    list_display = ["name", "service", "code", "requirements", "required"]
    list_filter = ["required"]
    search_fields = ["name", "code", "service__title"]
    list_select_related = ["service"]
    autocomplete_fields = ["service"]


class SpecialistCityFilter(CityFilter):
    pass


@admin.register(Specialist)
class SpecialistAdmin(SimpleHistoryAdmin):  # type: ignore[misc]
    list_display = ["name", "jurisdiction", "phone", "role"]
    list_filter = [SpecialistCityFilter, DistrictFilter]
    search_fields = ["name", "phone", "jurisdiction__name"]
    list_select_related = ["jurisdiction"]


@admin.register(PolicyLink)
class PolicyLinkAdmin(SimpleHistoryAdmin):  # type: ignore[misc]
    list_display = ["policy_id", "service"]
    search_fields = ["policy_id", "service__title", "service__code"]
    list_select_related = ["service"]
    autocomplete_fields = ["service"]


@admin.register(CatalogVersion)
class CatalogVersionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["stamp", "changed_at"]
    readonly_fields = ["stamp", "changed_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
