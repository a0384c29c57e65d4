"""Field validators and normalisers shared by every module: plates, VINs, phone numbers.

Each normaliser returns the canonical form or raises ValidationError with a message that
names the rule; forms and the API add the field name.
"""

import re
import unicodedata
from dataclasses import dataclass

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# ---------------------------------------------------------------------------------------------
# Licence plates, GA 36-2018 (机动车号牌)

PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_AUTHORITY = "A-HJ-NP-Z"  # issuing authority letter: any Latin letter but I and O
_SERIAL = "A-HJ-NP-Z0-9"  # serial characters: digits and letters but I and O
_SPECIAL_ENDINGS = "挂学警港澳"

PLATE_PATTERNS = [
    # ordinary plate, 7 characters: 京A12345, 京AB1234
    re.compile(rf"^[{PROVINCES}][{_AUTHORITY}][{_SERIAL}]{{5}}$"),
    # small new-energy plate, 8 characters: D (pure electric) or F (other) first, last four digits
    re.compile(rf"^[{PROVINCES}][{_AUTHORITY}][DF][{_SERIAL}][0-9]{{4}}$"),
    # large new-energy plate, 8 characters: five digits, then D or F
    re.compile(rf"^[{PROVINCES}][{_AUTHORITY}][0-9]{{5}}[DF]$"),
    # trailer, coach, police, Hong Kong and Macau: four serial characters and the ending
    re.compile(rf"^[{PROVINCES}][{_AUTHORITY}][{_SERIAL}]{{4}}[{_SPECIAL_ENDINGS}]$"),
]

_SEPARATORS = re.compile(r"[\s·•・\-_.．]+")


def to_halfwidth(value: str) -> str:
    """Full-width letters, digits and spaces become ordinary ones; Chinese characters stay."""
    return unicodedata.normalize("NFKC", value)


def plate_clean(value: str) -> str:
    """Canonical plate text: half-width, upper case, no spaces or dots (no validation)."""
    return _SEPARATORS.sub("", to_halfwidth(value or "")).upper()


def normalize_plate(value: str) -> str:
    """Return the canonical plate or raise ValidationError (GA 36-2018)."""
    plate = plate_clean(value)
    if not plate:
        raise ValidationError(_("Enter a plate number."), code="required")
    if plate[0] not in PROVINCES:
        raise ValidationError(
            _("A plate starts with a province abbreviation such as 京 or 粤 (GA 36-2018)."),
            code="plate_province",
        )
    if len(plate) not in (7, 8):
        raise ValidationError(
            _("A plate has 7 characters, or 8 for a new-energy vehicle; this one has %(count)d (GA 36-2018)."),
            code="plate_length",
            params={"count": len(plate)},
        )
    if "I" in plate or "O" in plate:
        raise ValidationError(
            _("Plates never use the letters I and O; check for the digits 1 and 0 (GA 36-2018)."),
            code="plate_io",
        )
    if not any(p.match(plate) for p in PLATE_PATTERNS):
        raise ValidationError(
            _(
                "%(plate)s is not a valid plate: expected for example 京A12345, "
                "new-energy 京AD12345 or 京A12345D, or an ending 挂/学/警/港/澳 (GA 36-2018)."
            ),
            code="plate_format",
            params={"plate": plate},
        )
    return plate


# ---------------------------------------------------------------------------------------------
# Vehicle identification numbers, ISO 3779 / GB 16735

_VIN_VALUE = {
    **{str(d): d for d in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9), strict=False)),
    **dict(zip("JKLMN", range(1, 6), strict=False)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=False)),
}
_VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
_VIN_CHARS = re.compile(r"^[A-HJ-NPR-Z0-9]{17}$")


def vin_check_digit(vin: str) -> str:
    """The check digit (position 9) that a 17-character VIN should carry."""
    total = sum(_VIN_VALUE[c] * w for c, w in zip(vin, _VIN_WEIGHTS, strict=False))
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


@dataclass(frozen=True)
class VinResult:
    vin: str
    check_digit_ok: bool
    expected_check_digit: str


