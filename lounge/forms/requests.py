"""Forms of the customer's table page, the staff request page and the seats page.

The choices come from the one store the page is about, so an id of another store's drink, facility
or seat is simply not a valid choice. The service checks the rest (a drink run out, a note too long).
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from lounge.choices import RequestKind
from lounge.models import Drink, Facility, Seat


def _drinks(store):
    return Drink.objects.filter(store=store, active=True).order_by("position", "name")


def _facilities(store):
    return Facility.objects.filter(store=store, active=True).order_by("name")


class TableRequestForm(forms.Form):
    """What the customer taps on their table's page: one kind, and the drink or facility it needs."""

    kind = forms.ChoiceField(
        label=_("What would you like?"),
        choices=RequestKind.choices,
        error_messages={
            "required": _("Please choose what you would like."),
            "invalid_choice": _("Please choose what you would like."),
        },
    )
    drink = forms.ModelChoiceField(
        label=_("Drink"),
        queryset=Drink.objects.none(),
        required=False,
        error_messages={"invalid_choice": _("Please choose a drink from this menu.")},
    )
    facility = forms.ModelChoiceField(
        label=_("What is broken?"),
        queryset=Facility.objects.none(),
        required=False,
        error_messages={"invalid_choice": _("Please choose one of the items listed.")},
    )
    note = forms.CharField(label=_("Anything else we should know?"), required=False, strip=True)

    def __init__(self, *args, store, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["drink"].queryset = _drinks(store)
        self.fields["facility"].queryset = _facilities(store)


class StaffRequestForm(TableRequestForm):
    """A request entered by staff (a customer asked in person or by phone): the seat is optional."""

    seat = forms.ModelChoiceField(
        label=_("Seat or table"),
        queryset=Seat.objects.none(),
        required=False,
        error_messages={"invalid_choice": _("Choose one of the store's seats.")},
    )
    field_order = ["seat", "kind", "drink", "facility", "note"]

    def __init__(self, *args, store, **kwargs):
        super().__init__(*args, store=store, **kwargs)
        self.fields["kind"].label = _("Asks for")
        self.fields["facility"].label = _("Facility")
        self.fields["note"].label = _("Note")
        self.fields["seat"].queryset = Seat.objects.filter(store=store, active=True).order_by("label")


class SeatForm(forms.Form):
    """A seat's name as printed on its card."""

    label = forms.CharField(label=_("Seat or table"), help_text=_("As printed on the card, e.g. A3."))


class CancelRequestForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)
