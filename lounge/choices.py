from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class RequestKind(models.TextChoices):
    """What a customer (from the table's QR code) or the board asks for (S4.2, S4.5, S4.11)."""

    REFILL = "refill", _("A refill")
    DRINK = "drink", _("A drink from the menu")
    HELP = "help", _("Help")
    ADVISOR = "advisor", _("My service advisor")
    FAULT = "fault", _("Something is broken")


class RequestSource(models.TextChoices):
    QR = "qr", _("Customer's QR code")
    BOARD = "board", _("Lounge board")
    API = "api", pgettext_lazy("source", "API")


class RequestState(models.TextChoices):
    """Received, someone on the way, done; or cancelled."""

    OPEN = "open", pgettext_lazy("request state", "Received")
    ON_WAY = "on_way", pgettext_lazy("request state", "On the way")
    DONE = "done", pgettext_lazy("request state", "Done")
    CANCELLED = "cancelled", pgettext_lazy("request state", "Cancelled")


class FacilityKind(models.TextChoices):
    """The lounge facilities S4.8 and S4.11 name, and the usual others."""

    TV = "tv", _("TV")
    AUDIO = "audio", _("Audio")
    WATER_DISPENSER = "water_dispenser", _("Water dispenser")
    COFFEE_MACHINE = "coffee_machine", _("Coffee machine")
    AIR_CONDITIONING = "air_conditioning", _("Air conditioning")
    WIFI = "wifi", _("Wi-Fi")
    CHARGING = "charging", _("Charging point")
    MASSAGE_CHAIR = "massage_chair", _("Massage chair")
    OTHER = "other", pgettext_lazy("facility kind", "Other")


class FaultSource(models.TextChoices):
    BOARD = "board", _("Lounge board")
    ROUND = "round", _("Hygiene round")
    QR = "qr", _("Customer's QR code")
    PAGE = "page", _("Facilities page")
    API = "api", pgettext_lazy("source", "API")


class FaultState(models.TextChoices):
    """A maintenance ticket: reported, being fixed, fixed; or closed without a fix, with a reason."""

    OPEN = "open", pgettext_lazy("fault state", "Reported")
    IN_PROGRESS = "in_progress", pgettext_lazy("fault state", "Being fixed")
    FIXED = "fixed", pgettext_lazy("fault state", "Fixed")
    CANCELLED = "cancelled", pgettext_lazy("fault state", "Closed without a fix")


# A request still waiting or with someone on the way; a ticket open or being fixed (its facility is out of order).
REQUEST_OPEN_STATES = (RequestState.OPEN, RequestState.ON_WAY)
FAULT_OPEN_STATES = (FaultState.OPEN, FaultState.IN_PROGRESS)