def normalize_vin(value: str) -> VinResult:
    """Return the canonical VIN and whether its check digit is right, or raise ValidationError.

    Wrong length and the letters I, O and Q are hard errors; a wrong check digit is a warning
    that the user must confirm.
    """
    vin = re.sub(r"\s+", "", to_halfwidth(value or "")).upper()
    if not vin:
        raise ValidationError(_("Enter a VIN."), code="required")
    if len(vin) != 17:
        raise ValidationError(
            _("A VIN has exactly 17 characters; this one has %(count)d."),
            code="vin_length",
            params={"count": len(vin)},
        )
    bad = sorted({c for c in vin if c in "IOQ"})
    if bad:
        raise ValidationError(
            _("A VIN never contains the letters I, O or Q (found %(letters)s)."),
            code="vin_ioq",
            params={"letters": ", ".join(bad)},
        )
    if not _VIN_CHARS.match(vin):
        raise ValidationError(_("A VIN has only digits and capital Latin letters."), code="vin_chars")
    expected = vin_check_digit(vin)
    return VinResult(vin=vin, check_digit_ok=vin[8] == expected, expected_check_digit=expected)


# ---------------------------------------------------------------------------------------------
# Phone numbers (phonenumbers library, region CN)

MOBILE_TYPES = {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}
LANDLINE_TYPES = {
    phonenumbers.PhoneNumberType.FIXED_LINE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    phonenumbers.PhoneNumberType.SHARED_COST,  # 400 numbers
    phonenumbers.PhoneNumberType.TOLL_FREE,  # 800 numbers
    phonenumbers.PhoneNumberType.UAN,
}


def _parse_phone(value: str) -> phonenumbers.PhoneNumber:
    text = to_halfwidth(value or "").strip()
    if not text:
        raise ValidationError(_("Enter a phone number."), code="required")
    try:
        number = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException:
        raise ValidationError(
            _("%(value)s is not a phone number."), code="phone_parse", params={"value": text}
        ) from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(
            _("%(value)s is not a valid phone number: check the number of digits and the area code."),
            code="phone_invalid",
            params={"value": text},
        )
    return number


