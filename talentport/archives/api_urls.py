from django.urls import path

from talentport.archives import api

urlpatterns = [
    path("archives/files/", api.FileListView.as_view(), name="archives-files"),
    path("archives/files/search/", api.FileSearchView.as_view(), name="archives-files-search"),
    path("archives/files/<str:id>/", api.FileDetailView.as_view(), name="archives-file"),
    path(
        "archives/files/<str:id>/transitions/",
        api.FileTransitionView.as_view(),
        name="archives-file-transitions",
    ),
    path(
        "archives/files/<str:id>/transfer-cancellation/",
        api.FileTransferCancelView.as_view(),
        name="archives-file-transfer-cancel",
    ),
    path(
        "archives/files/<str:id>/guardians/",
        api.StaffGuardianListView.as_view(),
        name="archives-file-guardians",
    ),
    path(
        "archives/files/<str:id>/guardians/<str:link_id>/revoke/",
        api.StaffGuardianRevokeView.as_view(),
        name="archives-file-guardian-revoke",
    ),
    path("archives/imports/", api.ImportView.as_view(), name="archives-imports"),
    path("archives/batches/", api.BatchListView.as_view(), name="archives-batches"),
    path("archives/summary/", api.SummaryView.as_view(), name="archives-summary"),
    path("archives/overdue/", api.OverdueView.as_view(), name="archives-overdue"),
    path("archives/my-files/", api.MyFileListView.as_view(), name="archives-my-files"),
    path("archives/claims/", api.ClaimView.as_view(), name="archives-claims"),
    path("archives/my-files/<str:id>/", api.MyFileDetailView.as_view(), name="archives-my-file"),
    path(
        "archives/my-files/<str:id>/guardians/",
        api.MyGuardianListView.as_view(),
        name="archives-my-guardians",
    ),
    path(
        "archives/my-files/<str:id>/guardians/<str:link_id>/consent/",
        api.MyGuardianConsentView.as_view(),
        name="archives-my-guardian-consent",
    ),
    path(
        "archives/my-files/<str:id>/guardians/<str:link_id>/revoke/",
        api.MyGuardianRevokeView.as_view(),
        name="archives-my-guardian-revoke",
    ),
]
