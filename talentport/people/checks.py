"""Deployment checks of the sign-in settings (``manage.py check --deploy``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Tags, register
from django.core.checks import Warning as CheckWarning


@register(Tags.security, deploy=True)
def staff_sign_in_settings(app_configs: Any = None, **kwargs: Any) -> list[CheckWarning]:
    found: list[CheckWarning] = []
    if getattr(settings, "PRODUCTION", False) and not settings.STAFF_OTP_REQUIRED:
        found.append(
            CheckWarning(
                "STAFF_OTP_REQUIRED is off in production: staff sign in with a password only.",
                hint="Unset STAFF_OTP_REQUIRED (it defaults to on with TALENTPORT_ENV=production).",
                id="talentport.people.W001",
            )
        )
    if settings.STEP_UP_MINUTES < 1 or settings.STAFF_SESSION_IDLE_MINUTES < 1:
        found.append(
            CheckWarning(
                "STEP_UP_MINUTES and STAFF_SESSION_IDLE_MINUTES must be at least 1.",
                id="talentport.people.W002",
            )
        )
    if settings.TRUSTED_PROXY_COUNT < 0:
        found.append(
            CheckWarning("TRUSTED_PROXY_COUNT cannot be negative.", id="talentport.people.W003")
        )
    return found
