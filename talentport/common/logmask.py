"""Personal data never reaches a log: ID numbers, mobile numbers and passport numbers
are masked in every record, its arguments and its exception text.

:class:`MaskPersonalData` is a ``logging.Filter`` installed on every handler of
``settings.LOGGING`` and on gunicorn's error and access logs
(:mod:`talentport.common.gunicorn_logging`).  It rewrites the record in place
(the formatted message, no arguments left, the traceback already formatted and
masked), so every handler that sees the record after it, in any order, gets the
masked text.  :func:`mask_personal_data` is the same masking for any text (message
bodies, SMS); :func:`contains_personal_data` says whether a value looks like an ID
or phone number (the guard refusing them in URLs).

Pure Python: importable by gunicorn's master before Django is set up.
"""

from __future__ import annotations

import logging
import re
from typing import Any

__all__ = ["MaskPersonalData", "contains_personal_data", "mask_personal_data"]

# Digits only count as a boundary: "id370202…" and "q=370202…" are masked too.  A
# percent-escape right before the number (``%20`` from a URL) is a boundary as well.
_BEFORE = r"(?:(?<![0-9])|(?<=%[0-9A-Fa-f]{2}))"
_AFTER = r"(?![0-9])"
_DATE = r"(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])"

#: 18-digit resident ID (GB 11643): region, birth date 18xx-20xx, sequence, check.
_ID18 = (
    _BEFORE + r"(?P<id18>[1-9][0-9]{5}(?:18|19|20)[0-9]{2}" + _DATE + r"[0-9]{3}[0-9Xx])" + _AFTER
)
#: 15-digit ID of the first generation: region, YYMMDD, sequence.
_ID15 = _BEFORE + r"(?P<id15>[1-9][0-9]{5}[0-9]{2}" + _DATE + r"[0-9]{3})" + _AFTER
#: Mainland mobile, optionally +86 / 0086 / 86, spaces, dashes or "+" between groups.
_MOBILE = (
    _BEFORE
    + r"(?P<mobile>(?:(?:\+|%2[Bb]|00)?86[\s\-]*)?1[3-9][0-9](?:[\s\-+]?[0-9]{4}){2})"
    + _AFTER
)
#: Passports and travel permits: E12345678, EA1234567, G/D/S/P + 8 digits, 港澳 C/H/M,
#: 台湾 L/T + 8 digits.
_PASSPORT = (
    r"(?<![A-Za-z0-9])(?P<passport>[CDEGHLMPST][0-9]{8}|[CE][A-HJ-NP-Z][0-9]{7})(?![A-Za-z0-9])"
)

_PATTERN = re.compile("|".join((_ID18, _ID15, _MOBILE, _PASSPORT)))
_UUID = re.compile(r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}")

# Stricter shapes for deciding that a *value* is personal data (no letter or digit
# around it, so hex tokens and hashes never count).
_STRICT_BEFORE = r"(?<![0-9A-Za-z])"
_STRICT_AFTER = r"(?![0-9A-Za-z])"
_STRICT = re.compile(
    "|".join(
        (
            _STRICT_BEFORE
            + r"[1-9][0-9]{5}(?:18|19|20)[0-9]{2}"
            + _DATE
            + r"[0-9]{3}[0-9Xx]"
            + _STRICT_AFTER,
            _STRICT_BEFORE + r"[1-9][0-9]{5}[0-9]{2}" + _DATE + r"[0-9]{3}" + _STRICT_AFTER,
            r"(?<![0-9A-Za-z])(?:(?:\+|00)?86[\s\-]*)?1[3-9][0-9](?:[\s\-]?[0-9]{4}){2}"
            + _STRICT_AFTER,
            _PASSPORT,
        )
    )
)


def _mask_match(match: re.Match[str]) -> str:
    kind = match.lastgroup
    text = match.group(0)
    if kind in ("id18", "id15"):
        return text[:4] + "*" * (len(text) - 8) + text[-4:]
    if kind == "mobile":
        digits = re.sub(r"[^0-9]", "", text)[-11:]
        return digits[:3] + "****" + digits[-4:]
    return text[0] + "*" * (len(text) - 3) + text[-2:]


def _mask_plain(text: str) -> str:
    return _PATTERN.sub(_mask_match, text)


def mask_personal_data(text: str) -> str:
    """``text`` with every ID, mobile and passport number masked (UUIDs left alone)."""
    if not text:
        return text
    out: list[str] = []
    start = 0
    for uuid in _UUID.finditer(text):
        out.append(_mask_plain(text[start : uuid.start()]))
        out.append(uuid.group(0))
        start = uuid.end()
    out.append(_mask_plain(text[start:]))
    return "".join(out)


def contains_personal_data(text: str) -> bool:
    """Whether ``text`` holds something shaped like an ID, mobile or passport number."""
    return bool(text) and _STRICT.search(_UUID.sub(" ", text)) is not None


_EXCEPTION_FORMATTER = logging.Formatter()


def mask_record(record: logging.LogRecord) -> logging.LogRecord:
    """Rewrite ``record`` in place with its message, traceback and stack masked."""
    if getattr(record, "_personal_data_masked", False):
        return record
    try:
        message = record.getMessage()
    except Exception:  # a broken format string: keep both parts, masked
        message = str(record.msg) + " " + repr(record.args)
    record.msg = mask_personal_data(message)
    record.args = ()
    if record.exc_info and not record.exc_text:
        record.exc_text = _EXCEPTION_FORMATTER.formatException(record.exc_info)
    if record.exc_text:
        record.exc_text = mask_personal_data(record.exc_text)
    if record.stack_info:
        record.stack_info = mask_personal_data(record.stack_info)
    record._personal_data_masked = True
    return record


class MaskPersonalData(logging.Filter):
    """Logging filter: mask personal data in the record (never drops a record)."""

    def filter(self, record: logging.LogRecord) -> Any:
        mask_record(record)
        return True
