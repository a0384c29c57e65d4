"""Forms of the checklist pages; every write still goes through checks.services, which validates."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from core.standards import STANDARDS
from org.access import Right, stores_for
from org.choices import Role
from org.models import Department, User

from .choices import ItemKind, Purpose, Schedule
from .models import ChecklistTemplate, CheckSettings
from .services.rounds import Answer

PHOTO_WIDGET_ATTRS = {"accept": "image/*", "capture": "environment"}


def rule_choices_grouped():
    """The standards' rules grouped by standard, for a manager picking the rule an item checks."""
    return [("", "—")] + [
        (f"{s.number}. {s.title}", [(r.id, f"{r.id} — {r.title}") for r in s.rules]) for s in STANDARDS
    ]


class TemplateForm(forms.Form):
    store = forms.ModelChoiceField(label=_("Store"), queryset=None)
    name = forms.CharField(label=_("Name"), max_length=100)
    purpose = forms.ChoiceField(label=_("Purpose"), choices=Purpose.choices, initial=Purpose.LOUNGE_HYGIENE)
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    active = forms.BooleanField(label=_("In use"), required=False, initial=True)

    def __init__(self, *args, user, template: ChecklistTemplate | None = None, **kwargs):
        if template is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": template.name,
                    "purpose": template.purpose,
                    "description": template.description,
                    "active": template.active,
                },
            )
        super().__init__(*args, **kwargs)
        stores = stores_for(user, Right.MANAGE_STORE)
        if template is not None or stores.count() <= 1:
            del self.fields["store"]
            self.store = template.store if template is not None else stores.first()
        else:
            self.fields["store"].queryset = stores
            self.store = None

    def chosen_store(self):
        return self.cleaned_data.get("store") or self.store

    def service_data(self) -> dict:
        """The template's fields as templates.template_create and template_update take them."""
        return {name: self.cleaned_data[name] for name in ("name", "purpose", "description", "active")}


class ItemForm(forms.Form):
    text = forms.CharField(label=_("What to check"), max_length=200)
    rule_id = forms.ChoiceField(label=_("Rule"), choices=rule_choices_grouped)
    kind = forms.ChoiceField(label=_("Answered as"), choices=ItemKind.choices, initial=ItemKind.PASS_FAIL)
    min_value = forms.DecimalField(label=_("At least"), max_digits=8, decimal_places=2, required=False)
    max_value = forms.DecimalField(label=_("At most"), max_digits=8, decimal_places=2, required=False)
    unit = forms.CharField(label=_("Unit"), max_length=20, required=False)
    photo_on_fail = forms.BooleanField(label=_("Photo required when failed"), required=False, initial=True)

    def __init__(self, *args, item=None, **kwargs):
        if item is not None:
            kwargs.setdefault(
                "initial",
                {
                    "text": item.text,
                    "rule_id": item.rule_id,
                    "kind": item.kind,
                    "min_value": item.min_value,
                    "max_value": item.max_value,
                    "unit": item.unit,
                    "photo_on_fail": item.photo_on_fail,
                },
            )
        super().__init__(*args, **kwargs)

    def service_data(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.fields}


