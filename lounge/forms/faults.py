"""Forms of the facilities register and the fault tickets (S4.11); the services name what is wrong."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from lounge.choices import FacilityKind
from lounge.models import Facility
from org.access import Right, stores_for
from org.choices import Role
from org.models import User

# The phone's camera opens straight away; any image may be chosen on a computer.
PHOTO_WIDGET = forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"})


class FacilityForm(forms.Form):
    """One facility of the register: its name (unique in the store), kind, where it is, in use or not."""

    store = forms.ModelChoiceField(label=_("Store"), queryset=None)
    name = forms.CharField(label=_("Name"), max_length=50, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=FacilityKind.choices, initial=FacilityKind.OTHER)
    location = forms.CharField(label=_("Where"), max_length=50, required=False)
    active = forms.BooleanField(
        label=_("In use"), required=False, initial=True, help_text=_("Untick to take it out of the register.")
    )

    def __init__(self, *args, user, facility: Facility | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        stores = stores_for(user, Right.MANAGE_STORE)
        self.fields["store"].queryset = stores
        self.only_store = stores[0] if len(stores) == 1 else None
        if facility is not None:
            self.fields["store"].disabled = True
            self.fields["store"].initial = facility.store_id
            self.fields["store"].widget = forms.HiddenInput()
        elif self.only_store is not None:
            self.fields["store"].initial = self.only_store.pk
            self.fields["store"].required = False
            self.fields["store"].widget = forms.HiddenInput()
        if facility is None:
            del self.fields["active"]  # a new facility is in use

    def clean_store(self):
        return self.cleaned_data.get("store") or self.only_store


class FacilityChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} · {obj.location}" if obj.location else obj.name


class FaultReportForm(forms.Form):
    """Report a broken facility: which one, what is wrong, a photo from the phone's camera (S4.11)."""

    facility = FacilityChoiceField(label=_("Facility"), queryset=None, required=False)
    description = forms.CharField(
        label=_("What is wrong"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 300}),
        help_text=_("For example: no hot water, the screen stays black."),
    )
    photo = forms.FileField(label=_("Photo"), required=False, widget=PHOTO_WIDGET)
    result = forms.IntegerField(required=False, widget=forms.HiddenInput)
    source = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        ids = [s.pk for s in stores_for(user, Right.EDIT)]
        self.several_stores = len(ids) > 1
        self.fields["facility"].queryset = (
            Facility.objects.filter(store_id__in=ids, active=True).select_related("store").order_by("store", "name")
        )
        if self.several_stores:
            self.fields["facility"].label_from_instance = lambda f: f"{f.store.name} · {f.name}"


def _colleagues(store_id: int):
    """Active people of the store who may do the work (auditors only look)."""
    return (
        User.objects.filter(Q(store_id=store_id) | Q(extra_stores=store_id), is_active=True)
        .exclude(role=Role.AUDITOR)
        .distinct()
        .order_by("name", "username")
    )


class FaultStartForm(forms.Form):
    """Start the work, optionally giving the ticket to one colleague."""

    assignee = forms.ModelChoiceField(
        label=_("Give it to"),
        queryset=None,
        required=False,
        empty_label=_("Keep the owner"),
        help_text=_("They own the ticket and its clock from now on, and are told at once."),
    )

    def __init__(self, *args, store_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = _colleagues(store_id)


class FaultFixForm(forms.Form):
    note = forms.CharField(
        label=_("What was done"), required=False, widget=forms.Textarea(attrs={"rows": 2, "maxlength": 300})
    )
    photo = forms.FileField(label=_("Photo after the fix"), required=False, widget=PHOTO_WIDGET)


class FaultCloseForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for closing without a fix"),
        required=False,
        widget=forms.TextInput(attrs={"maxlength": 200}),
        help_text=_("For example: reported by mistake, the machine is being replaced."),
    )


class FaultFilterForm(forms.Form):
    """The faults list's filters; a value that makes no sense is ignored, never an error page."""

    state = forms.CharField(required=False)
    facility = forms.CharField(required=False)
    date_from = forms.DateField(required=False)
    date_to = forms.DateField(required=False)

    def filters(self, states) -> dict:
        self.is_valid()  # the fields that are valid are used, the others ignored
        data = self.cleaned_data
        state = data.get("state") or ""
        return {
            "state": state if state in states else "",
            "open_only": state == "active",
            "facility": data.get("facility") or "",
            "date_from": data.get("date_from"),
            "date_to": data.get("date_to"),
        }
