from django.urls import path

from talentport.notify import views

app_name = "notify"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<uuid:message_uuid>/read/", views.mark_read, name="mark_read"),
]
