from django import forms
from django.utils.translation import gettext_lazy as _

from .models import PromiseRule


def _label(name):
    return PromiseRule._meta.get_field(name).verbose_name


class PromiseRuleForm(forms.Form):
    """How one kind of promise is reminded and escalated; promises.services.promise_rule_save checks the values."""

    remind_at_percent = forms.IntegerField(
        label=_label("remind_at_percent"),
        help_text=_("From 1 to 99. The owner is reminded when this share of the promised time has passed."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    escalate_supervisor_after_minutes = forms.IntegerField(
        label=_label("escalate_supervisor_after_minutes"),
        help_text=_("0 tells the owner's supervisor as soon as the promise is overdue."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    escalate_manager_after_minutes = forms.IntegerField(
        label=_label("escalate_manager_after_minutes"),
        help_text=_("More minutes than for the supervisor."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
