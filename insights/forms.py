from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.forms import show_store_options

from .figures.base import DAY, MONTH, WEEK, YEAR


class TelephoneFilterForm(forms.Form):
    """Which figures: store (when the person has several), period, date, department, person."""

    store = forms.TypedChoiceField(label=_("Store"), coerce=int, required=False, empty_value=None)
    period = forms.ChoiceField(
        label=_("Period"),
        choices=[
            (DAY, pgettext_lazy("period", "Day")),
            (WEEK, _("Week")),
            (MONTH, _("Month")),
            (YEAR, pgettext_lazy("period", "Year")),
        ],
    )
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    department = forms.TypedChoiceField(label=_("Department"), coerce=int, required=False, empty_value=None)
    person = forms.TypedChoiceField(label=_("Person"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args, stores, departments, people, **kwargs):
        super().__init__(*args, **kwargs)
        several = len(stores) > 1
        self.fields["store"].choices = [("", _("All my stores"))] + [(s.pk, f"{s.code} {s.name}") for s in stores]
        if not several:
            self.fields["store"].widget = forms.HiddenInput()
        self.fields["department"].choices = [("", _("All departments"))] + [
            (d.pk, f"{d.store.code} {d.name}" if several else d.name) for d in departments
        ]
        self.fields["person"].choices = [("", _("Everyone"))] + [(p.pk, p.name or p.username) for p in people]
        show_store_options(
            self,
            [s.pk for s in stores],
            {"department": [(d.pk, d.store_id) for d in departments], "person": [(p.pk, p.store_id) for p in people]},
        )
        for name, bound in self.fields.items():
            css = "form-control form-control-sm" if name == "date" else "form-select form-select-sm"
            bound.widget.attrs.setdefault("class", css)