class AreaForm(forms.Form):
    store = forms.ModelChoiceField(label=_("Store"), queryset=None)
    name = forms.CharField(label=_("Name"), max_length=100)
    template = forms.ModelChoiceField(label=_("Checklist template"), queryset=None)
    department = forms.ModelChoiceField(
        label=_("Done by (department)"),
        queryset=None,
        help_text=_("The department whose desk owns the rounds of this area."),
    )
    schedule = forms.ChoiceField(label=_("Schedule"), choices=Schedule.choices, initial=Schedule.EVERY, required=False)
    checks_people = forms.BooleanField(
        label=_("Checks each person"),
        required=False,
        help_text=_("Each person of the department on duty that day is checked (grooming, desk), not the place."),
    )
    every_minutes = forms.IntegerField(
        label=_("A round every (minutes)"),
        min_value=15,
        max_value=24 * 60,
        initial=60,
        required=False,
        help_text=_("Rounds are scheduled in business hours only, from opening time."),
    )
    due_within_minutes = forms.IntegerField(
        label=_("To be done within (minutes)"), min_value=5, max_value=24 * 60, initial=30
    )
    active = forms.BooleanField(label=_("Scheduled"), required=False, initial=True)

    def __init__(self, *args, user, area=None, **kwargs):
        if area is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": area.name,
                    "template": area.template_id,
                    "department": area.department_id,
                    "schedule": area.schedule,
                    "checks_people": area.checks_people,
                    "every_minutes": area.every_minutes,
                    "due_within_minutes": area.due_within_minutes,
                    "active": area.active,
                },
            )
        super().__init__(*args, **kwargs)
        stores = stores_for(user, Right.MANAGE_STORE)
        if area is not None:
            store_filter = {"store": area.store}
        else:
            store_filter = {"store__in": stores}
        self.fields["template"].queryset = ChecklistTemplate.objects.filter(**store_filter).order_by("store", "name")
        self.fields["department"].queryset = Department.objects.filter(active=True, **store_filter).order_by(
            "store", "name"
        )
        several = area is None and stores.count() > 1
        if several:
            self.fields["store"].queryset = stores
            self.fields["template"].label_from_instance = lambda t: f"{t.store.code} · {t.name}"
            self.fields["department"].label_from_instance = lambda d: f"{d.store.code} · {d.name}"
            self.store = None
        else:
            del self.fields["store"]
            self.store = area.store if area is not None else stores.first()

    def chosen_store(self):
        return self.cleaned_data.get("store") or self.store

    def service_data(self) -> dict:
        return {
            name: self.cleaned_data.get(name)
            for name in (
                "name",
                "template",
                "department",
                "schedule",
                "checks_people",
                "every_minutes",
                "due_within_minutes",
                "active",
            )
        }


class RoundForm(forms.Form):
    """A round on a phone: for each item pass/fail or a value, a comment, a photo (the camera)."""

    action_owner = forms.ModelChoiceField(
        label=_("Failed items are put right by"),
        queryset=None,
        required=False,
        empty_label=_("The area's department desk"),
        widget=forms.Select(attrs={"class": "form-select", "data-testid": "action-owner"}),
    )

    def __init__(self, *args, round, results, **kwargs):
        super().__init__(*args, **kwargs)
        self.round = round
        self.results = results
        self.fields["action_owner"].queryset = User.objects.filter(
            store_id=round.store_id, is_active=True, role__in=[Role.STORE_MANAGER, Role.SUPERVISOR, Role.STAFF]
        ).order_by("name")
        for result in results:
            pk = result.pk
            if result.kind == ItemKind.MEASURED:
                self.fields[f"value_{pk}"] = forms.DecimalField(
                    label=result.text, max_digits=8, decimal_places=2, required=False
                )
            else:
                self.fields[f"passed_{pk}"] = forms.TypedChoiceField(
                    label=result.text,
                    choices=[("1", _("Pass")), ("0", _("Fail"))],
                    coerce=lambda v: v == "1",
                    empty_value=None,
                    required=False,
                    widget=forms.RadioSelect,
                )
            self.fields[f"comment_{pk}"] = forms.CharField(label=_("Comment"), max_length=300, required=False)
            self.fields[f"photo_{pk}"] = forms.FileField(
                label=_("Photo"), required=False, widget=forms.FileInput(attrs=PHOTO_WIDGET_ATTRS)
            )

    def answers(self) -> dict[int, Answer]:
        data = self.cleaned_data
        out = {}
        for result in self.results:
            pk = result.pk
            out[pk] = Answer(
                passed=data.get(f"passed_{pk}"),
                value=data.get(f"value_{pk}"),
                comment=data.get(f"comment_{pk}", ""),
                photo=data.get(f"photo_{pk}"),
            )
        return out

    def add_service_errors(self, exc: ValidationError) -> None:
        """The service names an item's problem "results.<id>.<field>": shown on that item's field."""
        names = {"passed": "passed", "value": "value", "comment": "comment", "photo": "photo"}
        groups = exc.error_dict.items() if hasattr(exc, "error_dict") else [(None, exc.error_list)]
        for key, errors in groups:
            target = None
            if key and key.startswith("results."):
                _prefix, pk, name = (key.split(".") + ["", ""])[:3]
                candidate = f"{names.get(name, name)}_{pk}"
                target = candidate if candidate in self.fields else None
            elif key in self.fields:
                target = key
            for error in errors:
                self.add_error(target, error)

    def rows(self):
        """Each item with its bound fields, in the round's order, for the page."""
        for result in self.results:
            pk = result.pk
            passed = self[f"passed_{pk}"] if f"passed_{pk}" in self.fields else None
            value = self[f"value_{pk}"] if f"value_{pk}" in self.fields else None
            comment, photo = self[f"comment_{pk}"], self[f"photo_{pk}"]
            errors = [*(passed.errors if passed else []), *(value.errors if value else []), *comment.errors]
            yield {
                "result": result,
                "passed": passed,
                "value": value,
                "comment": comment,
                "photo": photo,
                "errors": errors,
                "photo_errors": photo.errors,
                "chosen": None if passed is None else passed.value(),
            }


