"""Template helpers of the figures pages."""

import phonenumbers
from django import template

from core.validators import mask_phone

register = template.Library()


@register.filter
def masked(number: str) -> str:
    """A phone number masked for lists (PIPL), whatever form the phone system wrote it in."""
    try:
        return mask_phone(number or "")
    except phonenumbers.NumberParseException:  # an unparsable number: show only its last four digits
        return "****" + (number or "")[-4:] if number else ""
