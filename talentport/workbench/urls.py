from django.urls import path

from talentport.workbench import audit_views, views

app_name = "workbench"
urlpatterns = [
    path("", views.home, name="home"),
    path("audit/", audit_views.journal, name="audit"),
    path("audit/verify/", audit_views.verify_tail, name="audit-verify"),
    path("audit/pii-access/", audit_views.pii_access, name="audit-pii"),
]
