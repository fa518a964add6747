"""Error codes of the cases app, answered as ``{"errors": [{"field", "code", "message"}]}``."""

from __future__ import annotations

import enum


class CaseErrorCode(enum.StrEnum):
    NOT_FOUND = "not_found"
    FORBIDDEN = "forbidden"
    CONFLICT = "version_conflict"
    TRANSITION_NOT_ALLOWED = "transition_not_allowed"
    BUNDLE_INACTIVE = "bundle_inactive"
    STAGE_UNKNOWN = "stage_unknown"
    ITEMS_EMPTY = "items_empty"
    ITEM_UNKNOWN = "item_unknown"
    FIELD_REQUIRED = "field_required"
    FIELD_INVALID = "invalid"
    MATERIAL_MISSING = "material_missing"
    MATERIAL_UNKNOWN = "material_unknown"
    FILE_TYPE = "file_type_not_allowed"
    FILE_TOO_LARGE = "file_too_large"
    FILE_EMPTY = "file_empty"
    FILE_TYPE_MISMATCH = "file_type_mismatch"
    FILE_UNSAFE = "file_unsafe"
    FILE_INTEGRITY = "file_integrity"
    NOT_DRAFT = "not_draft"
    REASON_REQUIRED = "reason_required"
    RESULT_REQUIRED = "result_required"
    CORRECTION_EMPTY = "correction_empty"
    NO_OPEN_CORRECTION = "no_open_correction"
    NOT_CLOSED = "application_not_closed"
    ALREADY_RATED = "already_rated"
    RATING_LEVEL = "rating_level_invalid"
    CONSENT_MISSING = "consent_missing"
    PERSON_UNKNOWN = "person_unknown"
    NOT_EMPLOYER_BUNDLE = "bundle_not_for_employer"


STATUS = {
    CaseErrorCode.NOT_FOUND: 404,
    CaseErrorCode.FORBIDDEN: 403,
    CaseErrorCode.CONFLICT: 409,
    CaseErrorCode.TRANSITION_NOT_ALLOWED: 409,
    CaseErrorCode.ALREADY_RATED: 409,
    CaseErrorCode.FILE_INTEGRITY: 409,
}


class CaseError(Exception):
    """A refusal of a cases service, with a Chinese message for the person."""

    def __init__(self, code: CaseErrorCode, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field

    @property
    def status(self) -> int:
        return STATUS.get(self.code, 400)

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "code": str(self.code), "message": self.message}
