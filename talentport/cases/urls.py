from django.urls import path

from talentport.cases import views

app_name = "cases"
urlpatterns = [
    path("", views.home, name="home"),
    path("bundles/<uuid:id>/", views.start, name="start"),
    path("applications/<uuid:id>/", views.application_detail, name="application"),
    path("materials/<uuid:id>/", views.material_download, name="material"),
    path("workbench/", views.queue, name="queue"),
    path("workbench/subcases/<uuid:id>/", views.subcase_detail, name="subcase"),
    path("workbench/supervision/", views.supervision, name="supervision"),
]
