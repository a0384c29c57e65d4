from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.forms import show_store_options
from core.validators import text_max_length
from org.models import Department, User

from .choices import Direction, HungUpFirst, Outcome, Purpose, ScriptKind
from .models import Call, Message, PhoneSettings


class CallForm(forms.Form):
    """The console's compact call form: a common call is logged in a few keystrokes (S2.1, S2.11)."""

    direction = forms.ChoiceField(
        label=_("direction"),
        choices=[(Direction.INBOUND, Direction.INBOUND.label), (Direction.OUTBOUND, Direction.OUTBOUND.label)],
        initial=Direction.INBOUND,
        widget=forms.RadioSelect,
    )
    number = forms.CharField(label=pgettext_lazy("phone number", "number"), max_length=40, required=False)
    purpose = forms.ChoiceField(
        label=_("purpose"), choices=Purpose.choices, initial=Purpose.ENQUIRY, widget=forms.RadioSelect
    )
    outcome = forms.ChoiceField(
        label=_("outcome"),
        choices=[c for c in Outcome.choices if c[0] != Outcome.NO_ANSWER],
        initial=Outcome.HANDLED,
        widget=forms.RadioSelect,
    )
    ring_seconds = forms.FloatField(label=_("ring time (seconds)"), required=False, min_value=0, max_value=600)
    rings = forms.IntegerField(label=_("rings"), required=False, min_value=1, max_value=50)
    hung_up_first = forms.ChoiceField(
        label=_("hung up first"), choices=HungUpFirst.choices, required=False, widget=forms.RadioSelect
    )
    notes = forms.CharField(
        label=_("notes"),
        max_length=text_max_length(Call, "notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    transcript = forms.CharField(
        label=_("transcript"),
        max_length=text_max_length(Call, "transcript"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CallBackForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("outcome"),
        choices=[(Outcome.HANDLED, Outcome.HANDLED.label), (Outcome.NO_ANSWER, Outcome.NO_ANSWER.label)],
        initial=Outcome.HANDLED,
    )
    notes = forms.CharField(label=_("notes"), required=False, max_length=500)


class MessageForm(forms.Form):
    """A message for an absent colleague or a department (S2.3)."""

    recipient = forms.ChoiceField(label=_("for"))
    caller_name = forms.CharField(label=_("caller's name"), max_length=50)
    caller_number = forms.CharField(label=_("caller's number"), max_length=40, required=False)
    text = forms.CharField(
        label=_("message"), max_length=text_max_length(Message, "text"), widget=forms.Textarea(attrs={"rows": 2})
    )
    callback_wanted = forms.BooleanField(label=_("call-back wanted"), required=False)
    callback_by = forms.DateTimeField(
        label=_("call back by"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )

    def __init__(self, *args, store=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.store = store
        people = User.objects.filter(store=store, is_active=True).order_by("name") if store else User.objects.none()
        departments = (
            Department.objects.filter(store=store, active=True).order_by("name") if store else Department.objects.none()
        )
        self.people = {str(p.pk): p for p in people}
        self.departments = {str(d.pk): d for d in departments}
        self.fields["recipient"].choices = [
            ("", "—"),
            (_("People"), [(f"u{pk}", p.name or p.username) for pk, p in self.people.items()]),
            (_("Departments"), [(f"d{pk}", str(d)) for pk, d in self.departments.items()]),
        ]

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        recipient = data.pop("recipient")
        data["for_user"] = self.people.get(recipient[1:]) if recipient.startswith("u") else None
        data["for_department"] = self.departments.get(recipient[1:]) if recipient.startswith("d") else None
        return data


class ScriptForm(forms.Form):
    kind = forms.ChoiceField(choices=ScriptKind.choices)
    text = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class CallFilterForm(forms.Form):
    day = forms.DateField(label=_("date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    person = forms.TypedChoiceField(label=_("answered by"), required=False, coerce=int, empty_value=None)
    missed = forms.BooleanField(label=_("missed"), required=False)

    store = forms.TypedChoiceField(label=_("Store"), coerce=int, required=False, empty_value=None)

    field_order = ["store", "day", "person", "missed"]

    def __init__(self, *args, stores=(), people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.several_stores = len(stores) > 1
        self.fields["store"].choices = [("", _("All my stores")), *[(s.pk, f"{s.code} {s.name}") for s in stores]]
        self.fields["person"].choices = [("", "—"), *[(p.pk, p.name or p.username) for p in people]]
        show_store_options(self, [s.pk for s in stores], {"person": [(p.pk, p.store_id) for p in people]})


def _model_field(name):
    return PhoneSettings._meta.get_field(name)


class PhoneSettingsForm(forms.Form):
    """A store's telephone settings; the ranges are checked by phone.services.phone_settings_update."""

    ring_cycle_seconds = forms.FloatField(
        label=_model_field("ring_cycle_seconds").verbose_name,
        help_text=_model_field("ring_cycle_seconds").help_text,
        widget=forms.NumberInput(attrs={"step": "0.1", "inputmode": "decimal"}),
    )
    max_rings = forms.IntegerField(
        label=_model_field("max_rings").verbose_name,
        help_text=_model_field("max_rings").help_text,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    missed_callback_minutes = forms.IntegerField(
        label=_model_field("missed_callback_minutes").verbose_name,
        help_text=_("S2.10: a missed or cut-off call becomes a call-back promise due in this many business minutes."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