def normalize_mobile(value: str) -> str:
    """A mobile number in E.164 form (+8613812345678), or ValidationError."""
    number = _parse_phone(value)
    if phonenumbers.number_type(number) not in MOBILE_TYPES:
        raise ValidationError(
            _("%(value)s is not a mobile number; enter an 11-digit mobile number such as 138 1234 5678."),
            code="phone_not_mobile",
            params={"value": value.strip()},
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize_landline(value: str) -> str:
    """A landline (with area code) or 400/800 number in E.164 form, or ValidationError."""
    number = _parse_phone(value)
    if phonenumbers.number_type(number) not in LANDLINE_TYPES:
        raise ValidationError(
            _(
                "%(value)s is not a landline number; enter it with its area code, "
                "such as 010 1234 5678, or a 400 number."
            ),
            code="phone_not_landline",
            params={"value": value.strip()},
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize_any_phone(value: str) -> str:
    """Any valid Chinese or international number in E.164 form, or ValidationError."""
    number = _parse_phone(value)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def national_digits(e164: str) -> str:
    """Digits as dialled inside China (with the trunk 0 for landlines), for search."""
    if not e164:
        return ""
    number = phonenumbers.parse(e164, None)
    if number.country_code != 86:
        return e164.lstrip("+")
    return re.sub(r"\D", "", phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL))


def format_phone(e164: str) -> str:
    """Shown form: 138 1234 5678, 010 1234 5678, 400 812 3123; international numbers with +."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    fmt = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if number.country_code == 86
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, fmt)


def mask_phone(e164: str) -> str:
    """Masked form for lists (PIPL): 138****5678; landlines keep the area code and last four."""
    if not e164:
        return ""
    digits = national_digits(e164)
    if len(digits) <= 7:
        return digits[:2] + "*" * (len(digits) - 2)
    if digits.startswith("1"):
        return f"{digits[:3]}****{digits[-4:]}"
    # area codes 010 and 02x have three digits with the trunk 0, the others four
    head = 4 if digits.startswith("0") and not digits.startswith(("01", "02")) else 3
    return f"{digits[:head]}****{digits[-4:]}"


def mask_number(number: str) -> str:
    """Any number kept on a record masked (PIPL): E.164 as mask_phone; digits as the phone system gave them
    keep their first three and last four; an extension (six digits or fewer) is shown as it is."""
    if not number:
        return ""
    if number.startswith("+"):
        return mask_phone(number)
    return number if len(number) <= 6 else number[:3] + "****" + number[-4:]


# --- Ids and text limits -------------------------------------------------------------------------

# The largest id a table can hold (BigAutoField: a signed 64-bit integer on SQLite and PostgreSQL).
MAX_ID = 2**63 - 1

# The limit of a long text (notes, a message, a complaint's course of events) in every web form and
# API schema. The models keep these as TextFields without a limit of their own; this is their limit.
LONG_TEXT_MAX_LENGTH = 2000
# A call's transcript is longer: ten minutes of speech.
TRANSCRIPT_MAX_LENGTH = 20000


def text_max_length(model, name: str) -> int:
    """The length limit of a text input: the model field's max_length, else the long-text limit.

    The web forms and the API schemas both take their limits from here, so the two cannot drift.
    """
    field = model._meta.get_field(name)
    if field.max_length:
        return field.max_length
    return TRANSCRIPT_MAX_LENGTH if name == "transcript" else LONG_TEXT_MAX_LENGTH


def text_value(value) -> str:
    """A submitted value as stripped text: '' for None (a field left out)."""
    return "" if value is None else str(value).strip()


def parse_id(value) -> int | None:
    """A record id given in a query string or a form (`?area=12`), or None when it cannot be one.

    Only ASCII digits count ("²" and "١" pass str.isdigit() but are not ids), from 1 to MAX_ID: a
    larger number exists in no table and would overflow the database's integer. The one parser of
    ids in web requests; a None is a filter left out or a 404, never a server error.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        return value if 1 <= value <= MAX_ID else None
    if not isinstance(value, str):
        return None
    value = value.strip()
    if not value or not value.isascii() or not value.isdigit() or len(value) > 19:
        return None
    number = int(value)
    return number if 1 <= number <= MAX_ID else None


_NUMBER_SEPARATORS = re.compile(r"[\s\-()（）.]")


def clean_number(raw: str, *, field: str = "number") -> tuple[str, str]:
    """(stored number, digits for matching): E.164 when it parses, else the bare digits (extensions)."""
    text = to_halfwidth(raw or "").strip()
    if not text:
        return "", ""
    try:
        e164 = normalize_any_phone(text)
    except ValidationError:
        compact = _NUMBER_SEPARATORS.sub("", text)
        if not compact.isdigit() or len(compact) > 20:
            raise ValidationError(
                {
                    field: [
                        ValidationError(
                            _("%(value)s is not a phone number: enter digits only, for example 138 1234 5678 or 8011."),
                            code="phone_digits",
                            params={"value": text},
                        )
                    ]
                }
            ) from None
        return compact, compact
    return e164, national_digits(e164)


def field_error(field: str, message, code: str = "invalid", params: dict | None = None) -> ValidationError:
    """A ValidationError on one field, the shape every service raises and every form and API shows."""
    return ValidationError({field: [ValidationError(message, code=code, params=params)]})


# ---------------------------------------------------------------------------------------------
# WeCom (企业微信) group robot addresses: the only place a store's webhook may point

# The whole address, strictly: https, a plain host name (no user info, no IP tricks), the default
# port, the robot's path and its key as the only parameter.
_ROBOT_URL = re.compile(
    r"https://(?P<host>[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+)"
    r"(?::443)?/cgi-bin/webhook/send\?key=(?P<key>[A-Za-z0-9_-]{1,100})"
)


def webhook_hosts() -> list[str]:
    """The hosts a robot address may name (lower case)."""
    return [h.strip().lower() for h in settings.WEBHOOK_HOSTS if h.strip()]


def webhook_url_allowed(url: str) -> bool:
    """True for a WeCom group robot address at an allowed host; False for anything else."""
    match = _ROBOT_URL.fullmatch(url or "")
    return bool(match) and match["host"].lower() in webhook_hosts()
