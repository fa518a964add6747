from django.urls import path

from talentport.people import staff_views

urlpatterns = [
    path("", staff_views.staff_scopes, name="staff_scopes"),
]
