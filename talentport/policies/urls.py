from django.urls import path

from talentport.policies import staff_views, views

app_name = "policies"
urlpatterns = [
    path("check/", views.check_start, name="check_start"),
    path("check/begin/", views.check_begin, name="check_begin"),
    path("check/question/", views.check_question, name="check_question"),
    path("check/results/", views.check_results, name="check_results"),
    path("check/save/", views.check_save, name="check_save"),
    path("check/reset/", views.check_reset, name="check_reset"),
    path("staff/", staff_views.policy_list, name="staff_list"),
    path("staff/publish/", staff_views.policy_publish_view, name="staff_publish"),
    path("staff/grants/", staff_views.grant_list, name="staff_grants"),
    path(
        "staff/grants/<uuid:grant_uuid>/decide/", staff_views.grant_decide_view, name="grant_decide"
    ),
    path("staff/push/", staff_views.push_run_view, name="staff_push"),
    path("staff/runs/", staff_views.push_runs, name="staff_runs"),
    path("staff/preview/", staff_views.policy_preview_start, name="staff_preview_start"),
    path(
        "staff/preview/<uuid:preview_uuid>/",
        staff_views.policy_preview_detail,
        name="staff_preview",
    ),
    path("staff/runs/<uuid:run_uuid>/", staff_views.push_run_detail, name="staff_run"),
]
