"""Plates (GA 36-2018), VINs (ISO 3779) and phone numbers: normalisation and rules."""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from core.validators import (
    PROVINCES,
    format_phone,
    mask_phone,
    normalize_landline,
    normalize_mobile,
    normalize_plate,
    normalize_vin,
    vin_check_digit,
)

LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I, O
SERIAL = LETTERS + "0123456789"
VIN_CHARS = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"  # no I, O, Q


def to_fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


ordinary_plates = st.builds(
    lambda p, a, s: p + a + s,
    st.sampled_from(PROVINCES),
    st.sampled_from(LETTERS),
    st.text(alphabet=SERIAL, min_size=5, max_size=5),
)
small_ne_plates = st.builds(
    lambda p, a, k, c, d: p + a + k + c + d,
    st.sampled_from(PROVINCES),
    st.sampled_from(LETTERS),
    st.sampled_from("DF"),
    st.sampled_from(SERIAL),
    st.text(alphabet="0123456789", min_size=4, max_size=4),
)
large_ne_plates = st.builds(
    lambda p, a, d, k: p + a + d + k,
    st.sampled_from(PROVINCES),
    st.sampled_from(LETTERS),
    st.text(alphabet="0123456789", min_size=5, max_size=5),
    st.sampled_from("DF"),
)
special_plates = st.builds(
    lambda p, a, s, e: p + a + s + e,
    st.sampled_from(PROVINCES),
    st.sampled_from(LETTERS),
    st.text(alphabet=SERIAL, min_size=4, max_size=4),
    st.sampled_from("挂学警港澳"),
)
valid_plates = st.one_of(ordinary_plates, small_ne_plates, large_ne_plates, special_plates)


@given(valid_plates, st.booleans(), st.booleans(), st.sampled_from(["", " ", "  ", "·", "-"]))
def test_valid_plates_normalise_to_themselves_whatever_the_typing(plate, lower, fullwidth, sep):
    typed = plate[:2] + sep + plate[2:]
    if lower:
        typed = typed.lower()
    if fullwidth:
        typed = to_fullwidth(typed)
    assert normalize_plate(f" {typed} ") == plate


@given(valid_plates)
def test_normalising_a_plate_is_idempotent(plate):
    once = normalize_plate(plate)
    assert normalize_plate(once) == once


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("京a 12345", "京A12345"),
        ("京Ａ１２３４５", "京A12345"),
        ("粤B·D12345", "粤BD12345"),
        ("沪A12345F", "沪A12345F"),
        ("苏E1234学", "苏E1234学"),
        ("粤Z1234港", "粤Z1234港"),
        ("粤Z1234澳", "粤Z1234澳"),
        ("京A1234警", "京A1234警"),
        ("鲁B1234挂", "鲁B1234挂"),
    ],
)
def test_plate_examples(typed, expected):
    assert normalize_plate(typed) == expected


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("", "required"),
        ("A12345", "plate_province"),
        ("京A1234", "plate_length"),
        ("京AI2345", "plate_io"),
        ("京A12O45", "plate_io"),
        ("京AX12345", "plate_format"),  # 8 characters but not a new-energy pattern
        ("京1A2345", "plate_format"),  # authority must be a letter
        ("京A12345挂", "plate_format"),
    ],
)
def test_invalid_plates_are_refused_with_the_rule(typed, code):
    with pytest.raises(ValidationError) as info:
        normalize_plate(typed)
    assert info.value.code == code


def with_check_digit(body: str) -> str:
    vin = body[:8] + "0" + body[8:]
    return vin[:8] + vin_check_digit(vin) + vin[9:]


valid_vins = st.text(alphabet=VIN_CHARS, min_size=16, max_size=16).map(with_check_digit)


@given(valid_vins, st.booleans())
def test_valid_vins_normalise_and_pass_the_check_digit(vin, lower):
    result = normalize_vin((vin.lower() if lower else vin)[:5] + " " + vin[5:])
    assert result.vin == vin
    assert result.check_digit_ok


@given(valid_vins, st.sampled_from("0123456789X"))
def test_a_changed_check_digit_is_only_a_warning(vin, digit):
    changed = vin[:8] + digit + vin[9:]
    result = normalize_vin(changed)
    assert result.check_digit_ok == (digit == vin[8])


def test_known_vin_check_digit():
    assert vin_check_digit("1M8GDM9AXKP042788") == "X"  # the textbook example
    assert normalize_vin("1M8GDM9AXKP042788").check_digit_ok


@pytest.mark.parametrize(
    ("vin", "code"),
    [
        ("1M8GDM9AXKP04278", "vin_length"),
        ("1M8GDM9AXKP04278O", "vin_ioq"),
        ("IM8GDM9AXKP042788", "vin_ioq"),
        ("QM8GDM9AXKP042788", "vin_ioq"),
        ("1M8GDM9AXKP04278-", "vin_chars"),
    ],
)
def test_bad_vins_are_hard_errors(vin, code):
    with pytest.raises(ValidationError) as info:
        normalize_vin(vin)
    assert info.value.code == code


mobiles = st.builds(
    lambda p, r: p + r,
    st.sampled_from(["138", "139", "150", "186", "199", "177"]),
    st.text(alphabet="0123456789", min_size=8, max_size=8),
)


TYPINGS = [
    lambda m: m,
    lambda m: "+86 " + m,
    lambda m: "86" + m,
    lambda m: f"{m[:3]} {m[3:7]} {m[7:]}",
    lambda m: f"{m[:3]}-{m[3:7]}-{m[7:]}",
]


@given(mobiles, st.sampled_from(TYPINGS), st.booleans())
def test_mobiles_normalise_to_e164_whatever_the_typing(mobile, typing, fullwidth):
    typed = typing(mobile)
    if fullwidth:
        typed = to_fullwidth(typed)
    assert normalize_mobile(typed) == "+86" + mobile
    assert mask_phone("+86" + mobile) == mobile[:3] + "****" + mobile[-4:]


@pytest.mark.parametrize(
    ("typed", "stored", "shown", "masked"),
    [
        ("010-12345678", "+861012345678", "010 1234 5678", "010****5678"),
        ("(0571) 8888 8888", "+8657188888888", "0571 8888 8888", "0571****8888"),
        ("400-812-3123", "+864008123123", "400 812 3123", "400****3123"),
        ("021 8765 4321", "+862187654321", "021 8765 4321", "021****4321"),
    ],
)
def test_landlines_and_400_numbers(typed, stored, shown, masked):
    assert normalize_landline(typed) == stored
    assert format_phone(stored) == shown
    assert mask_phone(stored) == masked


@pytest.mark.parametrize("typed", ["12345", "1381234567", "abc", "010-1234"])
def test_invalid_phones_are_refused(typed):
    with pytest.raises(ValidationError):
        normalize_mobile(typed)


def test_a_landline_is_not_a_mobile_and_back():
    with pytest.raises(ValidationError) as info:
        normalize_mobile("010 1234 5678")
    assert info.value.code == "phone_not_mobile"
    with pytest.raises(ValidationError) as info:
        normalize_landline("13812345678")
    assert info.value.code == "phone_not_landline"
