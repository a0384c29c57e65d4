from django.contrib import admin

from .models import PromiseRule


@admin.register(PromiseRule)
class PromiseRuleAdmin(admin.ModelAdmin):
    list_display = [
        "kind",
        "store",
        "remind_at_percent",
        "escalate_supervisor_after_minutes",
        "escalate_manager_after_minutes",
    ]
    list_filter = ["store"]
