from django.urls import path

from talentport.archives import api

urlpatterns = [
    path("archives/files/", api.FileListView.as_view(), name="archives-files"),
    path("archives/files/<str:id>/", api.FileDetailView.as_view(), name="archives-file"),
    path(
        "archives/files/<str:id>/transitions/",
        api.FileTransitionView.as_view(),
        name="archives-file-transitions",
    ),
    path("archives/imports/", api.ImportView.as_view(), name="archives-imports"),
    path("archives/batches/", api.BatchListView.as_view(), name="archives-batches"),
    path("archives/summary/", api.SummaryView.as_view(), name="archives-summary"),
    path("archives/overdue/", api.OverdueView.as_view(), name="archives-overdue"),
    path("archives/my-files/", api.MyFileListView.as_view(), name="archives-my-files"),
    path("archives/my-files/<str:id>/", api.MyFileDetailView.as_view(), name="archives-my-file"),
]
