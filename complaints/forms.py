from datetime import datetime, time, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import IdsChoiceField, show_store_options
from core.validators import text_max_length
from org.access import Right, store_ids, stores_for
from org.business_time import MAX_DAYS, StoreCalendar
from org.models import Department, Store, User

from .choices import Channel, ComplaintState, ReplyChannel, ReplyPreset, Severity
from .models import Complaint, Verification
from .services.complaints import HAPPENED_MAX_DAYS, REPLY_MAX_DAYS

DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _last_open_moment(calendar: StoreCalendar, moment: datetime, after: datetime) -> datetime | None:
    """The latest moment at or before `moment` (and after `after`) when the store is open, if any."""
    day = timezone.localtime(moment).date()
    while datetime.combine(day, time.max, tzinfo=moment.tzinfo) > after:
        span = calendar.interval(day)
        if span and span[0] <= moment:
            last = min(moment, span[1])
            return last if last > after else None
        day -= timedelta(days=1)
    return None


def reply_time_from_preset(
    preset: str, custom: datetime | None, *, store, now: datetime | None = None
) -> datetime | None:
    """The reply time promised to the customer (S2.6), from a preset in the store's business hours, or custom.

    The presets count the store's open hours and closure days (the promise clocks' calendar,
    org.business_time), so at 23:32, the store closed since 18:00, "within 2 business hours" is two
    hours after the next opening, and "by closing time" is the next open day's closing.
    """
    if preset == ReplyPreset.CUSTOM or not preset:
        return custom
    if preset not in ReplyPreset.values:
        return None
    now = timezone.localtime(now or timezone.now())
    calendar = StoreCalendar(store)
    if preset == ReplyPreset.HOURS_2:
        return calendar.add(now, 2 * 3600)
    if preset == ReplyPreset.HOURS_24:
        wall = now + timedelta(hours=24)
        return _last_open_moment(calendar, wall, now) or calendar.next_open(wall)
    opens = calendar.next_open(now)  # now, when the store is open
    if preset == ReplyPreset.TODAY_18:
        span = calendar.interval(timezone.localtime(opens).date())
        return span[1] if span else opens
    # the next business day after today, at noon (or its opening or closing, if noon is outside them)
    day = timezone.localtime(now).date() + timedelta(days=1)
    for _step in range(MAX_DAYS):
        span = calendar.interval(day)
        if span:
            noon = datetime.combine(day, time(12, 0), tzinfo=span[0].tzinfo)
            return min(max(noon, span[0]), span[1])
        day += timedelta(days=1)
    return now + timedelta(days=1)


def reply_preset_times(store, now: datetime | None = None) -> dict[str, datetime]:
    """Each preset's reply time for the store now, to show beside it on the form."""
    return {
        value: reply_time_from_preset(value, None, store=store, now=now)
        for value in ReplyPreset.values
        if value != ReplyPreset.CUSTOM
    }


