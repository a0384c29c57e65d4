"""Numbers on the console's pages: masked, formatted in full after a logged reveal (PIPL)."""

from django import template

from core.validators import format_phone, mask_number

register = template.Library()


@register.filter
def number_shown(number: str) -> str:
    return format_phone(number) if number.startswith("+") else number


@register.filter
def number_masked(number: str) -> str:
    return mask_number(number)
