from django.urls import path

from talentport.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("services/", views.services, name="services"),
    path("services/<uuid:uuid>/", views.service_detail, name="service_detail"),
    path("departments/", views.departments, name="departments"),
    path("departments/<uuid:uuid>/", views.department_detail, name="department_detail"),
    path("specialists/", views.specialists, name="specialists"),
]
