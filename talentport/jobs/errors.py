"""Error codes of the jobs app; messages are Chinese and shown as they are."""

from __future__ import annotations

from enum import StrEnum


class JobsErrorCode(StrEnum):
    INVALID = "invalid"
    NOT_FOUND = "not_found"
    FORBIDDEN = "forbidden"
    CONFLICT = "conflict"
    ORG_NOT_VERIFIED = "org_not_verified"
    ALREADY_REGISTERED = "already_registered"
    EVENT_NOT_OPEN = "event_not_open"
    INVALID_TRANSITION = "invalid_transition"
    NO_POOL_ENTRY = "no_pool_entry"


STATUS = {
    JobsErrorCode.INVALID: 400,
    JobsErrorCode.NOT_FOUND: 404,
    JobsErrorCode.FORBIDDEN: 403,
    JobsErrorCode.CONFLICT: 409,
    JobsErrorCode.ORG_NOT_VERIFIED: 403,
    JobsErrorCode.ALREADY_REGISTERED: 409,
    JobsErrorCode.EVENT_NOT_OPEN: 409,
    JobsErrorCode.INVALID_TRANSITION: 409,
    JobsErrorCode.NO_POOL_ENTRY: 409,
}


class JobsError(Exception):
    """A request the jobs services refuse: ``code``, the ``field`` at fault, a message."""

    def __init__(self, code: JobsErrorCode, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field

    @property
    def status(self) -> int:
        return STATUS[self.code]
