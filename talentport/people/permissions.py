"""The one authorisation model: who may do what, on which object, in which scope.

Pages, API and CLI ask this module; nothing else decides whether someone is staff.
"""

from __future__ import annotations

from typing import Any

from talentport.people.models import BACK_OFFICE_ROLES, OPERATIONAL_STAFF_ROLES, Role


def _authenticated(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


def is_staff(user: Any) -> bool:
    """Operational staff: window and department specialists, administrators (and superusers)."""
    return _authenticated(user) and (
        getattr(user, "role", "") in OPERATIONAL_STAFF_ROLES
        or bool(getattr(user, "is_superuser", False))
    )


def is_back_office(user: Any) -> bool:
    """Any back-office account (operational staff or auditor): two factors, short sessions."""
    return _authenticated(user) and (
        getattr(user, "role", "") in BACK_OFFICE_ROLES or bool(getattr(user, "is_superuser", False))
    )


def is_auditor(user: Any) -> bool:
    """May read the audit journal and the personal-data access log."""
    return _authenticated(user) and (
        getattr(user, "role", "") == Role.AUDITOR or bool(getattr(user, "is_superuser", False))
    )
