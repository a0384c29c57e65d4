from django.contrib import admin

from .models import Area, ChecklistTemplate, CorrectiveAction, Round, RoundResult, TemplateItem


class TemplateItemInline(admin.TabularInline):
    model = TemplateItem
    extra = 0
    fields = ["position", "text", "rule_id", "kind", "min_value", "max_value", "unit", "photo_on_fail"]


@admin.register(ChecklistTemplate)
class ChecklistTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "store", "purpose", "active", "updated_at"]
    list_filter = ["store", "purpose", "active"]
    search_fields = ["name"]
    inlines = [TemplateItemInline]


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["name", "store", "template", "department", "every_minutes", "due_within_minutes", "active"]
    list_filter = ["store", "active"]


class RoundResultInline(admin.TabularInline):
    model = RoundResult
    extra = 0
    fields = ["position", "rule_id", "text", "kind", "passed", "value", "comment", "photo"]
    readonly_fields = ["position", "rule_id", "text", "kind"]


@admin.register(Round)
class RoundAdmin(admin.ModelAdmin):
    list_display = ["scheduled_for", "store", "area", "template_name", "state", "score", "on_time", "submitted_by"]
    list_filter = ["store", "state", "purpose"]
    raw_id_fields = ["promise", "submitted_by", "template", "area"]
    inlines = [RoundResultInline]


@admin.register(CorrectiveAction)
class CorrectiveActionAdmin(admin.ModelAdmin):
    list_display = ["created_at", "store", "description", "owner", "owner_department", "state", "done_at"]
    list_filter = ["store", "state"]
    raw_id_fields = ["result", "owner", "promise", "done_by"]
