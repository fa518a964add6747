"""Sign-ins, failed sign-ins, sign-outs and lockouts in the audit journal.

Receivers of Django's ``user_logged_in`` / ``user_login_failed`` / ``user_logged_out``
and django-axes' ``user_locked_out`` signals (connected in ``CommonConfig.ready``).
Each event carries the client IP (behind ``TRUSTED_PROXY_COUNT`` proxies) and the
user agent, truncated.  A failed attempt names the account tried: the username as
typed, masked when it looks like a phone or ID number (people type those into the
username box), and the account's public id when one exists.
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth import get_user_model
from django.http import HttpRequest

from talentport.common.idcard import mask_id_card, mask_phone
from talentport.common.request_context import client_ip, current_request
from talentport.common.services import audit_event_record

USER_AGENT_MAX = 200
USERNAME_MAX = 150

_ID_LIKE = re.compile(r"\d{15}|\d{17}[\dXx]")
_PHONE_LIKE = re.compile(r"(?:\+?86)?1[3-9]\d{9}")
_DIGITS = re.compile(r"\d{7,}")


class AuthAction:
    LOGIN = "auth.login"
    LOGIN_FAILED = "auth.login_failed"
    LOGOUT = "auth.logout"
    LOCKED_OUT = "auth.locked_out"


def mask_username(value: object) -> str:
    """The attempted username fit for the journal: phone and ID numbers masked."""
    text = str(value or "").strip()[:USERNAME_MAX]
    compact = re.sub(r"[\s-]", "", text)
    if _ID_LIKE.fullmatch(compact):
        return mask_id_card(compact)
    if _PHONE_LIKE.fullmatch(compact):
        return mask_phone(compact)
    # any other long run of digits (a number typed with letters around it)
    return _DIGITS.sub(
        lambda m: m.group(0)[:3] + "*" * (len(m.group(0)) - 5) + m.group(0)[-2:], text
    )


def _request_data(request: HttpRequest | None) -> tuple[str | None, dict[str, Any]]:
    request = request if request is not None else current_request()
    if request is None:
        return None, {}
    agent = str(request.META.get("HTTP_USER_AGENT", ""))[:USER_AGENT_MAX]
    return client_ip(request), {"user_agent": agent, "path": str(request.path)[:200]}


def on_logged_in(
    sender: Any, request: HttpRequest | None = None, user: Any = None, **_: Any
) -> None:
    if user is None or getattr(user, "pk", None) is None:
        return
    ip, data = _request_data(request)
    audit_event_record(subject=user, action=AuthAction.LOGIN, actor=user, data=data, ip=ip)


def on_logged_out(
    sender: Any, request: HttpRequest | None = None, user: Any = None, **_: Any
) -> None:
    if user is None or getattr(user, "pk", None) is None:
        return  # an anonymous visitor "signing out": nothing happened
    ip, data = _request_data(request)
    audit_event_record(subject=user, action=AuthAction.LOGOUT, actor=user, data=data, ip=ip)


def _attempted(username: object) -> tuple[Any, dict[str, Any]]:
    """The account a username names (None if none) and the masked name."""
    user_model = get_user_model()
    name = str(username or "")[:USERNAME_MAX]
    account = user_model._default_manager.filter(**{user_model.USERNAME_FIELD: name}).first()
    return account, {"username": mask_username(name)}


def _record_attempt(action: str, username: object, request: HttpRequest | None) -> None:
    ip, data = _request_data(request)
    account, named = _attempted(username)
    data.update(named)
    if account is not None:
        audit_event_record(subject=account, action=action, data=data, ip=ip)
    else:
        user_model = get_user_model()
        audit_event_record(
            subject_type=user_model._meta.label_lower,
            subject_id="",
            action=action,
            data=data,
            ip=ip,
        )


def on_login_failed(
    sender: Any,
    credentials: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
    **_: Any,
) -> None:
    credentials = credentials or {}
    username = credentials.get(get_user_model().USERNAME_FIELD, credentials.get("username", ""))
    _record_attempt(AuthAction.LOGIN_FAILED, username, request)


def on_locked_out(
    sender: Any, request: HttpRequest | None = None, username: object = "", **_: Any
) -> None:
    _record_attempt(AuthAction.LOCKED_OUT, username, request)


def connect() -> None:
    from axes.signals import user_locked_out
    from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

    user_logged_in.connect(on_logged_in, dispatch_uid="talentport.audit.logged_in")
    user_logged_out.connect(on_logged_out, dispatch_uid="talentport.audit.logged_out")
    user_login_failed.connect(on_login_failed, dispatch_uid="talentport.audit.login_failed")
    user_locked_out.connect(on_locked_out, dispatch_uid="talentport.audit.locked_out")
