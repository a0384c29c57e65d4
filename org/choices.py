from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Role(models.TextChoices):
    """What a person may see and do; the store wall is decided from this and their stores."""

    GROUP_ADMIN = "group_admin", _("Group administrator")
    STORE_MANAGER = "store_manager", _("Store manager")
    SUPERVISOR = "supervisor", _("Supervisor")
    STAFF = "staff", _("Staff")
    AUDITOR = "auditor", _("Auditor")


class DepartmentKind(models.TextChoices):
    """Department kinds named by the standards (S2.2) and a dealership's after-sales floor."""

    CUSTOMER_SERVICE = "customer_service", _("Customer service department")
    RENEWAL = "renewal", _("Insurance renewal department")
    LOUNGE = "lounge", _("Customer lounge")
    LEISURE = "leisure", _("Leisure centre")
    FRONT_DESK = "front_desk", _("Service front desk")
    WORKSHOP = "workshop", _("Repair workshop")
    PARTS = "parts", _("Parts department")
    OTHER = "other", pgettext_lazy("department kind", "Other")


class Gender(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    UNSPECIFIED = "", _("Not given")


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class RosterKind(models.TextChoices):
    """What a person's roster says about one day (S1.D1a): at work on a shift, resting, or on leave."""

    WORK = "work", pgettext_lazy("roster day", "Working")
    REST = "rest", pgettext_lazy("roster day", "Rest day")
    LEAVE = "leave", pgettext_lazy("roster day", "On leave")
