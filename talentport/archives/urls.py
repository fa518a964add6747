from django.urls import path  # noqa: F401

app_name = "archives"
urlpatterns: list = []  # type: ignore[type-arg]
