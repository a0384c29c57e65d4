"""The lounge's records in Django's admin (operators only; the product's own pages are the way to work)."""

from django.contrib import admin

from .models import Drink, Facility, FaultTicket, LoungeRequest, LoungeSettings, Seat, Serving, Visit


@admin.register(LoungeSettings)
class LoungeSettingsAdmin(admin.ModelAdmin):
    list_display = ["store", "greet_within_seconds", "refill_every_minutes", "help_within_minutes", "fix_within_hours"]


@admin.register(Drink)
class DrinkAdmin(admin.ModelAdmin):
    list_display = ["name", "store", "position", "available", "active"]
    list_filter = ["store", "available", "active"]


@admin.register(Seat)
class SeatAdmin(admin.ModelAdmin):
    list_display = ["label", "store", "active", "issued_at"]
    list_filter = ["store", "active"]


class ServingInline(admin.TabularInline):
    model = Serving
    extra = 0
    raw_id_fields = ["drink", "served_by"]


@admin.register(Visit)
class VisitAdmin(admin.ModelAdmin):
    list_display = ["arrived_at", "store", "customer", "guest_name", "first_visit", "greet_seconds", "departed_at"]
    list_filter = ["store", "first_visit"]
    raw_id_fields = [
        "customer",
        "vehicle",
        "seat",
        "arrival_recorded_by",
        "greeted_by",
        "introduced_by",
        "farewell_by",
        "greet_promise",
        "refill_promise",
    ]
    inlines = [ServingInline]


@admin.register(LoungeRequest)
class LoungeRequestAdmin(admin.ModelAdmin):
    list_display = ["created_at", "store", "kind", "seat", "state", "source"]
    list_filter = ["store", "kind", "state", "source"]
    raw_id_fields = ["seat", "visit", "drink", "acknowledged_by", "done_by", "promise"]


@admin.register(Facility)
class FacilityAdmin(admin.ModelAdmin):
    list_display = ["name", "store", "kind", "location", "active"]
    list_filter = ["store", "kind", "active"]


@admin.register(FaultTicket)
class FaultTicketAdmin(admin.ModelAdmin):
    list_display = ["reported_at", "store", "facility", "state", "source"]
    list_filter = ["store", "state", "source"]
    raw_id_fields = ["facility", "reported_by", "request", "round_result", "owner", "owner_department", "promise"]
