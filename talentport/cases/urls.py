from django.urls import path

from talentport.cases import views

app_name = "cases"
urlpatterns = [
    path("", views.home, name="home"),
    path("bundles/<uuid:id>/", views.start, name="start"),
    path("applications/<uuid:id>/", views.application_detail, name="application"),
    path("materials/<uuid:id>/", views.material_download, name="material"),
    path("degree/", views.degree, name="degree"),
    path("consents/", views.consents, name="consents"),
    path("employer/", views.employer, name="employer"),
    path("employer/<uuid:person>/bundles/<uuid:id>/", views.employer_start, name="employer-start"),
    path("assist/", views.assist, name="assist"),
    path("assist/<uuid:person>/", views.assist_person, name="assist-person"),
    path("assist/<uuid:person>/bundles/<uuid:id>/", views.assist_start, name="assist-start"),
    path("workbench/", views.queue, name="queue"),
    path("workbench/subcases/<uuid:id>/", views.subcase_detail, name="subcase"),
    path("workbench/supervision/", views.supervision, name="supervision"),
]
