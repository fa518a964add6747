"""SMS adapters. The console backend writes messages to the log; a real gateway
implements the same ``send`` method and is selected with ``SMS_BACKEND``."""

from __future__ import annotations

import logging
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


def get_sms_backend() -> SmsBackend:
    backend: SmsBackend = import_string(settings.SMS_BACKEND)()
    return backend
