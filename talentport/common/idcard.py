"""Resident ID card numbers (GB 11643-1999) and Chinese phone numbers.

Pure Python.  Every ``validate_*`` returns the normalised value or raises
:class:`IdentityFormatError` (a ``ValueError``) with a Chinese message and a short
``code`` the API and the archive import can report.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from zoneinfo import ZoneInfo

__all__ = [
    "IdentityFormatError",
    "id_card_birth_date",
    "id_card_check_digit",
    "mask_email",
    "mask_id_card",
    "mask_phone",
    "normalize_phone",
    "validate_cn_mobile",
    "validate_cn_phone",
    "validate_id_card",
]

CHINA_TZ = ZoneInfo("Asia/Shanghai")
_EARLIEST_BIRTH = dt.date(1900, 1, 1)
# ISO 7064 MOD 11-2: weight of position i (1-based from the left, 18 positions) is
# 2^(18-i) mod 11; the check character makes the weighted sum ≡ 1 (mod 11).
_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))
_CHECK_CHARS = "10X98765432"


class IdentityFormatError(ValueError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _clean(value: object) -> str:
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value))  # full-width digits, Ｘ
    return re.sub(r"\s+", "", text)


def id_card_check_digit(first17: str) -> str:
    """The check character (0-9 or X) of the first 17 digits of an ID number."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise IdentityFormatError("format", "身份证号前17位必须是数字")
    total = sum(int(c) * w for c, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def validate_id_card(value: object, *, today: dt.date | None = None) -> str:
    """Validate an 18-digit resident ID number; return it normalised (upper-case X).

    Checks, in order: length, characters, region code, birth date (a real date, not
    before 1900, not after ``today`` in China), check digit.
    """
    number = _clean(value).upper()
    if not number:
        raise IdentityFormatError("required", "身份证号不能为空")
    if len(number) != 18:
        raise IdentityFormatError("length", f"身份证号长度不对：应为18位，实际为{len(number)}位")
    if not (number[:17].isascii() and number[:17].isdigit()) or number[17] not in "0123456789X":
        raise IdentityFormatError("format", "身份证号格式不对：前17位必须是数字，最后一位是数字或X")
    if number[0] == "0":  # province codes run from 11 to 9x (GB/T 2260)
        raise IdentityFormatError("region", "身份证号地址码无效")
    birth = _birth_date(number)
    today = today or dt.datetime.now(tz=CHINA_TZ).date()
    if birth is None or birth < _EARLIEST_BIRTH:
        raise IdentityFormatError("birth_date", "身份证号中的出生日期无效")
    if birth > today:
        raise IdentityFormatError("birth_date", "身份证号中的出生日期无效：晚于今天")
    if id_card_check_digit(number[:17]) != number[17]:
        raise IdentityFormatError("check_digit", "身份证号校验码错误，请核对号码")
    return number


def _birth_date(number: str) -> dt.date | None:
    try:
        return dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def id_card_birth_date(number: str) -> dt.date:
    """Birth date of a valid ID number (validated first)."""
    valid = validate_id_card(number)
    birth = _birth_date(valid)
    assert birth is not None  # validated
    return birth


def _mask_middle(text: str, keep_start: int, keep_end: int) -> str:
    if len(text) <= keep_start + keep_end:
        return "*" * len(text)
    return text[:keep_start] + "*" * (len(text) - keep_start - keep_end) + text[-keep_end:]


def mask_id_card(value: object) -> str:
    """``370202199001011234`` → ``3702**********1234`` (first 4, last 4)."""
    return _mask_middle(_clean(value).upper(), 4, 4)


# --------------------------------------------------------------------------- #
# Phone numbers
# --------------------------------------------------------------------------- #

_MOBILE = re.compile(r"1[3-9]\d{9}")
# Area code: 010 and 02X have three digits, every other one (0[3-9]XX) four; the
# local number has 7 or 8 digits and does not start with 0 or 1.
_LANDLINE = re.compile(r"(?P<area>0(?:10|2\d|[3-9]\d{2}))(?P<number>[2-9]\d{6,7})")
_EXTENSION = re.compile(r"^(?P<main>.+?)(?:(?:转|ext\.?|x|#)(?P<ext>\d{1,6}))?$", re.IGNORECASE)
_SEPARATORS = re.compile(r"[-‐–—.()（）]")


def validate_cn_mobile(value: object) -> str:
    """Validate a mainland phone number; return it normalised.

    - a mobile number, 11 digits starting 13–19 (``+86``/``0086``, spaces and
      hyphens allowed): returned as ``13800138000``;
    - a landline with its area code, e.g. ``0532-66776881``, ``(0532)66776881``,
      ``0532 6677 6881``, optionally with an extension (``转123``, ``-123``,
      ``ext123``): returned as ``0532-66776881`` or ``0532-66776881-123``.
    """
    text = _clean(value)
    if not text:
        raise IdentityFormatError("required", "电话号码不能为空")
    split = _EXTENSION.match(text)
    assert split is not None  # the pattern matches any non-empty text
    main, ext = split["main"], split["ext"]
    groups = [g for g in _SEPARATORS.split(main) if g]
    digits = "".join(groups)
    if ext is None and len(groups) >= 3 and len(groups[-1]) <= 6:
        # 0532-66776881-123: a last group after a complete landline is an extension.
        head = "".join(groups[:-1])
        if _LANDLINE.fullmatch(head) and not _LANDLINE.fullmatch(digits):
            digits, ext = head, groups[-1]
    if ext is None:
        mobile = re.sub(r"^(?:\+86|0086|86)(?=1\d{10}$)", "", digits)
        if _MOBILE.fullmatch(mobile):
            return mobile
    landline = _LANDLINE.fullmatch(digits)
    if landline is not None:
        normalised = f"{landline['area']}-{landline['number']}"
        return f"{normalised}-{ext}" if ext else normalised
    if not re.fullmatch(r"\+?\d+", digits):
        raise IdentityFormatError("phone", "电话号码只能包含数字、区号分隔符和分机号")
    bare = digits.lstrip("+")
    if bare.startswith("1") and ext is None:
        raise IdentityFormatError("phone", "手机号码格式不对：应为11位数字，以13至19开头")
    if not bare.startswith("0"):
        raise IdentityFormatError("phone", "固定电话须带区号，例如 0532-66776881")
    raise IdentityFormatError("phone", "固定电话格式不对：区号后应为7或8位号码，例如 0532-66776881")


#: The same check under a name that says it takes landlines too.
validate_cn_phone = validate_cn_mobile


def mask_phone(value: object) -> str:
    """``13800138000`` → ``138****8000``; ``0532-66776881`` → ``0532-****6881``.

    Anything else keeps its first 3 and last 4 characters.
    """
    text = _clean(value)
    try:
        normalised = validate_cn_mobile(text)
    except IdentityFormatError:
        return _mask_middle(text, 3, 4)
    if _MOBILE.fullmatch(normalised):
        return normalised[:3] + "****" + normalised[-4:]
    area, number, *ext = normalised.split("-")
    return "-".join([area, "*" * (len(number) - 4) + number[-4:], *ext])


def normalize_phone(value: object) -> str:
    """The normalised phone number when ``value`` is one, else the value without spaces.

    For blind indexes over phones nobody validated (a draft form, an old entry): equal
    numbers written differently index the same, and anything else still indexes.
    """
    try:
        return validate_cn_mobile(value)
    except IdentityFormatError:
        return _clean(value)


def mask_email(value: object) -> str:
    """``zhang.san@example.org`` → ``z***@example.org``."""
    text = _clean(value)
    local, at, domain = text.partition("@")
    if not at:
        return text[:1] + "***" if text else ""
    return (local[:1] + "***" if local else "") + "@" + domain
