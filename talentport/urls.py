from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("talentport.api.urls")),
    path("api/v1/", include("talentport.policies.api_urls")),
    path("api/v1/", include("talentport.cases.api_urls")),
    path("api/v1/", include("talentport.archives.api_urls")),
    path("api/v1/", include("talentport.jobs.api_urls")),
    path("api/v1/", include("talentport.people.api_urls")),
    path("api/v1/", include("talentport.common.api_urls")),
    path("healthz", include("talentport.api.health_urls")),
    path("accounts/", include("talentport.people.urls")),
    path("workbench/staff/", include(("talentport.people.staff_urls", "staff"))),
    path("workbench/", include("talentport.workbench.urls")),
    path("policies/", include("talentport.policies.urls")),
    path("inbox/", include("talentport.notify.urls")),
    path("cases/", include("talentport.cases.urls")),
    path("archives/", include("talentport.archives.urls")),
    path("jobs/", include("talentport.jobs.urls")),
    path("", include("talentport.portal.urls")),
]

handler400 = "talentport.portal.views.error_400"
handler403 = "talentport.portal.views.error_403"
handler404 = "talentport.portal.views.error_404"
handler500 = "talentport.portal.views.error_500"
