"""Two-factor sign-in for back-office accounts (TOTP through django-otp).

Who must give a code: every back-office account (``permissions.is_back_office``) when
``STAFF_OTP_REQUIRED`` is on (production), and any back-office account that has a
confirmed device whatever the setting.  People (applicants, guardians, employers) are
never asked.  An unconfirmed device (enrolment begun, no valid code given yet) never
counts: it neither verifies a session nor makes the code step compulsory.

Every failed code is an audit event (``auth.otp_failed``); so are enrolment
(``auth.otp_enrolled``), a verified sign-in (``auth.otp_verified``) and an administrator's
reset (``auth.otp_reset``).
"""

from __future__ import annotations

import datetime as dt
from base64 import b32encode
from dataclasses import dataclass
from typing import Any

import django_otp
import qrcode
import qrcode.image.svg
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from talentport.common.clientip import client_ip
from talentport.common.services import audit_event_record
from talentport.people.permissions import is_back_office

DEVICE_NAME = "TOTP"


# --------------------------------------------------------------------------- #
# Reads
# --------------------------------------------------------------------------- #


def otp_confirmed_device(*, user: Any) -> TOTPDevice | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()


def otp_session_verified(request: HttpRequest) -> bool:
    """The session has given a valid code from one of this account's confirmed devices."""
    user = getattr(request, "user", None)
    check = getattr(user, "is_verified", None)
    return bool(callable(check) and check())


def otp_applies(*, user: Any) -> bool:
    """This account is asked for a code at sign-in (whether or not it has a device yet)."""
    if not is_back_office(user):
        return False
    return bool(settings.STAFF_OTP_REQUIRED) or otp_confirmed_device(user=user) is not None


def otp_pending(request: HttpRequest) -> bool:
    """Signed in with a password, but the code step this account owes is not done."""
    user = getattr(request, "user", None)
    return otp_applies(user=user) and not otp_session_verified(request)


def otp_secret_groups(device: TOTPDevice) -> list[str]:
    """The base32 secret in groups of four, for typing into an app by hand."""
    secret = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return [secret[i : i + 4] for i in range(0, len(secret), 4)]


def otp_qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// URI as an inline SVG (a single path: no script, no style attribute)."""
    image = qrcode.make(
        device.config_url,
        image_factory=qrcode.image.svg.SvgPathFillImage,
        box_size=10,
        border=2,
    )
    svg: str = image.to_string(encoding="unicode")
    if svg.startswith("<?xml"):
        svg = svg.split("?>", 1)[1]
    return svg.strip()


@dataclass(frozen=True)
class Throttled:
    seconds: int


def otp_throttled(device: TOTPDevice) -> Throttled | None:
    """When too many wrong codes were given, how long until the next try is accepted."""
    allowed, data = device.verify_is_allowed()
    if allowed:
        return None
    until = (data or {}).get("locked_until")
    seconds = 1
    if isinstance(until, dt.datetime):
        seconds = max(1, int((until - timezone.now()).total_seconds()) + 1)
    return Throttled(seconds=seconds)


# --------------------------------------------------------------------------- #
# Writes
# --------------------------------------------------------------------------- #


def _failed(*, request: HttpRequest, user: Any, purpose: str, throttled: bool) -> None:
    audit_event_record(
        subject=user,
        action="auth.otp_failed",
        actor=user,
        reason=purpose,
        data={"ip": client_ip(request), "purpose": purpose, "throttled": throttled},
    )


def otp_device_for_enrolment(*, user: Any) -> TOTPDevice:
    """The account's unconfirmed device (one, created on first visit, kept until confirmed)."""
    with transaction.atomic():
        pending = list(
            TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("id")
        )
        if pending:
            for extra in pending[1:]:
                extra.delete()
            return pending[0]
        return TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def otp_device_confirm(*, request: HttpRequest, device: TOTPDevice, token: str) -> bool:
    """Confirm an enrolment with a current code; the session then counts as verified."""
    user: Any = request.user
    with transaction.atomic():
        locked = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        if locked.user_id != user.pk or locked.confirmed:
            return False
        throttled = otp_throttled(locked) is not None
        ok = not throttled and locked.verify_token(token)
        if ok:
            locked.confirmed = True
            locked.save(update_fields=["confirmed"])
    if not ok:
        _failed(request=request, user=user, purpose="enrol", throttled=throttled)
        return False
    django_otp.login(request, locked)
    audit_event_record(
        subject=user, action="auth.otp_enrolled", actor=user, data={"ip": client_ip(request)}
    )
    return True


def otp_check(*, request: HttpRequest, device: TOTPDevice, token: str, purpose: str) -> bool:
    """Check a code of a confirmed device (throttled by django-otp); a failure is audited.

    ``purpose`` is ``sign_in`` (the session becomes verified) or ``step_up``.
    """
    user: Any = request.user
    throttled = otp_throttled(device) is not None
    verified = None
    if not throttled:
        verified = django_otp.verify_token(user, device.persistent_id, token)
    if verified is None:
        _failed(request=request, user=user, purpose=purpose, throttled=throttled)
        return False
    if purpose == "sign_in":
        django_otp.login(request, verified)
        audit_event_record(
            subject=user, action="auth.otp_verified", actor=user, data={"ip": client_ip(request)}
        )
    return True


def otp_devices_reset(*, user: Any, actor: Any, reason: str = "") -> int:
    """An administrator removes every device of an account (it must enrol again)."""
    count, _ = TOTPDevice.objects.filter(user=user).delete()
    audit_event_record(
        subject=user,
        action="auth.otp_reset",
        actor=actor,
        reason=reason,
        data={"devices": count},
    )
    return int(count)
