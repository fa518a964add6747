"""``/healthz`` (mounted by the root URLconf with one line, outside the versioned API)."""

from django.urls import path

from talentport.api.views import healthz

urlpatterns = [path("", healthz, name="healthz")]
