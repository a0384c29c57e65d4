"""Input forms of the organisation pages: they collect input; the services check and save it."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.forms import IdsChoiceField

from .access import Right, has_right, store_ids, stores_for
from .choices import DepartmentKind, Gender, Role, RosterKind, Weekday
from .models import DealerGroup, Department, Store, User
from .selectors import assignable_roles
from .services.roster import DEFAULT, parse_month

TIME_WIDGET = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class StoreForm(forms.Form):
    group = forms.ModelChoiceField(label=_("Dealer group"), queryset=DealerGroup.objects.order_by("name"))
    code = forms.CharField(
        label=_("Store code"),
        max_length=10,
        help_text=_("For example S001: capital letters, digits or hyphens."),
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "spellcheck": "false"}),
    )
    name = forms.CharField(label=_("Name"), max_length=100)
    brand = forms.CharField(label=_("Brand"), max_length=50)
    city = forms.CharField(label=_("City"), max_length=50)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    phone = forms.CharField(
        label=_("Phone"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "placeholder": "010 6789 1234"}),
    )
    active = forms.BooleanField(
        label=_("Active"), required=False, help_text=_("A closed store keeps its records but is not offered in forms.")
    )
    open_on_public_holidays = forms.BooleanField(
        label=_("Open on statutory holidays"),
        required=False,
        help_text=_("Promise clocks run on statutory holidays only if the store is open then."),
    )
    wecom_webhook_url = forms.CharField(
        label=_("WeCom group robot webhook"),
        max_length=300,
        required=False,
        help_text=_("Reminders and escalations are also posted to this WeCom (企业微信) group robot."),
        widget=forms.URLInput(attrs={"spellcheck": "false"}),
    )

    def __init__(self, *args, user, store: Store | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if store is not None or user.group_id:
            del self.fields["group"]
        if store is None:
            del self.fields["active"]
        elif not has_right(user, Right.MANAGE_GROUP):
            # a store's code and whether it is open are the group's to decide
            self.fields["code"].disabled = True
            self.fields["active"].disabled = True

    def service_data(self) -> dict:
        """The store's fields as store_create and store_update take them (the group apart)."""
        return {key: value for key, value in self.cleaned_data.items() if key != "group"}


class BusinessHoursForm(forms.Form):
    """One form for the seven weekdays: closed, or opening and closing time."""

    def __init__(self, *args, store: Store, **kwargs):
        super().__init__(*args, **kwargs)
        current = {h.weekday: h for h in store.business_hours.all()}
        self.days = []
        for day in Weekday:
            row = current.get(day.value)
            self.fields[f"closed_{day.value}"] = forms.BooleanField(
                label=_("Closed"), required=False, initial=bool(row and row.closed)
            )
            self.fields[f"opens_{day.value}"] = forms.TimeField(
                label=_("Opens"), required=False, widget=TIME_WIDGET, initial=row.opens if row else None
            )
            self.fields[f"closes_{day.value}"] = forms.TimeField(
                label=_("Closes"), required=False, widget=TIME_WIDGET, initial=row.closes if row else None
            )
            self.days.append(day)

    def rows(self):
        """(weekday label, closed field, opens field, closes field) for the table."""
        return [
            (day.label, self[f"closed_{day.value}"], self[f"opens_{day.value}"], self[f"closes_{day.value}"])
            for day in self.days
        ]

    def hours(self) -> dict[int, dict]:
        data = self.cleaned_data
        return {
            day.value: {
                "closed": data.get(f"closed_{day.value}", False),
                "opens": data.get(f"opens_{day.value}"),
                "closes": data.get(f"closes_{day.value}"),
            }
            for day in self.days
        }


class ClosureForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    reason = forms.CharField(
        label=_("Reason"),
        max_length=100,
        required=False,
        help_text=_("For example: stocktaking, staff training."),
    )


class DepartmentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=DepartmentKind.choices)
    name = forms.CharField(
        label=_("Name"), max_length=50, help_text=_("As callers hear it, for example 客服部 or 钣喷车间.")
    )
    active = forms.BooleanField(label=_("Active"), required=False)

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not editing:
            del self.fields["active"]


class DepartmentChoiceField(forms.ModelChoiceField):
    def __init__(self, *args, with_store: bool = True, **kwargs):
        self.with_store = with_store
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj):
        return f"{obj.store.code} · {obj.name}" if self.with_store else obj.name


