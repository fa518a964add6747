from django.urls import path

from talentport.workbench import audit_views, delivery_views, talent_views, views

app_name = "workbench"
urlpatterns = [
    path("", views.home, name="home"),
    path("audit/", audit_views.journal, name="audit"),
    path("audit/verify/", audit_views.verify_tail, name="audit-verify"),
    path("audit/pii-access/", audit_views.pii_access, name="audit-pii"),
    path("deliveries/", delivery_views.deliveries, name="deliveries"),
    path("deliveries/retry/", delivery_views.deliveries_retry, name="deliveries-retry"),
    path("talent-db/", talent_views.talent_db, name="talent-db"),
    path("talent-db/template.xlsx", talent_views.talent_db_template, name="talent-db-template"),
    path("talent-db/runs/<uuid:run_id>/", talent_views.talent_db_run, name="talent-db-run"),
]