class ActionCloseForm(forms.Form):
    note = forms.CharField(
        label=_("What was done"), max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    photo = forms.FileField(
        label=_("Photo after (optional)"), required=False, widget=forms.FileInput(attrs=PHOTO_WIDGET_ATTRS)
    )


class SubjectForm(RoundForm):
    """One person's items in a round of people (S6.1–S6.4, S1.D3): pass or fail each, a note or a photo for a fail."""

    def __init__(self, *args, round, results, **kwargs):
        super().__init__(*args, round=round, results=results, **kwargs)
        del self.fields["action_owner"]
        for result in results:
            self.fields[f"comment_{result.pk}"].label = _("Note")


class AbsentForm(forms.Form):
    reason = forms.CharField(label=_("Why not checked"), max_length=100, required=False)


class AddPersonForm(forms.Form):
    person = forms.ModelChoiceField(label=_("Add a person on duty"), queryset=None)

    def __init__(self, *args, round, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = (
            User.objects.filter(
                store_id=round.store_id,
                is_active=True,
                role__in=[Role.STORE_MANAGER, Role.SUPERVISOR, Role.STAFF],
            )
            .exclude(round_subjects__round=round, round_subjects__absent=False)
            .order_by("name")
        )
        self.fields["person"].widget.attrs.update({"class": "form-select", "data-testid": "add-person"})


class ConfirmForm(forms.Form):
    note = forms.CharField(label=_("Note (optional)"), max_length=300, required=False)
    photo = forms.FileField(
        label=_("Second photo (optional)"), required=False, widget=forms.FileInput(attrs=PHOTO_WIDGET_ATTRS)
    )


class CheckSettingsForm(forms.Form):
    correction_minutes = forms.IntegerField(
        label=capfirst(CheckSettings._meta.get_field("correction_minutes").verbose_name)
    )
    repeat_failures = forms.IntegerField(
        label=capfirst(CheckSettings._meta.get_field("repeat_failures").verbose_name),
        help_text=CheckSettings._meta.get_field("repeat_failures").help_text,
    )
    repeat_window_days = forms.IntegerField(
        label=capfirst(CheckSettings._meta.get_field("repeat_window_days").verbose_name)
    )
    photo_retention_days = forms.IntegerField(
        label=capfirst(CheckSettings._meta.get_field("photo_retention_days").verbose_name),
        help_text=CheckSettings._meta.get_field("photo_retention_days").help_text,
    )

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.fields}
