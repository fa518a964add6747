"""GB 11643-1999 resident ID numbers and Chinese phone numbers."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from hypothesis import given
from hypothesis import strategies as st

from talentport.common.idcard import (
    IdentityFormatError,
    id_card_birth_date,
    id_card_check_digit,
    mask_id_card,
    mask_phone,
    validate_cn_mobile,
    validate_cn_phone,
    validate_id_card,
)

# The example printed in GB 11643-1999 itself (check character X).
STANDARD_EXAMPLE = "11010519491231002X"
# A Qingdao 市南区 (370202) number born 1990-01-01, sequence 123: its check digit,
# computed by hand: Σ digit×weight = 203, 203 mod 11 = 5 → "10X98765432"[5] = "7".
QINGDAO = "370202199001011237"


def test_check_digit_by_hand():
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(c) * w for c, w in zip(QINGDAO[:17], weights, strict=True))
    assert total == 203
    assert "10X98765432"[total % 11] == "7"
    assert id_card_check_digit(QINGDAO[:17]) == "7"
    assert id_card_check_digit(STANDARD_EXAMPLE[:17]) == "X"


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        (QINGDAO, QINGDAO),
        (STANDARD_EXAMPLE, STANDARD_EXAMPLE),
        ("11010519491231002x", STANDARD_EXAMPLE),  # lower-case x
        ("  370202 19900101 1237 ", QINGDAO),  # spaces
        ("３７０２０２１９９００１０１１２３７", QINGDAO),  # full-width digits (Excel)
        ("370202200002290018", None),  # 29 Feb of a leap year
    ],
)
def test_valid_numbers(raw, normalised):
    result = validate_id_card(raw)
    assert result == (normalised or raw)


@pytest.mark.parametrize(
    ("raw", "code", "message"),
    [
        ("", "required", "不能为空"),
        (None, "required", "不能为空"),
        ("37020219900101123", "length", "长度不对"),
        ("3702021990010112371", "length", "长度不对"),
        ("370202900101123", "length", "长度不对"),  # old 15-digit numbers
        ("37020219900101A237", "format", "格式不对"),
        ("37020219900101123Y", "format", "格式不对"),
        ("070202199001011237", "region", "地址码"),
        ("370202199002301231", "birth_date", "出生日期无效"),  # 30 February
        ("370202199013011231", "birth_date", "出生日期无效"),  # month 13
        ("370202189912311231", "birth_date", "出生日期无效"),  # before 1900
        ("370202199001011234", "check_digit", "校验码错误"),
        ("11010519491231002Y", "format", "格式不对"),
        ("110105194912310021", "check_digit", "校验码错误"),
    ],
)
def test_invalid_numbers(raw, code, message):
    with pytest.raises(IdentityFormatError) as info:
        validate_id_card(raw)
    assert info.value.code == code
    assert message in str(info.value)
    assert isinstance(info.value, ValueError)


def test_birth_date_in_the_future_is_refused():
    # given a number born 2026-11-23 with a correct check digit
    first17 = "37020220261123001"
    number = first17 + id_card_check_digit(first17)
    # when today in China is the 22nd, it is refused; on the 23rd it is fine
    with time_machine.travel(dt.datetime(2026, 11, 22, 12, 0, tzinfo=dt.UTC), tick=False):
        with pytest.raises(IdentityFormatError, match="出生日期无效"):
            validate_id_card(number)
    # 16:30 UTC on the 22nd is already the 23rd in Beijing
    with time_machine.travel(dt.datetime(2026, 11, 22, 16, 30, tzinfo=dt.UTC), tick=False):
        assert validate_id_card(number) == number
    assert validate_id_card(number, today=dt.date(2026, 11, 23)) == number


def test_birth_date_of_a_number():
    assert id_card_birth_date(QINGDAO) == dt.date(1990, 1, 1)


@given(
    region=st.from_regex(r"[1-9][0-9]{5}", fullmatch=True),
    birth=st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2020, 12, 31)),
    seq=st.integers(min_value=0, max_value=999),
)
def test_any_number_with_its_check_digit_is_valid_and_one_change_breaks_it(region, birth, seq):
    first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
    number = first17 + id_card_check_digit(first17)
    assert validate_id_card(number) == number
    # ISO 7064 MOD 11-2 catches every single-digit error in the sequence code
    wrong = first17[:16] + str((int(first17[16]) + 1) % 10) + number[17]
    with pytest.raises(IdentityFormatError):
        validate_id_card(wrong)


def test_mask_id_card():
    assert mask_id_card("370202199001011234") == "3702**********1234"
    assert mask_id_card(STANDARD_EXAMPLE.lower()) == "1101**********002X"
    assert mask_id_card("1234") == "****"


# --------------------------------------------------------------------------- #
# Phones
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("13800138000", "13800138000"),
        ("138 0013 8000", "13800138000"),
        ("138-0013-8000", "13800138000"),
        ("+86 138 0013 8000", "13800138000"),
        ("008613800138000", "13800138000"),
        ("19912345678", "19912345678"),
        ("0532-66776881", "0532-66776881"),
        ("053266776881", "0532-66776881"),
        ("(0532)66776881", "0532-66776881"),
        ("（0532）66776881", "0532-66776881"),
        ("0532 6677 6881", "0532-66776881"),
        ("0532-66776881转123", "0532-66776881-123"),
        ("0532-66776881-123", "0532-66776881-123"),
        ("010-62345678", "010-62345678"),
        ("021-52345678", "021-52345678"),
        ("0631-5234567", "0631-5234567"),  # 7-digit local number
    ],
)
def test_valid_phones(raw, normalised):
    assert validate_cn_mobile(raw) == normalised
    assert validate_cn_phone(raw) == normalised


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "不能为空"),
        ("12345678901", "手机号码格式不对"),  # second digit 2
        ("1380013800", "手机号码格式不对"),  # 10 digits
        ("138001380001", "手机号码格式不对"),  # 12 digits
        ("66776881", "须带区号"),
        ("0532-6677", "固定电话格式不对"),
        ("0532-06677688", "固定电话格式不对"),  # local number starting 0
        ("0532-667768812", "固定电话格式不对"),  # 9 digits
        ("tel:13800138000", "只能包含数字"),
        ("138O0138000", "只能包含数字"),  # letter O
    ],
)
def test_invalid_phones(raw, message):
    with pytest.raises(IdentityFormatError, match=message) as info:
        validate_cn_mobile(raw)
    assert info.value.code in {"phone", "required"}


def test_mask_phone():
    assert mask_phone("13800138000") == "138****8000"
    assert mask_phone("+86 138 0013 8000") == "138****8000"
    assert mask_phone("0532-66776881") == "0532-****6881"
    assert mask_phone("0532-66776881转123") == "0532-****6881-123"
    assert mask_phone("12345") == "*****"
