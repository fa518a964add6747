from django.urls import path

from talentport.workbench import audit_views, delivery_views, views

app_name = "workbench"
urlpatterns = [
    path("", views.home, name="home"),
    path("audit/", audit_views.journal, name="audit"),
    path("audit/verify/", audit_views.verify_tail, name="audit-verify"),
    path("audit/pii-access/", audit_views.pii_access, name="audit-pii"),
    path("deliveries/", delivery_views.deliveries, name="deliveries"),
    path("deliveries/retry/", delivery_views.deliveries_retry, name="deliveries-retry"),
]
