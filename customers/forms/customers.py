"""Input forms: they collect text; the services normalise, validate and save it."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.validators import text_max_length
from org.access import Right, stores_for

from ..choices import PreferredContact
from ..models import Customer


class CustomerForm(forms.Form):
    store = forms.ModelChoiceField(label=_("Store"), queryset=None, required=True)
    name = forms.CharField(label=_("Name"), max_length=50, required=False)
    mobile = forms.CharField(
        label=_("Mobile"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "placeholder": "138 1234 5678"}),
    )
    landline = forms.CharField(
        label=_("Landline"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "placeholder": "010 1234 5678"}),
    )
    landline_ext = forms.CharField(
        label=_("Extension"), max_length=8, required=False, widget=forms.TextInput(attrs={"inputmode": "numeric"})
    )
    preferred_contact = forms.ChoiceField(label=_("Preferred contact"), choices=PreferredContact.choices)
    consent_to_contact = forms.BooleanField(label=_("Consents to be contacted"), required=False)
    notes = forms.CharField(
        label=_("Notes"),
        max_length=text_max_length(Customer, "notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, user, with_store=True, **kwargs):
        super().__init__(*args, **kwargs)
        stores = stores_for(user, Right.EDIT)
        self.fields["store"].queryset = stores
        if not with_store:
            del self.fields["store"]
        elif len(stores) == 1:
            self.fields["store"].initial = stores[0]
            self.fields["store"].widget = forms.HiddenInput()

    def service_data(self) -> dict:
        """The customer's fields as customer_create and customer_update take them (the store apart)."""
        return {key: value for key, value in self.cleaned_data.items() if key != "store"}


class VehicleForm(forms.Form):
    plate = forms.CharField(
        label=_("Plate"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "京A12345", "autocapitalize": "characters"}),
    )
    vin = forms.CharField(
        label=_("VIN"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "spellcheck": "false"}),
    )
    vin_check_confirmed = forms.BooleanField(
        label=_("I have checked the VIN on the vehicle: keep it although its check digit is wrong"),
        required=False,
    )
    brand = forms.CharField(label=_("Brand"), max_length=50, required=False)
    model = forms.CharField(label=_("Model"), max_length=50, required=False)
    colour = forms.CharField(label=_("Colour"), max_length=20, required=False)
    purchase_date = forms.CharField(
        label=_("Purchase date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    mileage_km = forms.CharField(
        label=_("Mileage (km)"), required=False, widget=forms.TextInput(attrs={"inputmode": "numeric"})
    )

    def has_input(self) -> bool:
        data = self.data
        return any(
            (data.get(self.add_prefix(name)) or "").strip() for name in ("plate", "vin", "brand", "model", "colour")
        )


class EraseForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the erasure"),
        max_length=200,
        required=False,
        help_text=_("For example: the customer's written request of 2026-11-20."),
    )
    confirm_name = forms.CharField(label=_("Type the customer's name to confirm"), max_length=50, required=False)
