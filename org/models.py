from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .choices import DepartmentKind, Gender, Role, RosterKind, Weekday


class DealerGroup(models.Model):
    """A dealer group: the owner of one or more stores."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("dealer group")
        verbose_name_plural = _("dealer groups")

    def __str__(self):
        return self.name


class Store(models.Model):
    """A 4S store: the wall every business record stands behind."""

    group = models.ForeignKey(
        DealerGroup, verbose_name=_("dealer group"), on_delete=models.PROTECT, related_name="stores"
    )
    code = models.CharField(_("store code"), max_length=10, unique=True, help_text=_("For example S001."))
    name = models.CharField(_("name"), max_length=100)
    brand = models.CharField(_("brand"), max_length=50)
    city = models.CharField(_("city"), max_length=50)
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    active = models.BooleanField(_("active"), default=True)
    open_on_public_holidays = models.BooleanField(
        _("open on statutory holidays"),
        default=False,
        help_text=_("Promise clocks run on statutory holidays only if the store is open then."),
    )
    wecom_webhook_url = models.URLField(
        _("WeCom group robot webhook"),
        blank=True,
        max_length=300,
        help_text=_("Reminders and escalations are also posted to this WeCom (企业微信) group robot."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("store")
        verbose_name_plural = _("stores")
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.name}"


class BusinessHours(models.Model):
    """A store's opening hours on one weekday; a closed day has no hours."""

    store = models.ForeignKey(Store, verbose_name=_("store"), on_delete=models.CASCADE, related_name="business_hours")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    closed = models.BooleanField(_("closed all day"), default=False)
    opens = models.TimeField(_("opens"), null=True, blank=True)
    closes = models.TimeField(_("closes"), null=True, blank=True)

    class Meta:
        verbose_name = _("business hours")
        verbose_name_plural = _("business hours")
        ordering = ["store", "weekday"]
        constraints = [models.UniqueConstraint(fields=["store", "weekday"], name="uniq_store_weekday_hours")]

    def __str__(self):
        if self.closed:
            return f"{self.get_weekday_display()}: {_('closed')}"
        return f"{self.get_weekday_display()}: {self.opens:%H:%M}–{self.closes:%H:%M}"


