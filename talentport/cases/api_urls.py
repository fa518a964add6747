from django.urls import path

from talentport.cases import api

urlpatterns = [
    path("bundles/", api.BundleListView.as_view(), name="cases-bundles"),
    path("bundles/<str:id>/", api.BundleDetailView.as_view(), name="cases-bundle"),
    path("bundles/<str:id>/checklist/", api.BundleChecklistView.as_view()),
    path("applications/", api.ApplicationListView.as_view(), name="cases-applications"),
    path("applications/<str:id>/", api.ApplicationDetailView.as_view()),
    path("applications/<str:id>/submit/", api.ApplicationSubmitView.as_view()),
    path("applications/<str:id>/materials/", api.ApplicationMaterialView.as_view()),
    path("applications/<str:id>/timeline/", api.ApplicationTimelineView.as_view()),
    path("applications/<str:id>/ratings/", api.ApplicationRatingView.as_view()),
    path("applications/<str:id>/guardians/", api.ApplicationGuardianView.as_view()),
    path("subcases/", api.SubCaseQueueView.as_view(), name="cases-subcases"),
    path("subcases/<str:id>/", api.SubCaseDetailView.as_view()),
    path("subcases/<str:id>/actions/", api.SubCaseActionView.as_view()),
    path("subcases/<str:id>/correction-answer/", api.SubCaseCorrectionAnswerView.as_view()),
    path("materials/", api.MaterialLibraryView.as_view(), name="cases-materials"),
    path("materials/<str:id>/download/", api.MaterialDownloadView.as_view()),
    path("degree/", api.DegreeView.as_view()),
    path("consents/", api.ConsentView.as_view()),
    path("supervision/", api.SupervisionView.as_view()),
    path("rectifications/<str:id>/reply/", api.RectificationReplyView.as_view()),
    path("return-visits/<str:id>/", api.ReturnVisitView.as_view()),
]
