"""The customer lounge (S4): visits with their steps, drinks, seats with QR codes, requests, facilities and faults."""

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import FacilityKind, FaultSource, FaultState, RequestKind, RequestSource, RequestState


def new_seat_token() -> str:
    """An unguessable code for a seat's QR (about 128 bits); re-issuing a seat's code makes the old one stop working."""
    return secrets.token_urlsafe(16)


def new_receipt() -> str:
    return secrets.token_urlsafe(12)


def fault_photo_path(instance, filename):
    now = timezone.localtime()
    return f"lounge/{instance.store_id}/{now:%Y/%m}/{filename}"


class LoungeSettings(models.Model):
    """A store's lounge clocks: how soon a customer is greeted, refilled, helped, and a fault fixed."""

    store = models.OneToOneField(
        "org.Store", verbose_name=_("store"), on_delete=models.CASCADE, related_name="lounge_settings"
    )
    greet_within_seconds = models.PositiveIntegerField(
        _("greet a customer within (seconds)"),
        default=60,
        validators=[MinValueValidator(10), MaxValueValidator(600)],
        help_text=_("S4.1: stand up and greet every customer entering the lounge."),
    )
    refill_every_minutes = models.PositiveIntegerField(
        _("refill every (minutes)"),
        default=20,
        validators=[MinValueValidator(5), MaxValueValidator(120)],
        help_text=_("S4.2: refill in time."),
    )
    help_within_minutes = models.PositiveIntegerField(
        _("answer a request within (minutes)"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=_("S4.5: someone on the way to a customer who asked."),
    )
    fix_within_hours = models.PositiveIntegerField(
        _("fix a fault within (business hours)"),
        default=8,
        validators=[MinValueValidator(1), MaxValueValidator(240)],
        help_text=_("S4.11: report anything broken to maintenance at once."),
    )
    requests_per_seat_per_10_minutes = models.PositiveSmallIntegerField(
        _("requests allowed from one table in 10 minutes"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
    )
    maintenance_department = models.ForeignKey(
        "org.Department",
        verbose_name=_("maintenance is done by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The department whose desk owns fault tickets; empty: the lounge's own department."),
    )

    class Meta:
        verbose_name = _("lounge settings")
        verbose_name_plural = _("lounge settings")

    def __str__(self):
        return str(self.store)


def lounge_settings(store) -> "LoungeSettings":
    """The store's lounge settings, created with the defaults on first use."""
    found, _created = LoungeSettings.objects.get_or_create(store=store)
    return found


class Drink(models.Model):
    """An item of the store's drink menu; it can run out for a while."""

    store = models.ForeignKey("org.Store", verbose_name=_("store"), on_delete=models.PROTECT, related_name="drinks")
    name = models.CharField(_("name"), max_length=50)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    available = models.BooleanField(_("available"), default=True, help_text=_("Untick when it has run out."))
    active = models.BooleanField(_("on the menu"), default=True)

    class Meta:
        verbose_name = _("drink")
        verbose_name_plural = _("drinks")
        ordering = ["store", "position", "name"]
        constraints = [models.UniqueConstraint(fields=["store", "name"], name="uniq_drink_name")]

    def __str__(self):
        return self.name


class Seat(models.Model):
    """A lounge seat or table with its own QR code; re-issuing the code makes the printed old one stop working."""

    store = models.ForeignKey("org.Store", verbose_name=_("store"), on_delete=models.PROTECT, related_name="seats")
    label = models.CharField(_("seat or table"), max_length=30, help_text=_("As printed on the card, e.g. A3."))
    token = models.CharField(_("code"), max_length=40, unique=True, default=new_seat_token, editable=False)
    issued_at = models.DateTimeField(_("code issued at"), default=timezone.now)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("seat")
        verbose_name_plural = _("seats")
        ordering = ["store", "label"]
        constraints = [models.UniqueConstraint(fields=["store", "label"], name="uniq_seat_label")]

    def __str__(self):
        return self.label


class Visit(models.Model):
    """One customer's stay in the lounge, from arrival to departure, each step timed (S4.1–S4.5)."""

    store = models.ForeignKey("org.Store", verbose_name=_("store"), on_delete=models.PROTECT, related_name="visits")
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="visits",
    )
    vehicle = models.ForeignKey(
        "customers.Vehicle",
        verbose_name=_("vehicle"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="visits",
    )
    guest_name = models.CharField(
        _("name (walk-in)"), max_length=50, blank=True, help_text=_("For a customer not on file; may stay empty.")
    )
    seat = models.ForeignKey(
        Seat, verbose_name=_("seat"), on_delete=models.SET_NULL, null=True, blank=True, related_name="visits"
    )
    first_visit = models.BooleanField(
        _("first-time customer"), default=False, help_text=_("S4.3: introduce the services and show them around.")
    )
    repair_order = models.CharField(_("repair order number"), max_length=30, blank=True)
    service_status = models.CharField(_("service status"), max_length=100, blank=True)
    arrived_at = models.DateTimeField(_("arrived at"), default=timezone.now)
    arrival_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("arrival recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    greeted_at = models.DateTimeField(_("greeted at"), null=True, blank=True)
    greeted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("greeted by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    greet_seconds = models.PositiveIntegerField(_("seconds to greet"), null=True, blank=True)
    drink_offered_at = models.DateTimeField(_("drink offered at"), null=True, blank=True)
    introduced_at = models.DateTimeField(_("services introduced at"), null=True, blank=True)
    introduced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("services introduced by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    farewell_at = models.DateTimeField(_("seen off at"), null=True, blank=True)
    farewell_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("seen off by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    departed_at = models.DateTimeField(_("left at"), null=True, blank=True)
    greet_promise = models.ForeignKey(
        "promises.Promise",
        verbose_name=_("greeting promise"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    refill_promise = models.ForeignKey(
        "promises.Promise",
        verbose_name=_("next refill promise"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("lounge visit")
        verbose_name_plural = _("lounge visits")
        ordering = ["-arrived_at", "-id"]
        indexes = [
            models.Index(fields=["store", "arrived_at"], name="visit_store_arrived"),
            # a group's visit list, newest first across its stores (issue 10)
            models.Index(fields=["arrived_at", "id"], name="visit_arrived_id"),
            models.Index(fields=["store"], condition=Q(departed_at=None), name="visit_in_lounge"),
        ]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.customer_id:
            return self.customer.name
        return self.guest_name or str(_("Guest"))

    @property
    def in_lounge(self) -> bool:
        return self.departed_at is None


class Serving(models.Model):
    """A drink served during a visit: the first one or a refill, when and by whom (S4.2)."""

    visit = models.ForeignKey(Visit, verbose_name=_("visit"), on_delete=models.CASCADE, related_name="servings")
    store = models.ForeignKey("org.Store", verbose_name=_("store"), on_delete=models.PROTECT, related_name="+")
    drink = models.ForeignKey(
        Drink, verbose_name=_("drink"), on_delete=models.SET_NULL, null=True, blank=True, related_name="servings"
    )
    drink_name = models.CharField(_("drink"), max_length=50)
    refill = models.BooleanField(_("refill"), default=False)
    served_at = models.DateTimeField(_("served at"), default=timezone.now)
    served_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("served by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    on_time = models.BooleanField(
        _("refilled on time"), null=True, blank=True, help_text=_("For a refill: before its clock ran out.")
    )

    class Meta:
        verbose_name = _("drink served")
        verbose_name_plural = _("drinks served")
        ordering = ["served_at", "id"]
        indexes = [models.Index(fields=["store", "served_at"], name="serving_store_served")]

    def __str__(self):
        return self.drink_name


class LoungeRequest(models.Model):
    """A request from a customer's table (QR code) or entered on the board, answered on a clock (S4.2, S4.5)."""

    store = models.ForeignKey(
        "org.Store", verbose_name=_("store"), on_delete=models.PROTECT, related_name="lounge_requests"
    )
    seat = models.ForeignKey(
        Seat, verbose_name=_("seat"), on_delete=models.SET_NULL, null=True, blank=True, related_name="requests"
    )
    visit = models.ForeignKey(
        Visit, verbose_name=_("visit"), on_delete=models.SET_NULL, null=True, blank=True, related_name="requests"
    )
    kind = models.CharField(_("asks for"), max_length=10, choices=RequestKind.choices)
    drink = models.ForeignKey(
        Drink, verbose_name=_("drink"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    facility = models.ForeignKey(
        "Facility",
        verbose_name=_("facility"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("For something broken: the facility the customer reported (S4.11)."),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    source = models.CharField(_("source"), max_length=10, choices=RequestSource.choices, default=RequestSource.BOARD)
    receipt = models.CharField(_("receipt"), max_length=20, unique=True, default=new_receipt, editable=False)
    state = models.CharField(_("state"), max_length=10, choices=RequestState.choices, default=RequestState.OPEN)
    created_at = models.DateTimeField(_("asked at"), default=timezone.now)
    acknowledged_at = models.DateTimeField(_("someone on the way at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("taken by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("done by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    promise = models.ForeignKey(
        "promises.Promise",
        verbose_name=_("promise"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    client_key = models.CharField(
        _("sender (hashed)"),
        max_length=64,
        blank=True,
        editable=False,
        help_text=_(
            "A keyed hash of the phone a QR request came from (the random id in its cookie, else its address), "
            "only to limit floods; never the id or the address."
        ),
    )
    address_key = models.CharField(
        _("address (hashed)"),
        max_length=64,
        blank=True,
        editable=False,
        help_text=_(
            "A keyed hash of the network address of a QR request, for the looser per-address ceiling "
            "(a store's Wi-Fi shares one address); never the address."
        ),
    )

    class Meta:
        verbose_name = _("lounge request")
        verbose_name_plural = _("lounge requests")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["store", "created_at"], name="lounge_request_store_created"),
            models.Index(fields=["seat", "created_at"], name="lounge_request_seat_created"),
            models.Index(fields=["store"], condition=Q(state__in=["open", "on_way"]), name="lounge_request_open"),
            models.Index(fields=["client_key", "created_at"], name="lounge_request_client_created"),
            models.Index(fields=["address_key", "created_at"], name="lounge_request_address_created"),
        ]

    def __str__(self):
        return self.get_kind_display()


class Facility(models.Model):
    """A lounge facility that must work (S4.8, S4.11); out of order while it has an open fault."""

    store = models.ForeignKey("org.Store", verbose_name=_("store"), on_delete=models.PROTECT, related_name="facilities")
    name = models.CharField(_("name"), max_length=50)
    kind = models.CharField(_("kind"), max_length=20, choices=FacilityKind.choices, default=FacilityKind.OTHER)
    location = models.CharField(_("where"), max_length=50, blank=True)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("facility")
        verbose_name_plural = _("facilities")
        ordering = ["store", "name"]
        constraints = [models.UniqueConstraint(fields=["store", "name"], name="uniq_facility_name")]

    def __str__(self):
        return self.name


class FaultTicket(models.Model):
    """A broken facility reported to maintenance: an owner, a clock to fix it, states, a photo (S4.11)."""

    store = models.ForeignKey("org.Store", verbose_name=_("store"), on_delete=models.PROTECT, related_name="faults")
    facility = models.ForeignKey(Facility, verbose_name=_("facility"), on_delete=models.PROTECT, related_name="faults")
    description = models.CharField(_("what is wrong"), max_length=300)
    source = models.CharField(_("reported from"), max_length=10, choices=FaultSource.choices, default=FaultSource.PAGE)
    reported_at = models.DateTimeField(_("reported at"), default=timezone.now)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty when a customer reported it from the table's QR code."),
    )
    request = models.ForeignKey(
        LoungeRequest,
        verbose_name=_("customer's request"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="faults",
    )
    round_result = models.ForeignKey(
        "checks.RoundResult",
        verbose_name=_("round item"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="faults",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="fault_tickets",
    )
    owner_department = models.ForeignKey(
        "org.Department",
        verbose_name=_("owning department"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="fault_tickets",
    )
    promise = models.ForeignKey(
        "promises.Promise",
        verbose_name=_("promise"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    state = models.CharField(_("state"), max_length=12, choices=FaultState.choices, default=FaultState.OPEN)
    started_at = models.DateTimeField(_("work started at"), null=True, blank=True)
    fixed_at = models.DateTimeField(_("fixed at"), null=True, blank=True)
    fixed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("fixed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    fix_note = models.CharField(_("what was done"), max_length=300, blank=True)
    close_reason = models.CharField(_("reason"), max_length=200, blank=True)
    photo = models.ImageField(_("photo"), upload_to=fault_photo_path, blank=True)
    fix_photo = models.ImageField(
        _("photo after the fix"),
        upload_to=fault_photo_path,
        blank=True,
        help_text=_("Taken by whoever fixed it, to show it works again."),
    )

    class Meta:
        verbose_name = _("fault ticket")
        verbose_name_plural = _("fault tickets")
        ordering = ["-reported_at", "-id"]
        indexes = [
            models.Index(fields=["store", "reported_at"], name="fault_store_reported"),
            models.Index(fields=["facility"], condition=Q(state__in=["open", "in_progress"]), name="fault_open"),
        ]

    def __str__(self):
        return self.description

    @property
    def is_open(self) -> bool:
        return self.state in (FaultState.OPEN, FaultState.IN_PROGRESS)
