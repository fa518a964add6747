"""Linking an account to the talent database: a person the bureau imported who later
signs up is the same person, not a duplicate (issue 9 §2).

Sign-up asks for no phone number, and no account has a verified one, so the link is
made at the point a phone *is* verified: the account holder asks for a code
(:func:`phone_verification_send`, an SMS to the number), and entering it
(:func:`phone_verification_confirm`) proves they hold the number. Then
:func:`talent_profile_link` looks the number up in the imported profiles through their
blind index (no decryption):

- the account has no profile yet: it takes over the imported one (``user`` set; source,
  key and contact stay, so a later import of that source finds the row and leaves what
  the person now says alone);
- it has one already, or several imported rows carry the number: the account keeps its
  profile and each other row gets a :class:`~talentport.people.models.TalentProfileLink`,
  so nothing is lost.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils.translation import gettext

from talentport.common.crypto import blind_index_filter
from talentport.common.idcard import IdentityFormatError
from talentport.common.services import audit_event_record
from talentport.people.models import TalentProfile, TalentProfileLink
from talentport.people.talent_import import mobile_check

CODE_TTL = 600  # seconds a code stays valid
MAX_ATTEMPTS = 5  # wrong codes before a new one must be asked for
MAX_SENDS_PER_HOUR = 5


class PhoneVerificationError(Exception):
    def __init__(self, message: str, *, field: str = "code") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass
class LinkResult:
    taken_over: TalentProfile | None = None
    linked: list[TalentProfile] = field(default_factory=list)


def _key(user: Any, kind: str) -> str:
    return f"people:phone-verify:{kind}:{user.pk}"


def _code_hash(user: Any, phone: str, code: str) -> str:
    message = f"{user.pk}:{phone}:{code}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def phone_verification_send(*, user: Any, phone: str) -> str:
    """Send a 6-digit code to ``phone`` (a mainland mobile); returns it normalised. The
    SMS goes through the outbox (recorded, its text encrypted, rate-limited and retried,
    sent after commit, at night too: the person is waiting for it)."""
    from talentport.notify.delivery import delivery_to_phone_queue

    try:
        number = mobile_check(phone)
    except IdentityFormatError as exc:
        raise PhoneVerificationError(exc.message, field="phone") from exc
    sends_key = _key(user, "sends")
    sends = cache.get(sends_key, 0)
    if sends >= MAX_SENDS_PER_HOUR:
        raise PhoneVerificationError(gettext("验证码发送过于频繁，请一小时后再试"), field="phone")
    cache.set(sends_key, sends + 1, 3600)
    code = f"{secrets.randbelow(10**6):06d}"
    cache.set(
        _key(user, "code"),
        {"phone": number, "hash": _code_hash(user, number, code), "tries": 0},
        CODE_TTL,
    )
    text = f"【青岛人才服务】您的手机号验证码为 {code}，{CODE_TTL // 60} 分钟内有效。如非本人操作请忽略。"
    delivery_to_phone_queue(
        phone=number,
        title=gettext("手机号验证码"),
        dedupe_key=f"people:phone-code:{user.uuid}:{secrets.token_hex(8)}",
        secret_text=text,
        quiet_exempt=True,
    )
    return number


def phone_verification_confirm(*, user: Any, phone: str, code: str) -> LinkResult:
    """Check the code; on success link the account to the imported profiles of the number."""
    try:
        number = mobile_check(phone)
    except IdentityFormatError as exc:
        raise PhoneVerificationError(exc.message, field="phone") from exc
    key = _key(user, "code")
    pending = cache.get(key)
    if not pending or pending["phone"] != number:
        raise PhoneVerificationError(gettext("验证码已过期或未发送，请重新获取"))
    given = "".join(str(code or "").split())
    if not hmac.compare_digest(pending["hash"], _code_hash(user, number, given)):
        pending["tries"] += 1
        if pending["tries"] >= MAX_ATTEMPTS:
            cache.delete(key)
            raise PhoneVerificationError(gettext("验证码错误次数过多，请重新获取"))
        cache.set(key, pending, CODE_TTL)
        raise PhoneVerificationError(gettext("验证码不正确"))
    cache.delete(key)
    audit_event_record(subject=user, action="user.phone_verified", actor=user)
    return talent_profile_link(user=user, phone=number)


@transaction.atomic
def talent_profile_link(*, user: Any, phone: str) -> LinkResult:
    """Tie ``user`` (who proved they hold ``phone``) to the imported profiles of that number."""
    result = LinkResult()
    found = list(
        TalentProfile.objects.select_for_update()
        .filter(blind_index_filter(TalentProfile, "contact_phone_index", phone))
        .exclude(source="")
        .filter(user__isnull=True)
        .order_by("-updated_at", "-id")
    )
    if not found:
        return result
    has_own = TalentProfile.objects.filter(user=user).exists()
    if not has_own:
        first = found.pop(0)
        first.user = user
        first.save(update_fields=["user", "updated_at"])
        result.taken_over = first
    for profile in found:
        TalentProfileLink.objects.get_or_create(user=user, profile=profile)
        result.linked.append(profile)
    audit_event_record(
        subject=user,
        action="people.talent_profile_linked",
        actor=user,
        data={"taken_over": result.taken_over is not None, "linked": len(result.linked)},
    )
    return result
