"""Forms of the lounge board, visits, the drink menu and the lounge settings; the rules live in the services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.validators import PROVINCES, parse_id, plate_clean
from customers.models import Customer, Vehicle
from lounge.models import Drink, LoungeSettings, Seat, Visit
from org.models import Department


def _label(model, name):
    return model._meta.get_field(name).verbose_name


class ArrivalForm(forms.Form):
    """The board's arrival form: a customer found by plate or phone (S4.1), or a walk-in with a name or nothing."""

    q = forms.CharField(
        label=_("plate or phone"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "type": "search"}),
    )
    pick = forms.CharField(required=False, widget=forms.HiddenInput)
    guest_name = forms.CharField(label=_("or walk-in name"), max_length=50, required=False)
    seat = forms.ModelChoiceField(label=_label(Visit, "seat"), queryset=Seat.objects.none(), required=False)
    first_visit = forms.BooleanField(label=_label(Visit, "first_visit"), required=False)
    repair_order = forms.CharField(label=_label(Visit, "repair_order"), max_length=30, required=False)
    service_status = forms.CharField(label=_label(Visit, "service_status"), max_length=100, required=False)

    def __init__(self, *args, store=None, lookup_url: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.store = store
        self.fields["seat"].queryset = Seat.objects.filter(store=store, active=True).order_by("label")
        self.fields["seat"].empty_label = "—"
        self.fields["q"].widget.attrs.update(
            {
                "placeholder": _("e.g. 京A12345 or 138…"),
                "hx-get": lookup_url,
                "hx-trigger": "input changed delay:250ms, search",
                "hx-target": "#arrival-lookup",
                # not the form's outerHTML (inherited): that would replace #arrival-lookup and the next search
                # would find no target (htmx:targetError)
                "hx-swap": "innerHTML",
                "hx-sync": "this:replace",
                "data-testid": "arrival-search",
            }
        )
        for name in ("guest_name", "seat", "first_visit"):
            self.fields[name].widget.attrs["data-testid"] = f"arrival-{name.replace('_', '-')}"

    def clean(self):
        data = super().clean()
        pick = (data.get("pick") or "").strip()
        data["customer"] = data["vehicle"] = None
        if pick:
            kind, pk = pick[:1], pick[1:]
            model = {"v": Vehicle, "c": Customer}.get(kind)
            found = model.objects.filter(pk=parse_id(pk), store=self.store).first() if model and parse_id(pk) else None
            if found is None:
                self.add_error("q", _("Choose the customer from the search results again."))
            else:
                data["vehicle" if kind == "v" else "customer"] = found
        data["plate"] = data["phone"] = ""
        query = (data.get("q") or "").strip()
        if query and not pick:
            compact = "".join(ch for ch in query if ch not in " -()")
            if compact.isdigit():
                data["phone"] = query
            elif plate_clean(query)[:1] in PROVINCES:
                data["plate"] = query
            else:
                self.add_error(
                    "q",
                    _("Type a plate or a phone number and choose the customer found, or enter a walk-in's name."),
                )
        return data

    def service_data(self) -> dict:
        keys = ("customer", "vehicle", "plate", "phone", "guest_name", "seat", "first_visit")
        return {key: self.cleaned_data[key] for key in (*keys, "repair_order", "service_status")}


class VisitUpdateForm(forms.Form):
    seat = forms.ModelChoiceField(label=_label(Visit, "seat"), queryset=Seat.objects.none(), required=False)
    repair_order = forms.CharField(label=_label(Visit, "repair_order"), max_length=30, required=False)
    service_status = forms.CharField(label=_label(Visit, "service_status"), max_length=100, required=False)
    first_visit = forms.BooleanField(label=_label(Visit, "first_visit"), required=False)

    def __init__(self, *args, store=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["seat"].queryset = Seat.objects.filter(store=store, active=True).order_by("label")
        self.fields["seat"].empty_label = "—"


class VisitFilterForm(forms.Form):
    day = forms.DateField(
        label=_("date"), required=False, widget=forms.DateInput(attrs={"type": "date", "class": "form-control"})
    )
    in_lounge = forms.TypedChoiceField(
        label=_("in the lounge"),
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
        choices=[("", "—"), ("1", _("In the lounge")), ("0", _("Left"))],
        coerce=lambda v: v == "1",
        empty_value=None,
    )


class DrinkForm(forms.Form):
    """A drink of the menu: its name, its place in the menu, on the menu or not (managers)."""

    name = forms.CharField(label=_label(Drink, "name"), max_length=50)
    position = forms.IntegerField(label=_label(Drink, "position"), min_value=0, max_value=999, required=False)
    active = forms.BooleanField(label=_label(Drink, "active"), required=False, initial=True)


def _settings_field(name, **kwargs):
    field = LoungeSettings._meta.get_field(name)
    return forms.IntegerField(
        label=field.verbose_name,
        help_text=field.help_text,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        **kwargs,
    )


class LoungeSettingsForm(forms.Form):
    """A store's lounge clocks; the ranges are checked by lounge.services.settings.lounge_settings_update."""

    greet_within_seconds = _settings_field("greet_within_seconds")
    refill_every_minutes = _settings_field("refill_every_minutes")
    help_within_minutes = _settings_field("help_within_minutes")
    fix_within_hours = _settings_field("fix_within_hours")
    requests_per_seat_per_10_minutes = _settings_field("requests_per_seat_per_10_minutes")
    maintenance_department = forms.ModelChoiceField(
        label=_label(LoungeSettings, "maintenance_department"),
        help_text=LoungeSettings._meta.get_field("maintenance_department").help_text,
        queryset=Department.objects.none(),
        required=False,
    )

    def __init__(self, *args, store=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["maintenance_department"].queryset = Department.objects.filter(store=store, active=True).order_by(
            "name"
        )
        self.fields["maintenance_department"].empty_label = "—"
