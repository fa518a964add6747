from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from talentport.api import views

app_name = "api"
urlpatterns = [
    path("services", views.ServiceListView.as_view(), name="service-list"),
    path("services/<str:id>", views.ServiceDetailView.as_view(), name="service-detail"),
    path("search", views.SearchView.as_view(), name="search"),
    path("departments", views.DepartmentListView.as_view(), name="department-list"),
    path("departments/<str:id>", views.DepartmentDetailView.as_view(), name="department-detail"),
    path("jurisdictions", views.JurisdictionListView.as_view(), name="jurisdiction-list"),
    path("specialists", views.SpecialistListView.as_view(), name="specialist-list"),
    path("life-events", views.LifeEventListView.as_view(), name="life-event-list"),
    path("eligibility", views.EligibilityView.as_view(), name="eligibility"),
    path("schema", SpectacularAPIView.as_view(), name="schema"),
    path("docs", views.SwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("redoc", views.RedocView.as_view(url_name="api:schema"), name="redoc"),
]
