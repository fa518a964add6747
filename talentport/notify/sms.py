"""SMS adapters. The console backend writes messages to the log; a real gateway
implements the same ``send`` method and is selected with ``SMS_BACKEND``:
:class:`HttpSmsBackend` speaks to a provider over HTTP. A backend raises when the
message was not accepted, so that the delivery is retried (talentport.notify.delivery).
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger("talentport.sms")


class SmsBackend(Protocol):
    def send(self, *, phone: str, text: str) -> None: ...


class ConsoleSmsBackend:
    def send(self, *, phone: str, text: str) -> None:
        # the log filter masks the number (talentport.common.logmask)
        logger.info("SMS to %s: %s", phone, text)


class LocmemSmsBackend:
    outbox: list[tuple[str, str]] = []

    def send(self, *, phone: str, text: str) -> None:
        self.outbox.append((phone, text))


class SmsSendError(Exception):
    """The provider did not accept the message (the text says why, never the phone)."""


class HttpSmsBackend:
    """A provider over HTTP: ``POST SMS_HTTP_URL`` with the JSON ``{phone, text, sign}``
    (``sign`` is the registered 短信签名, ``SMS_HTTP_SIGN_NAME``) and
    ``Authorization: Bearer SMS_HTTP_TOKEN``; any answer but 2xx, a timeout
    (``SMS_HTTP_TIMEOUT_SECONDS``) or a refused connection raises :class:`SmsSendError`.
    """

    def __init__(self) -> None:
        self.url = settings.SMS_HTTP_URL
        self.token = settings.SMS_HTTP_TOKEN
        self.sign = settings.SMS_HTTP_SIGN_NAME
        self.timeout = float(settings.SMS_HTTP_TIMEOUT_SECONDS)

    def send(self, *, phone: str, text: str) -> None:
        if not self.url:
            raise SmsSendError("SMS_HTTP_URL 未配置")
        payload = json.dumps({"phone": phone, "text": text, "sign": self.sign}).encode("utf-8")
        request = urllib.request.Request(  # noqa: S310 - the URL is the operator's setting
            self.url,
            data=payload,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Authorization": f"Bearer {self.token}",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                status = response.status
        except urllib.error.HTTPError as exc:
            raise SmsSendError(f"provider answered HTTP {exc.code}") from None
        except TimeoutError:
            raise SmsSendError("provider timed out") from None
        except urllib.error.URLError as exc:
            reason = type(exc.reason).__name__ if not isinstance(exc.reason, str) else "url"
            raise SmsSendError(f"provider unreachable ({reason})") from None
        if not 200 <= status < 300:
            raise SmsSendError(f"provider answered HTTP {status}")
        logger.info("SMS to %s accepted by the provider", phone)  # masked by the log filter


def get_sms_backend() -> SmsBackend:
    backend: SmsBackend = import_string(settings.SMS_BACKEND)()
    return backend
