from django.urls import path

from talentport.people import api

urlpatterns = [
    path("me/access-grants", api.AccessGrantListView.as_view(), name="access-grants"),
    path(
        "me/access-grants/<uuid:id>/revoke",
        api.AccessGrantRevokeView.as_view(),
        name="access-grant-revoke",
    ),
]
