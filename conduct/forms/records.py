"""Forms of discipline records (S1.D1a–c, S1.D3, S1.D4) and the store's discipline settings; the services name
what is wrong (the forms only parse)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import IdsChoiceField, show_store_options
from org.access import store_ids
from org.models import Department, Store, User

from ..choices import DISCIPLINE_RULES, DisciplineKind, DisciplineSource, DisciplineState
from ..models import ConductSettings

# The phone's camera opens straight away; any image may be chosen on a computer.
PHOTO_WIDGET = forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"})


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        department = obj.department.name if obj.department_id else ""
        name = obj.name or obj.username
        return f"{name} · {department}" if department else name


def kind_choices():
    """Each kind with the rule it breaks, so the rule is shown as the kind is chosen (S1.D1a–c, S1.D3, S1.D4)."""
    return [("", "---------")] + [
        (value, f"{DISCIPLINE_RULES[value]} · {label}") for value, label in DisciplineKind.choices
    ]


class RecordForm(forms.Form):
    """Record an incident on a phone: who, what (the rule follows), when, minutes, what was seen, a photo."""

    person = PersonChoiceField(label=_("Person"), queryset=User.objects.none(), required=False)
    kind = forms.ChoiceField(label=_("What happened"), choices=kind_choices, required=False)
    occurred_at = forms.DateTimeField(
        label=_("When"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    minutes = forms.IntegerField(
        label=_("Minutes"),
        required=False,
        min_value=0,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        help_text=_("Only for a late arrival or an early leave."),
    )
    description = forms.CharField(
        label=_("What was seen"), required=False, widget=forms.Textarea(attrs={"rows": 3, "maxlength": 500})
    )
    photo = forms.FileField(label=_("Photo"), required=False, widget=PHOTO_WIDGET)
    source = forms.ChoiceField(
        choices=[(DisciplineSource.MANUAL, ""), (DisciplineSource.SPOT_CHECK, "")],
        required=False,
        widget=forms.HiddenInput,
    )

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people

    def clean_source(self):
        return self.cleaned_data.get("source") or DisciplineSource.MANUAL


class ReasonForm(forms.Form):
    """A reason: to contest a record, or to dismiss a draft."""

    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2, "maxlength": 500})
    )


class DecideForm(forms.Form):
    """The store manager's decision on a contested record, with its reason."""

    outcome = forms.ChoiceField(
        label=_("Decision"),
        required=False,
        widget=forms.RadioSelect,
        choices=[
            (DisciplineState.UPHELD, _("Uphold the record")),
            (DisciplineState.WITHDRAWN, _("Withdraw the record")),
        ],
    )
    reason = forms.CharField(
        label=_("Reason for the decision"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 500}),
    )


class BulkDraftForm(forms.Form):
    """Confirm or dismiss several drafts at once (dismissing needs one reason for all)."""

    records = IdsChoiceField(queryset=None, required=False)
    action = forms.ChoiceField(choices=[("confirm", ""), ("dismiss", "")])
    reason = forms.CharField(
        label=_("Reason for dismissing"), required=False, widget=forms.TextInput(attrs={"maxlength": 500})
    )

    def __init__(self, *args, drafts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["records"].queryset = drafts


class RecordFilterForm(forms.Form):
    """The record list's filters: a value outside the person's stores is refused like one that does not exist,
    and the list then shows nothing rather than records that were not asked for."""

    store = forms.ModelChoiceField(label=_("Store"), queryset=None, required=False, empty_label=_("All my stores"))
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=None, required=False, empty_label=_("All departments")
    )
    person = forms.ModelChoiceField(label=_("Person"), queryset=None, required=False, empty_label=_("Everyone"))
    kind = forms.ChoiceField(label=_("What happened"), required=False)
    state = forms.ChoiceField(label=_("State"), required=False)
    month = forms.CharField(
        label=_("Month"), required=False, widget=forms.DateInput(attrs={"type": "month"}), max_length=7
    )

    def __init__(self, *args, user, people, **kwargs):
        super().__init__(*args, **kwargs)
        ids = store_ids(user)
        self.fields["kind"].choices = [("", _("Everything")), *DisciplineKind.choices]
        self.fields["state"].choices = [("", _("All states")), *DisciplineState.choices]
        self.fields["store"].queryset = Store.objects.filter(pk__in=ids).order_by("code")
        departments = Department.objects.filter(store_id__in=ids).select_related("store").order_by("store", "name")
        self.fields["department"].queryset = departments
        self.fields["person"].queryset = people
        show_store_options(self, ids, {"department": departments, "person": people})
        self.several_stores = len(ids) > 1
        if not self.several_stores:
            self.fields["store"].widget = forms.HiddenInput()

    def clean_month(self):
        from ..selectors.records import month_bounds

        month = (self.cleaned_data.get("month") or "").strip()
        if month and month_bounds(month) is None:
            raise forms.ValidationError(_("Give the month as YYYY-MM, for example 2026-11."), code="invalid")
        return month

    def selector_filters(self) -> dict:
        data = self.cleaned_data
        return {
            "store": data["store"].pk if data.get("store") else None,
            "department": data["department"].pk if data.get("department") else None,
            "person": data["person"].pk if data.get("person") else None,
            "kind": data.get("kind") or "",
            "state": data.get("state") or "",
            "month": data.get("month") or "",
        }


def _setting(name: str):
    return ConductSettings._meta.get_field(name)


class ConductSettingsForm(forms.Form):
    """A store's discipline settings; the ranges are the model's validators (checked by the service)."""

    contest_days = forms.IntegerField(label=_setting("contest_days").verbose_name)
    late_grace_minutes = forms.IntegerField(
        label=_setting("late_grace_minutes").verbose_name, help_text=_setting("late_grace_minutes").help_text
    )
    early_grace_minutes = forms.IntegerField(label=_setting("early_grace_minutes").verbose_name)
    late_per_month = forms.IntegerField(label=_setting("late_per_month").verbose_name)
    records_per_month = forms.IntegerField(label=_setting("records_per_month").verbose_name)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["inputmode"] = "numeric"
