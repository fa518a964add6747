"""Archive errors: a code, the field concerned and a Chinese message."""

from __future__ import annotations

from enum import StrEnum


class ArchiveErrorCode(StrEnum):
    INVALID = "invalid"
    NOT_FOUND = "not_found"
    TRANSITION_NOT_ALLOWED = "transition_not_allowed"
    FORBIDDEN = "forbidden"
    CONFLICT = "conflict"
    UNREADABLE_FILE = "unreadable_file"
    MISSING_COLUMNS = "missing_columns"
    UNSAFE_FILE = "unsafe_file"
    CLAIM_REFUSED = "claim_refused"
    THROTTLED = "throttled"


class ArchiveError(Exception):
    """A refused write, phrased for the person who asked."""

    def __init__(
        self, message: str, *, code: ArchiveErrorCode = ArchiveErrorCode.INVALID, field: str = ""
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field
        self.errors: list[tuple[str, str]] = [(field, message)]

    @classmethod
    def many(cls, errors: list[tuple[str, str]]) -> ArchiveError:
        error = cls("；".join(m for _, m in errors), field=errors[0][0] if errors else "")
        error.errors = errors
        return error


class ImportFileError(ArchiveError):
    """The whole file is refused (unreadable, or required columns missing): nothing imported."""


class ClaimThrottled(ArchiveError):
    """Too many claim attempts for one ID number: ``wait`` seconds before the next."""

    def __init__(self, message: str, *, wait: float) -> None:
        super().__init__(message, code=ArchiveErrorCode.THROTTLED)
        self.wait = wait
