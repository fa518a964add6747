from django.urls import path

from talentport.policies import api

urlpatterns = [
    path("policies", api.PolicyListView.as_view(), name="api-policies"),
    path("policies/<str:policy_id>", api.PolicyDetailView.as_view(), name="api-policy-detail"),
    path("me/profile", api.MyProfileView.as_view(), name="api-me-profile"),
    path("me/messages", api.MyMessagesView.as_view(), name="api-me-messages"),
    path(
        "eligibility/districts",
        api.DistrictComparisonView.as_view(),
        name="api-eligibility-districts",
    ),
    path("grants", api.GrantListView.as_view(), name="api-grants"),
    path(
        "grants/<uuid:grant_id>/decision", api.GrantDecisionView.as_view(), name="api-grant-decide"
    ),
]