class StoreClosure(models.Model):
    """A day on which one store is closed besides the statutory holidays."""

    store = models.ForeignKey(Store, verbose_name=_("store"), on_delete=models.CASCADE, related_name="closures")
    date = models.DateField(_("date"))
    reason = models.CharField(_("reason"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("store closure day")
        verbose_name_plural = _("store closure days")
        ordering = ["store", "date"]
        constraints = [models.UniqueConstraint(fields=["store", "date"], name="uniq_store_closure_date")]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.reason}"


class Department(models.Model):
    """A department of one store, of a standard kind or with a free name."""

    store = models.ForeignKey(Store, verbose_name=_("store"), on_delete=models.PROTECT, related_name="departments")
    kind = models.CharField(_("kind"), max_length=20, choices=DepartmentKind.choices)
    name = models.CharField(_("name"), max_length=50, help_text=_("Shown to callers, for example 客服部."))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["store", "name"]
        constraints = [models.UniqueConstraint(fields=["store", "name"], name="uniq_department_name_per_store")]

    def __str__(self):
        return self.name


class StaffManager(UserManager):
    pass


class User(AbstractUser):
    """A member of staff with a sign-in account; their role and stores decide what they see."""

    first_name = None
    last_name = None
    name = models.CharField(_("name"), max_length=50)
    employee_no = models.CharField(_("employee number"), max_length=20, null=True, blank=True, unique=True)
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices, blank=True, default="")
    position = models.CharField(_("position"), max_length=50, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.STAFF)
    group = models.ForeignKey(
        DealerGroup,
        verbose_name=_("dealer group"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
    )
    store = models.ForeignKey(
        Store,
        verbose_name=_("store"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
    )
    extra_stores = models.ManyToManyField(
        Store,
        verbose_name=_("further stores"),
        blank=True,
        related_name="+",
        help_text=_("Store managers and auditors: further stores they look after."),
    )
    supervised_departments = models.ManyToManyField(
        Department,
        verbose_name=_("supervised departments"),
        blank=True,
        related_name="supervisors",
        help_text=_("Supervisors: the departments they are responsible for."),
    )
    extension = models.CharField(_("desk phone extension"), max_length=10, blank=True)
    badge_no = models.CharField(_("badge number"), max_length=20, blank=True)
    language = models.CharField(
        _("language"), max_length=10, default="zh-hans", choices=[("zh-hans", "中文"), ("en", "English")]
    )

    objects = StaffManager()
    REQUIRED_FIELDS = ["email"]

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")
        ordering = ["employee_no", "username"]
        constraints = [
            models.UniqueConstraint(
                fields=["store", "extension"],
                condition=~Q(extension=""),
                name="uniq_extension_per_store",
            )
        ]

    def __str__(self):
        return self.name or self.username

    def get_full_name(self):
        return self.name or self.username

    def get_short_name(self):
        return self.name or self.username


class SignInAttempt(models.Model):
    """One sign-in attempt, kept to throttle guessing and to show who tried when."""

    login = models.CharField(_("account name"), max_length=150, db_index=True)
    ip = models.GenericIPAddressField(_("address"), null=True, blank=True)
    at = models.DateTimeField(_("at"), db_index=True)
    succeeded = models.BooleanField(_("succeeded"), default=False)

    class Meta:
        verbose_name = _("sign-in attempt")
        verbose_name_plural = _("sign-in attempts")
        indexes = [models.Index(fields=["ip", "at"], name="signin_ip_at")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.login}"


class Shift(models.Model):
    """A store's working shift, e.g. 早班 08:00–17:00: what the roster and attendance (S1.D1a) hold a day to.

    A person with no roster entry for an open day works the store's business hours of that day.
    """

    store = models.ForeignKey(Store, verbose_name=_("store"), on_delete=models.PROTECT, related_name="shifts")
    name = models.CharField(_("name"), max_length=30, help_text=_("For example 早班."))
    starts = models.TimeField(_("starts"))
    ends = models.TimeField(_("ends"), help_text=_("Before the start for a shift that ends after midnight."))
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        ordering = ["store", "starts", "name"]
        constraints = [models.UniqueConstraint(fields=["store", "name"], name="uniq_shift_name_per_store")]

    def __str__(self):
        return f"{self.name} {self.starts:%H:%M}–{self.ends:%H:%M}"


class RosterDay(models.Model):
    """One person's day in the roster: working a shift, resting or on leave (S1.D1a, S6 who is on duty)."""

    store = models.ForeignKey(Store, verbose_name=_("store"), on_delete=models.PROTECT, related_name="roster_days")
    person = models.ForeignKey(User, verbose_name=_("person"), on_delete=models.CASCADE, related_name="roster_days")
    date = models.DateField(_("date"))
    kind = models.CharField(_("day"), max_length=10, choices=RosterKind.choices, default=RosterKind.WORK)
    shift = models.ForeignKey(
        Shift,
        verbose_name=_("shift"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="roster_days",
        help_text=_("Empty on a working day: the store's business hours."),
    )
    note = models.CharField(_("note"), max_length=100, blank=True)
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)
    updated_by = models.ForeignKey(
        User, verbose_name=_("changed by"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("roster day")
        verbose_name_plural = _("roster days")
        ordering = ["store", "date", "person"]
        constraints = [
            models.UniqueConstraint(fields=["person", "date"], name="uniq_roster_person_date"),
            models.CheckConstraint(
                condition=Q(kind="work") | Q(shift__isnull=True), name="roster_shift_only_when_working"
            ),
        ]
        indexes = [models.Index(fields=["store", "date"], name="roster_store_date")]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.person}: {self.get_kind_display()}"
