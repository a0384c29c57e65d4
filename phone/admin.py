from django.contrib import admin

from .models import Call, GreetingScript, IncomingCall, Message, PhoneSettings


@admin.register(PhoneSettings)
class PhoneSettingsAdmin(admin.ModelAdmin):
    list_display = ["store", "ring_cycle_seconds", "max_rings", "missed_callback_minutes"]


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):
    list_display = ["started_at", "store", "direction", "number", "purpose", "outcome", "rings", "answered_by"]
    list_filter = ["store", "direction", "outcome", "missed"]
    raw_id_fields = ["customer", "answered_by", "returns_call", "logged_by"]


@admin.register(GreetingScript)
class GreetingScriptAdmin(admin.ModelAdmin):
    list_display = ["store", "department", "kind", "updated_at"]
    list_filter = ["store", "kind"]


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["taken_at", "store", "for_user", "for_department", "caller_name", "callback_wanted", "read_at"]
    raw_id_fields = ["call", "customer", "promise", "callback_call"]


@admin.register(IncomingCall)
class IncomingCallAdmin(admin.ModelAdmin):
    list_display = ["created_at", "store", "extension", "number", "user", "taken_at"]
