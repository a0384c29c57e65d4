from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.validators import format_phone, mask_phone

from .choices import PersonalDataAction, PreferredContact


class Customer(models.Model):
    """A customer of one store, reachable by mobile and/or landline."""

    store = models.ForeignKey("org.Store", verbose_name=_("store"), on_delete=models.PROTECT, related_name="customers")
    name = models.CharField(_("name"), max_length=50)
    name_initials = models.CharField(_("pinyin initials"), max_length=50, blank=True, db_index=True, editable=False)
    mobile = models.CharField(_("mobile"), max_length=20, blank=True)
    landline = models.CharField(_("landline"), max_length=20, blank=True)
    landline_ext = models.CharField(_("extension"), max_length=8, blank=True)
    phone_digits = models.CharField(
        _("phone digits"),
        max_length=50,
        blank=True,
        editable=False,
        help_text=_("The numbers as dialled, for search."),
    )
    preferred_contact = models.CharField(
        _("preferred contact"),
        max_length=10,
        choices=PreferredContact.choices,
        default=PreferredContact.MOBILE,
    )
    consent_to_contact = models.BooleanField(_("consents to be contacted"), default=False)
    consent_at = models.DateTimeField(_("consent given at"), null=True, blank=True, editable=False)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    erased_at = models.DateTimeField(_("erased at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["store", "name"], name="customer_store_name"),
            models.Index(fields=["store", "mobile"], name="customer_store_mobile"),
            # the customer list, newest first, in one store and across a group's stores (issue 10)
            models.Index(fields=["store", "created_at"], name="customer_store_created"),
            models.Index(fields=["created_at", "id"], name="customer_created_id"),
        ]

    def __str__(self):
        return self.name or str(_("Erased customer"))

    @property
    def mobile_masked(self):
        return mask_phone(self.mobile)

    @property
    def landline_masked(self):
        return mask_phone(self.landline)

    @property
    def mobile_display(self):
        return format_phone(self.mobile)

    @property
    def landline_display(self):
        shown = format_phone(self.landline)
        return f"{shown} - {self.landline_ext}" if shown and self.landline_ext else shown

    @property
    def has_phone(self):
        return bool(self.mobile or self.landline)


class Vehicle(models.Model):
    """A vehicle owned by a customer of the store, identified by plate and/or VIN."""

    store = models.ForeignKey("org.Store", verbose_name=_("store"), on_delete=models.PROTECT, related_name="vehicles")
    owner = models.ForeignKey(Customer, verbose_name=_("owner"), on_delete=models.CASCADE, related_name="vehicles")
    plate = models.CharField(_("plate"), max_length=10, blank=True)
    vin = models.CharField(_("VIN"), max_length=17, blank=True)
    vin_check_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("check digit confirmed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    vin_check_confirmed_at = models.DateTimeField(_("check digit confirmed at"), null=True, blank=True, editable=False)
    brand = models.CharField(_("brand"), max_length=50, blank=True)
    model = models.CharField(_("model"), max_length=50, blank=True)
    colour = models.CharField(_("colour"), max_length=20, blank=True)
    purchase_date = models.DateField(_("purchase date"), null=True, blank=True)
    mileage_km = models.PositiveIntegerField(_("mileage (km)"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("vehicle")
        verbose_name_plural = _("vehicles")
        ordering = ["plate", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["store", "plate"], condition=~Q(plate=""), name="uniq_vehicle_plate_per_store"
            ),
            models.UniqueConstraint(fields=["store", "vin"], condition=~Q(vin=""), name="uniq_vehicle_vin_per_store"),
            models.CheckConstraint(condition=~Q(plate="", vin=""), name="vehicle_has_plate_or_vin"),
        ]
        # the vehicle list's order across a group's stores (issue 10)
        indexes = [models.Index(fields=["plate", "id"], name="vehicle_plate_id")]

    def __str__(self):
        return self.plate or self.vin


class PersonalDataLog(models.Model):
    """Each reveal of a masked number, export and erasure of a customer's data (PIPL)."""

    store = models.ForeignKey("org.Store", verbose_name=_("store"), on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="personal_data_log",
    )
    customer_ref = models.CharField(_("customer reference"), max_length=40)
    action = models.CharField(_("action"), max_length=10, choices=PersonalDataAction.choices)
    detail = models.CharField(_("detail"), max_length=200, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("personal data log entry")
        verbose_name_plural = _("personal data log")
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()} {self.customer_ref}"


class ImportJob(models.Model):
    """One import of customers and vehicles from another system's export, step by step."""

    class State(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded: choose the columns")
        VALIDATING = "validating", _("Checking the rows")
        VALIDATED = "validated", _("Checked: waiting for your choice")
        IMPORTING = "importing", _("Importing")
        DONE = "done", _("Imported")
        CANCELLED = "cancelled", _("Cancelled: nothing imported")
        FAILED = "failed", _("Failed")

    store = models.ForeignKey("org.Store", verbose_name=_("store"), on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("imported by"), on_delete=models.PROTECT, related_name="+"
    )
    original_name = models.CharField(_("file name"), max_length=255)
    file_path = models.CharField(
        _("stored file"), max_length=255, help_text=_("Relative to the media folder, under imports/.")
    )
    file_type = models.CharField(_("file type"), max_length=4)
    encoding = models.CharField(_("encoding"), max_length=20, blank=True)
    headers = models.JSONField(_("column headers"), default=list, blank=True)
    mapping = models.JSONField(
        _("column mapping"), default=dict, blank=True, help_text=_("Our field → column number (0 = first).")
    )
    confirm_vin_check = models.BooleanField(_("keep VINs with a wrong check digit"), default=False)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.UPLOADED)
    message = models.CharField(_("message"), max_length=300, blank=True)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows processed"), default=0)
    valid_rows = models.PositiveIntegerField(_("valid rows"), default=0)
    imported_customers = models.PositiveIntegerField(_("customers imported"), default=0)
    imported_vehicles = models.PositiveIntegerField(_("vehicles imported"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    work = models.JSONField(_("working state"), default=dict, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # Each step (the page's polling or the command) writes it: a running import not heard of for
    # IMPORT_STALE_SECONDS has stopped (page closed, command killed) and waits to be continued.
    heartbeat_at = models.DateTimeField(_("last step at"), null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["store", "created_at"], name="importjob_store_created")]

    def __str__(self):
        return f"#{self.pk} {self.original_name}"

    @property
    def is_running(self) -> bool:
        return self.state in (self.State.VALIDATING, self.State.IMPORTING)

    @property
    def stalled(self) -> bool:
        """Running, but no step for IMPORT_STALE_SECONDS: whatever ran it is gone; it can continue."""
        if not self.is_running:
            return False
        last = self.heartbeat_at or self.created_at
        return timezone.now() - last > timedelta(seconds=settings.IMPORT_STALE_SECONDS)

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 100 if self.state in (self.State.VALIDATED, self.State.DONE) else 0
        return min(100, self.processed_rows * 100 // self.total_rows)

    @property
    def error_rows(self) -> int:
        return len({e["row"] for e in self.errors})
