from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from talentport.jobs import models, services
from talentport.jobs.errors import JobsError


@admin.register(models.TalentPoolEntry)
class TalentPoolEntryAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["full_name", "school", "country", "degree", "abroad_status", "contact_consent"]
    list_filter = ["degree", "abroad_status", "contact_consent", "major_field"]
    search_fields = ["full_name", "school", "major", "country"]
    raw_id_fields = ["profile", "referred_by"]
    # contact details stay out of the admin (masked copies only): the pages log reads
    exclude = ["phone", "phone_index", "email"]
    readonly_fields = ["phone_masked", "email_masked"]


@admin.register(models.EmployerOrg)
class EmployerOrgAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "org_type", "verification_status"]
    list_filter = ["org_type", "verification_status"]
    search_fields = ["name", "credit_code"]
    readonly_fields = ["verification_status", "contact_phone_masked"]
    exclude = ["contact_phone"]  # the masked copy only


@admin.register(models.Position)
class PositionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["title", "org", "degree", "district", "salary_min", "salary_max", "status"]
    list_filter = ["status", "industry", "district", "degree"]
    search_fields = ["title", "org__name"]


@admin.register(models.JobFair)
class JobFairAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "edition", "starts_on", "is_historical"]


@admin.register(models.Ambassador)
class AmbassadorAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "code", "country", "university", "returned_to_city"]
    search_fields = ["name", "code", "university"]


@admin.register(models.Event)
class EventAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["title", "kind", "starts_at", "capacity", "confirmed_count", "status"]
    list_filter = ["kind", "status"]
    readonly_fields = ["confirmed_count", "status", "published_at"]
    actions = ["publish"]

    @admin.action(description="发布所选活动（开放报名）")
    def publish(self, request: HttpRequest, queryset: QuerySet[models.Event]) -> None:
        for event in queryset.filter(status=models.EventStatus.DRAFT):
            try:
                services.event_publish(event=event, actor=request.user)
            except JobsError as error:
                self.message_user(request, error.message, level=messages.ERROR)


for model in (
    models.JobApplication,
    models.FairEmployer,
    models.FairCandidate,
    models.Referral,
    models.EventRegistration,
    models.ReportedFigures,
):
    admin.site.register(model)
