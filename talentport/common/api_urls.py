from django.urls import path

from talentport.common import api

urlpatterns = [
    path("audit/events", api.AuditEventListView.as_view(), name="audit-events"),
    path("audit/pii-access", api.PiiAccessListView.as_view(), name="audit-pii-access"),
]
