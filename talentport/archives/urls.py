from django.urls import path

from talentport.archives import views

app_name = "archives"
urlpatterns = [
    path("", views.index, name="index"),
    path("staff/", views.staff_home, name="staff_home"),
    path("staff/import/", views.staff_import, name="staff_import"),
    path("staff/template.xlsx", views.template_download, name="template"),
    path("staff/batches/", views.batch_list, name="batch_list"),
    path("staff/batches/<uuid:batch_id>/", views.batch_detail, name="batch_detail"),
    path(
        "staff/batches/<uuid:batch_id>/handover.xlsx",
        views.batch_handover,
        name="batch_handover",
    ),
    path("staff/overdue/", views.overdue, name="overdue"),
    path("staff/files/", views.file_list, name="file_list"),
    path("staff/files/<uuid:file_id>/", views.file_detail, name="file_detail"),
    path("staff/files/<uuid:file_id>/transition/", views.file_transition, name="file_transition"),
    path(
        "staff/files/<uuid:file_id>/transfer-cancel/",
        views.file_transfer_cancel,
        name="file_transfer_cancel",
    ),
    path(
        "staff/files/<uuid:file_id>/claim-code/",
        views.file_claim_code,
        name="file_claim_code",
    ),
    path(
        "staff/files/<uuid:file_id>/guardians/",
        views.staff_guardian_add,
        name="staff_guardian_add",
    ),
    path(
        "staff/files/<uuid:file_id>/guardians/<uuid:link_id>/revoke/",
        views.staff_guardian_revoke,
        name="staff_guardian_revoke",
    ),
    path("my/", views.my_files, name="my_files"),
    path("my/<uuid:file_id>/", views.my_file, name="my_file"),
    path("my/<uuid:file_id>/guardians/", views.my_guardian_add, name="my_guardian_add"),
    path(
        "my/<uuid:file_id>/guardians/<uuid:link_id>/<str:action>/",
        views.my_guardian_action,
        name="my_guardian_action",
    ),
]
