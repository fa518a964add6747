"""Error codes of the policies app."""

from __future__ import annotations

from enum import StrEnum


class PolicyErrorCode(StrEnum):
    BROKEN_POLICY = "broken_policy"
    CASES_FAILED = "cases_failed"
    NO_CASES = "no_cases"
    INVALID_PROFILE = "invalid_profile"


class PolicyPublishError(Exception):
    """A policy version was refused; the version in force stays in force."""

    def __init__(self, code: PolicyErrorCode, reasons: list[str]) -> None:
        super().__init__("；".join(reasons))
        self.code = code
        self.reasons = reasons
