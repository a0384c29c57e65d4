"""Template helpers for the page shell: Bootstrap form fields, plates, masked numbers, durations."""

from datetime import timedelta

from django import forms, template
from django.template.loader import render_to_string
from django.utils.translation import ngettext, pgettext

register = template.Library()


@register.simple_tag
def field(bound_field, **attrs):
    """One form field with its label, help text and errors, in Bootstrap's markup."""
    if not hasattr(bound_field, "field"):  # a field this form does not have
        return ""
    widget = bound_field.field.widget
    if isinstance(widget, forms.HiddenInput):
        return str(bound_field)
    css = (
        "form-check-input"
        if isinstance(widget, forms.CheckboxInput)
        else ("form-select" if isinstance(widget, (forms.Select, forms.SelectMultiple)) else "form-control")
    )
    if bound_field.errors:
        css += " is-invalid"
    existing = widget.attrs.get("class", "")
    # required=True marks a field the service requires (the form leaves the message to it): starred too
    starred = bool(bound_field.field.required or attrs.get("required"))
    if starred:
        attrs = {"aria-required": "true", **attrs}
    rendered = bound_field.as_widget(attrs={"class": f"{existing} {css}".strip(), **attrs})
    return render_to_string(
        "core/partials/field.html",
        {
            "field": bound_field,
            "widget_html": rendered,
            "is_checkbox": isinstance(widget, forms.CheckboxInput),
            "starred": starred,
        },
    )


@register.filter
def plate_class(plate: str) -> str:
    return "plate ne" if plate and len(plate) == 8 else "plate"


_UNIT_MINUTES = {"seconds": 1 / 60, "minutes": 1, "hours": 60}


def format_duration(value, unit: str = "minutes") -> str:
    """A duration as people say it: "35 分钟", "2 小时 5 分钟", "1 天 11 小时" (never "2130.1 min").

    `value` is a timedelta or a number of `unit` (seconds, minutes or hours); the two largest units
    are shown, each with its plural form. Under a minute it reads in seconds. None reads "—".
    """
    if value is None or value == "":
        return "—"
    if isinstance(value, timedelta):
        seconds = value.total_seconds()
    else:
        seconds = float(value) * _UNIT_MINUTES[unit] * 60
    seconds = abs(seconds)
    if seconds < 59.5:
        whole = round(seconds)
        return ngettext("%(count)d second", "%(count)d seconds", whole) % {"count": whole}
    minutes = round(seconds / 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = []
    if days:
        parts.append(ngettext("%(count)d day", "%(count)d days", days) % {"count": days})
    if hours and len(parts) < 2:
        parts.append(ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours})
    if minutes and not days:
        parts.append(ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes})
    if len(parts) == 1:
        return parts[0]
    return pgettext("duration: a larger unit then a smaller one", "%(larger)s %(smaller)s") % {
        "larger": parts[0],
        "smaller": parts[1],
    }


@register.filter
def duration(value, unit: str = "minutes") -> str:
    """`{{ minutes|duration }}`, `{{ hours|duration:"hours" }}`, `{{ a_timedelta|duration }}`: see format_duration."""
    return format_duration(value, unit)