class DepartmentMultipleChoiceField(IdsChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.store.code} · {obj.name}"


class StaffForm(forms.Form):
    """A person's account; with `creating` also the first password."""

    username = forms.CharField(
        label=_("Sign-in name"),
        max_length=150,
        help_text=_("Letters, digits and @ . + - _ only. The person may also sign in with the employee number."),
        widget=forms.TextInput(attrs={"autocapitalize": "none", "spellcheck": "false", "autocomplete": "off"}),
    )
    name = forms.CharField(label=_("Name"), max_length=50)
    employee_no = forms.CharField(label=_("Employee number"), max_length=20, required=False)
    gender = forms.ChoiceField(label=_("Gender"), choices=Gender.choices, required=False)
    position = forms.CharField(label=_("Position"), max_length=50, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=())
    store = forms.ModelChoiceField(
        label=_("Store"),
        queryset=Store.objects.none(),
        required=False,
        help_text=_("Only group administrators may be without a store."),
    )
    department = DepartmentChoiceField(label=_("Department"), queryset=Department.objects.none(), required=False)
    supervised_departments = DepartmentMultipleChoiceField(
        label=_("Supervised departments"),
        queryset=Department.objects.none(),
        required=False,
        help_text=_("Supervisors only: the departments of their store they are responsible for."),
    )
    extra_stores = IdsChoiceField(
        label=_("Further stores"),
        queryset=Store.objects.none(),
        required=False,
        help_text=_("Store managers and auditors only: further stores they look after."),
    )
    extension = forms.CharField(
        label=_("Desk phone extension"),
        max_length=10,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    badge_no = forms.CharField(label=_("Badge number"), max_length=20, required=False)
    email = forms.CharField(
        label=_("Email"), max_length=254, required=False, widget=forms.EmailInput(attrs={"autocomplete": "off"})
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 8 characters, not only digits, not a common password, not like the name."),
    )
    password_confirm = forms.CharField(
        label=_("Password again"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, *args, user, person: User | None = None, creating: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not creating:
            del self.fields["password"]
            del self.fields["password_confirm"]
        roles = assignable_roles(user)
        if person is not None and person.role not in roles:
            roles.append(person.role)
        self.fields["role"].choices = [(value, label) for value, label in Role.choices if value in roles]
        person_store = person.store_id if person is not None else None
        person_department = person.department_id if person is not None else None
        stores = stores_for(user, Right.MANAGE_STAFF)
        self.fields["store"].queryset = Store.objects.filter(Q(pk__in=stores.values("pk")) | Q(pk=person_store))
        if creating and not self.is_bound and "store" not in self.initial:
            only = list(stores[:2])
            if len(only) == 1:
                self.initial["store"] = only[0].pk
        self.fields["extra_stores"].queryset = Store.objects.filter(id__in=store_ids(user)).order_by("code")
        departments = Department.objects.filter(store_id__in=store_ids(user)).select_related("store")
        self.fields["department"].queryset = departments.filter(Q(active=True) | Q(pk=person_department)).order_by(
            "store__code", "name"
        )
        self.fields["department"].with_store = len(store_ids(user)) > 1
        self.fields["supervised_departments"].queryset = departments.order_by("store__code", "name")

    def clean(self):
        cleaned = super().clean()
        if "password" in self.fields:
            first, second = cleaned.get("password"), cleaned.get("password_confirm")
            if first and second is not None and first != second:
                self.add_error("password_confirm", _("The two passwords differ; type the same password twice."))
        return cleaned

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("password", None)
        data.pop("password_confirm", None)
        return data


class PasswordForm(forms.Form):
    password = forms.CharField(
        label=_("New password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 8 characters, not only digits, not a common password, not like the name."),
    )
    password_confirm = forms.CharField(
        label=_("New password again"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password"), cleaned.get("password_confirm")
        if first and second is not None and first != second:
            self.add_error("password_confirm", _("The two passwords differ; type the same password twice."))
        return cleaned


ACTIVE_CHOICES = [("yes", _("Active")), ("no", _("Inactive")), ("all", _("All"))]


class StaffFilterForm(forms.Form):
    q = forms.CharField(label=_("Name or employee number"), required=False, max_length=50)
    store = forms.ModelChoiceField(label=_("Store"), queryset=Store.objects.none(), required=False)
    department = DepartmentChoiceField(label=_("Department"), queryset=Department.objects.none(), required=False)
    role = forms.ChoiceField(label=_("Role"), choices=[("", _("All roles")), *Role.choices], required=False)
    active = forms.ChoiceField(label=_("Status"), choices=ACTIVE_CHOICES, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        ids = store_ids(user)
        self.fields["store"].queryset = Store.objects.filter(id__in=ids).order_by("code")
        self.fields["store"].empty_label = _("All stores")
        self.fields["department"].queryset = (
            Department.objects.filter(store_id__in=ids).select_related("store").order_by("store__code", "name")
        )
        self.fields["department"].empty_label = _("All departments")
        self.fields["department"].with_store = len(ids) > 1


# The roster (S1.D1a)

MONTH_WIDGET = forms.TextInput(attrs={"type": "month", "placeholder": "2026-12"})


class ShiftForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=30, help_text=_("For example 早班."))
    starts = forms.TimeField(label=_("Starts"), widget=TIME_WIDGET)
    ends = forms.TimeField(
        label=_("Ends"), widget=TIME_WIDGET, help_text=_("Before the start for a shift that ends after midnight.")
    )
    active = forms.BooleanField(label=_("In use"), required=False, initial=True)

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not editing:
            del self.fields["active"]


class MonthField(forms.Field):
    """A month written YYYY-MM, as the first day of that month."""

    def __init__(self, **kwargs):
        super().__init__(widget=MONTH_WIDGET, **kwargs)

    def prepare_value(self, value):
        return f"{value:%Y-%m}" if hasattr(value, "strftime") else value

    def to_python(self, value):
        text = str(value or "").strip()[:20]
        if not text:
            return None
        month = parse_month(text)
        if month is None:
            raise forms.ValidationError(_("Enter the month as YYYY-MM, for example 2026-12."), code="invalid")
        return month


class RosterFilterForm(forms.Form):
    """The roster grid's store, department and month (the store's departments only)."""

    store = forms.ModelChoiceField(label=_("Store"), queryset=Store.objects.none(), required=False)
    department = forms.ModelChoiceField(label=_("Department"), queryset=Department.objects.none(), required=False)
    month = MonthField(label=_("Month"), required=False)

    def __init__(self, *args, user, store: Store, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["store"].queryset = stores_for(user)
        self.fields["store"].empty_label = None
        self.fields["department"].queryset = store.departments.filter(active=True).order_by("name")
        self.fields["department"].empty_label = _("All departments")


class RosterCellForm(forms.Form):
    """One day of one person: a shift of the store, rest, leave or the default (business hours)."""

    value = forms.ChoiceField(label=_("Day"))

    def __init__(self, *args, shifts, **kwargs):
        super().__init__(*args, **kwargs)
        self.shifts = {f"shift:{s.pk}": s for s in shifts}
        self.fields["value"].choices = [
            (DEFAULT, _("Business hours (default)")),
            *[(key, str(shift)) for key, shift in self.shifts.items()],
            (RosterKind.REST, _("休 Rest")),
            (RosterKind.LEAVE, _("假 Leave")),
        ]

    def day(self) -> tuple[str, object]:
        """(kind, shift) chosen."""
        value = self.cleaned_data["value"]
        if value in self.shifts:
            return RosterKind.WORK, self.shifts[value]
        return value, None


class RosterImportForm(forms.Form):
    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=Department.objects.none(),
        required=False,
        help_text=_("Only people of this department may be in the file."),
    )
    month = MonthField(label=_("Month"))
    file = forms.FileField(
        label=_("File"),
        help_text=_("Excel (.xlsx) or CSV: a row per person (姓名 and/or 工号), a column per day (1 to 31)."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def __init__(self, *args, store: Store, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = store.departments.filter(active=True).order_by("name")
        self.fields["department"].empty_label = _("All departments")


class RosterFillForm(RosterCellForm):
    """Fill a stretch of days of one person or several from one pattern."""

    people = forms.ModelMultipleChoiceField(
        label=_("People"),
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    first = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    last = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Weekdays"),
        choices=Weekday.choices,
        coerce=int,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["people"].queryset = people
        self.fields["value"].label = _("Set the days to")
        self.order_fields(["people", "first", "last", "weekdays", "value"])