class ComplaintForm(forms.Form):
    """The complaint intake: every fact S2.4 and S2.6 require; the service names what is missing."""

    store = forms.ModelChoiceField(label=_("Store"), queryset=None)
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.PHONE)
    customer_name = forms.CharField(label=_("Customer name"), max_length=50, required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=30, required=False)
    vehicle_involved = forms.BooleanField(label=_("A vehicle is involved"), required=False, initial=True)
    vehicle_model = forms.CharField(
        label=_("Vehicle model"),
        max_length=50,
        required=False,
        help_text=_("Required when a vehicle is involved (S2.6)."),
    )
    plate = forms.CharField(
        label=_("Plate"), max_length=12, required=False, help_text=_("Required when a vehicle is involved (S2.4).")
    )
    department = forms.ModelChoiceField(label=_("Department complained about"), queryset=None, required=False)
    staff_involved = forms.ModelChoiceField(
        label=_("Staff involved"),
        queryset=None,
        required=False,
        help_text=_("Required, or mark the staff involved as unknown (S2.6)."),
    )
    staff_unknown = forms.BooleanField(label=_("Staff involved unknown"), required=False)
    happened_at = forms.DateTimeField(label=_("Happened at"), required=False, widget=DATETIME_INPUT)
    place = forms.CharField(label=_("Place"), max_length=100, required=False)
    course = forms.CharField(
        label=_("Course of events"),
        max_length=text_max_length(Complaint, "course"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    customer_wants = forms.CharField(
        label=_("What the customer wants"),
        max_length=text_max_length(Complaint, "customer_wants"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices, initial=Severity.MEDIUM)
    reply_preset = forms.ChoiceField(
        label=_("Reply promised to the customer"),
        choices=ReplyPreset.choices,
        initial=ReplyPreset.HOURS_2,
        widget=forms.RadioSelect,
    )
    reply_custom = forms.DateTimeField(label=_("Custom reply time"), required=False, widget=DATETIME_INPUT)
    call = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # the browser's date pickers offer only the times the service accepts (it checks them again)
        now = timezone.localtime()
        stamp = "%Y-%m-%dT%H:%M"
        self.fields["happened_at"].widget.attrs.update(
            min=(now - timedelta(days=HAPPENED_MAX_DAYS)).strftime(stamp), max=now.strftime(stamp)
        )
        self.fields["reply_custom"].widget.attrs.update(
            min=now.strftime(stamp), max=(now + timedelta(days=REPLY_MAX_DAYS)).strftime(stamp)
        )
        stores = stores_for(user, Right.EDIT)
        self.fields["store"].queryset = stores
        if len(stores) == 1:
            self.fields["store"].initial = stores[0].pk
            self.fields["store"].widget = forms.HiddenInput()
        ids = store_ids(user)
        self.fields["department"].queryset = Department.objects.filter(store_id__in=ids, active=True).order_by(
            "store", "name"
        )
        self.fields["staff_involved"].queryset = User.objects.filter(store_id__in=ids, is_active=True).order_by("name")

    def preset_store(self):
        """The store the presets are shown for: the one chosen, else the form's first."""
        chosen = self.cleaned_data.get("store") if hasattr(self, "cleaned_data") else None
        if chosen is None:
            ref = self.data.get(self.add_prefix("store")) if self.is_bound else self.initial.get("store")
            ref = ref or self.fields["store"].initial
            queryset = self.fields["store"].queryset
            ref = getattr(ref, "pk", ref)
            if ref and str(ref).isascii() and str(ref).isdigit() and len(str(ref)) < 18:
                chosen = queryset.filter(pk=int(ref)).first()
            chosen = chosen or queryset.first()
        return chosen

    def presets(self) -> list[dict]:
        """The preset radios, each with the reply time it gives now in the store's business hours."""
        store = self.preset_store()
        times = reply_preset_times(store) if store is not None else {}
        return [{"radio": radio, "at": times.get(radio.data["value"])} for radio in self["reply_preset"]]

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data["reply_promised_at"] = reply_time_from_preset(
            data.pop("reply_preset"), data.pop("reply_custom"), store=data["store"]
        )
        for key in ("store", "call"):
            data.pop(key, None)
        return data


class StageForm(forms.Form):
    """A stage of a complaint; as it is, a stage without input (acknowledge, close) that carries the
    service's errors back to the page. `service_data()` is the input as the stage's service takes it."""

    def __init__(self, *args, complaint: Complaint | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.complaint = complaint

    def service_data(self) -> dict:
        return {}


class VerificationRequestForm(StageForm):
    departments = IdsChoiceField(
        label=_("Departments"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    question = forms.CharField(
        label=_("What to verify"),
        max_length=text_max_length(Verification, "question"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, complaint: Complaint, **kwargs):
        super().__init__(*args, complaint=complaint, **kwargs)
        self.fields["departments"].queryset = Department.objects.filter(
            store_id=complaint.store_id, active=True
        ).order_by("name")

    def service_data(self) -> dict:
        return {"departments": self.cleaned_data["departments"], "question": self.cleaned_data["question"]}


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Answer"),
        max_length=text_max_length(Verification, "answer"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReplyForm(StageForm):
    reply_channel = forms.ChoiceField(label=_("Reply given by"), choices=ReplyChannel.choices)
    reply_text = forms.CharField(
        label=_("Reply"),
        max_length=text_max_length(Complaint, "reply_text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def service_data(self) -> dict:
        return {"channel": self.cleaned_data["reply_channel"], "text": self.cleaned_data["reply_text"]}


class FollowUpForm(StageForm):
    reached = forms.TypedChoiceField(
        label=_("Customer reached"),
        choices=[("1", _("Reached")), ("0", _("Not reached"))],
        coerce=lambda v: v == "1",
        initial="1",
    )
    satisfaction_score = forms.TypedChoiceField(
        label=_("Satisfaction (1–5)"),
        choices=[("", "—")] + [(str(i), str(i)) for i in range(1, 6)],
        coerce=int,
        empty_value=None,
        required=False,
    )
    satisfaction_comment = forms.CharField(
        label=_("Comment"),
        max_length=text_max_length(Complaint, "satisfaction_comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def service_data(self) -> dict:
        data = self.cleaned_data
        return {
            "reached": data["reached"],
            "score": data["satisfaction_score"],
            "comment": data["satisfaction_comment"],
        }


class ReopenForm(StageForm):
    reason = forms.CharField(
        label=_("Reason for reopening"), max_length=text_max_length(Complaint, "reopen_reason"), required=False
    )
    reply_promised_at = forms.DateTimeField(label=_("New reply time"), required=False, widget=DATETIME_INPUT)

    def service_data(self) -> dict:
        return {"reason": self.cleaned_data["reason"], "reply_promised_at": self.cleaned_data["reply_promised_at"]}


class ComplaintFilterForm(forms.Form):
    """The complaint list's filters; the complaint figures (insights) link to the list with them.

    A department, person or store outside the person's stores is refused like one that does not exist.
    """

    state = forms.ChoiceField(label=_("State"), required=False)
    severity = forms.MultipleChoiceField(label=_("Severity"), choices=Severity.choices, required=False)
    store = forms.ModelChoiceField(label=_("Store"), queryset=None, required=False, empty_label=_("All my stores"))
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=None, required=False, empty_label=_("All departments")
    )
    staff = forms.ModelChoiceField(label=_("Staff involved"), queryset=None, required=False, empty_label=_("Everyone"))
    logged_from = forms.DateField(
        label=_("Logged from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    logged_to = forms.DateField(label=_("Logged until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    stage = forms.ChoiceField(
        label=_("Stage reached"),
        required=False,
        choices=[
            ("", _("Any stage")),
            ("acknowledged", _("Acknowledged")),
            ("replied", _("Reply recorded")),
            ("rated", _("Satisfaction recorded")),
        ],
    )
    overdue = forms.BooleanField(label=_("Reply overdue"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        ids = store_ids(user)
        self.fields["state"].choices = [("", _("All states")), *ComplaintState.choices]
        self.fields["store"].queryset = Store.objects.filter(pk__in=ids).order_by("code")
        departments = Department.objects.filter(store_id__in=ids).select_related("store").order_by("store", "name")
        self.fields["department"].queryset = departments
        self.fields["staff"].queryset = User.objects.filter(store_id__in=ids, is_active=True).order_by("name", "pk")
        show_store_options(
            self, ids, {"department": self.fields["department"].queryset, "staff": self.fields["staff"].queryset}
        )
        if len(ids) < 2:
            self.fields["store"].widget = forms.HiddenInput()
        else:
            self.fields["department"].label_from_instance = lambda d: f"{d.store.code} {d.name}"

    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("logged_from"), cleaned.get("logged_to")
        if first and last and last < first:
            self.add_error("logged_to", _("The end date must be on or after the start date."))
        return cleaned

    def selector_filters(self) -> dict:
        """The valid filters as complaints.selectors.complaint_list takes them."""
        data = self.cleaned_data
        return {
            "state": data["state"],
            "severity": data["severity"],
            "store": data["store"].pk if data["store"] else None,
            "department": data["department"].pk if data["department"] else None,
            "staff": data["staff"].pk if data["staff"] else None,
            "logged_from": data["logged_from"],
            "logged_to": data["logged_to"],
            "stage": data["stage"],
            "overdue": data["overdue"],
        }
