"""Template helpers for the page shell: Bootstrap form fields, plates, masked numbers."""

from django import forms, template
from django.template.loader import render_to_string

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
