"""Input checks of 一件事 shared by the pages and the API: what a person can type or
tamper with must be a 400 naming the field, never a database error (a key longer than
its column on PostgreSQL, a NUL character, a nested object where text is expected)."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext

from talentport.cases.errors import CaseError, CaseErrorCode

IDEMPOTENCY_KEY_MAX = 80  # Application.idempotency_key
FORM_KEY_MAX = 100
FORM_VALUE_MAX = 2000
FORM_FIELDS_MAX = 200
TEXT_MAX = 5000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_KEY = re.compile(r"[\x21-\x7e]+")  # printable ASCII, no spaces


def _invalid(field: str, message: str) -> CaseError:
    return CaseError(CaseErrorCode.FIELD_INVALID, message, field=field)


def idempotency_key_clean(value: Any, *, field: str = "idempotency_key") -> str | None:
    """None for no key; the key when it is 1..80 printable ASCII characters."""
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not _KEY.fullmatch(value):
        raise _invalid(field, gettext("幂等键只能包含可打印的英文字符（不含空格）"))
    if len(value) > IDEMPOTENCY_KEY_MAX:
        raise _invalid(field, gettext("幂等键最多 %(max)s 个字符") % {"max": IDEMPOTENCY_KEY_MAX})
    return value


def text_clean(value: Any, *, field: str, max_length: int = TEXT_MAX) -> str:
    """Free text typed by a person: a string, without control characters, not too long."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _invalid(field, gettext("应为文本"))
    if _CONTROL.search(value):
        raise _invalid(field, gettext("包含不允许的控制字符"))
    if len(value) > max_length:
        raise _invalid(field, gettext("最多 %(max)s 个字") % {"max": max_length})
    return value


def form_data_clean(data: Mapping[Any, Any] | None) -> dict[str, Any] | None:
    """The one form of an application: flat, text (or plain numbers and yes/no) values."""
    if data is None:
        return None
    if not isinstance(data, Mapping):
        raise _invalid("form_data", gettext("应为对象"))
    if len(data) > FORM_FIELDS_MAX:
        raise _invalid("form_data", gettext("表单字段过多"))
    clean: dict[str, Any] = {}
    for key, value in data.items():
        if not isinstance(key, str) or not key or len(key) > FORM_KEY_MAX or _CONTROL.search(key):
            raise _invalid("form_data", gettext("表单字段名无效"))
        field = "form_data." + key
        if value is None or isinstance(value, bool):
            clean[key] = value
        elif isinstance(value, int | float):
            if (isinstance(value, float) and not math.isfinite(value)) or abs(value) > 10**15:
                raise _invalid(field, gettext("数值无效"))
            clean[key] = value
        else:
            clean[key] = text_clean(value, field=field, max_length=FORM_VALUE_MAX)
    return clean
