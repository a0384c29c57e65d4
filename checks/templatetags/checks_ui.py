"""Template helpers of the checklist pages."""

from decimal import Decimal

from django import template
from django.urls import NoReverseMatch, reverse

register = template.Library()


@register.simple_tag
def fault_report_url(result) -> str:
    """The page to report a broken facility from a failed round item (S4.11), or "" while it does not exist."""
    try:
        return reverse("lounge:fault_report") + f"?result={result.pk}"
    except NoReverseMatch:
        return ""


@register.filter
def number(value) -> str:
    """A decimal without trailing zeros: 2.00 → 2, 1.50 → 1.5."""
    if value is None or value == "":
        return ""
    if isinstance(value, Decimal):
        text = f"{value.normalize():f}"
        return text
    return str(value)


@register.simple_tag
def limit_text(item) -> str:
    """A measured item's limits as shown on a phone: ≤ 2 个, ≥ 18, 18–26 ℃."""
    unit = item.unit or ""
    low, high = item.min_value, item.max_value
    if low is not None and high is not None:
        return f"{number(low)}–{number(high)} {unit}".strip()
    if high is not None:
        return f"≤ {number(high)} {unit}".strip()
    if low is not None:
        return f"≥ {number(low)} {unit}".strip()
    return ""
