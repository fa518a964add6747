from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from talentport.api import views
from talentport.common.public_cache import public_api

app_name = "api"
urlpatterns = [
    path("services", public_api(views.ServiceListView.as_view()), name="service-list"),
    path("services/<str:id>", public_api(views.ServiceDetailView.as_view()), name="service-detail"),
    path("search", public_api(views.SearchView.as_view()), name="search"),
    path("departments", public_api(views.DepartmentListView.as_view()), name="department-list"),
    path(
        "departments/<str:id>",
        public_api(views.DepartmentDetailView.as_view()),
        name="department-detail",
    ),
    path(
        "jurisdictions", public_api(views.JurisdictionListView.as_view()), name="jurisdiction-list"
    ),
    path("specialists", public_api(views.SpecialistListView.as_view()), name="specialist-list"),
    path("life-events", public_api(views.LifeEventListView.as_view()), name="life-event-list"),
    path("eligibility", views.EligibilityView.as_view(), name="eligibility"),
    path("schema", SpectacularAPIView.as_view(), name="schema"),
    path("docs", views.SwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("redoc", views.RedocView.as_view(url_name="api:schema"), name="redoc"),
]
