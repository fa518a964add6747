"""Reads of the people app."""

from __future__ import annotations

from typing import Any

from talentport.people.models import AccessGrant, User


def user_username_taken(*, username: str) -> bool:
    return User.objects.filter(username__iexact=username).exists()


def access_grants_given(*, person: User) -> Any:
    """Every grant a person made (active first), with the grantee."""
    return (
        AccessGrant.objects.filter(person=person)
        .select_related("grantee", "granted_by", "revoked_by")
        .order_by("revoked_at", "-created_at")
    )


def access_grants_received(*, grantee: User, kind: str | None = None) -> Any:
    qs = AccessGrant.objects.filter(grantee=grantee, revoked_at__isnull=True).select_related(
        "person"
    )
    return qs.filter(kind=kind) if kind else qs


def access_grant_get(*, uuid: Any) -> AccessGrant | None:
    return AccessGrant.objects.filter(uuid=uuid).select_related("person", "grantee").first()


def staff_accounts_in_scope(*, actor: User) -> list[User]:
    """Staff accounts whose scopes are all inside the actor's (for scope management)."""
    from talentport.people import permissions

    staff = (
        User.objects.filter(role__in=list(permissions.OPERATIONAL_STAFF_ROLES), is_active=True)
        .select_related("department__jurisdiction__parent")
        .prefetch_related("scopes__department")
        .order_by("role", "username")
    )
    if permissions.unrestricted(actor):
        return list(staff)
    out = []
    for user in staff:
        scopes = permissions.scopes_of(user)
        if not scopes or all(
            permissions.can(
                actor, permissions.Perm.SCOPE_MANAGE, permissions.Target(s.jurisdiction)
            )
            for s in scopes
        ):
            out.append(user)
    return out


def minors_of_guardian(*, guardian: User) -> list[User]:
    """Minors this account is the guardian on record for (who may manage their grants)."""
    from talentport.archives.models import GuardianLink, GuardianLinkStatus
    from talentport.people import permissions
    from talentport.people.models import AccessKind

    if not guardian.is_authenticated:
        return []
    ids = set(
        GuardianLink.objects.filter(
            guardian=guardian, status=GuardianLinkStatus.ACTIVE, file__student__isnull=False
        ).values_list("file__student_id", flat=True)
    )
    ids |= set(
        AccessGrant.objects.filter(
            grantee=guardian,
            kind=AccessKind.GUARDIAN,
            application__isnull=True,
            revoked_at__isnull=True,
        ).values_list("person_id", flat=True)
    )
    people = User.objects.filter(pk__in=ids, is_active=True).order_by("username")
    return [p for p in people if permissions.is_minor(p)]


def archive_guardian_links_given(*, person: User) -> list[Any]:
    """Guardians who follow the person's personnel files (managed on the file's page)."""
    from talentport.archives.models import GuardianLink

    return list(
        GuardianLink.objects.filter(file__student=person)
        .select_related("guardian", "file")
        .order_by("status", "-created_at")
    )
