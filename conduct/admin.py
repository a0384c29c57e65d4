from django.contrib import admin

from .models import AttendanceBatch, AttendanceDay, CarryOver, ConductSettings, DisciplineRecord


@admin.register(DisciplineRecord)
class DisciplineRecordAdmin(admin.ModelAdmin):
    list_display = ["occurred_at", "person", "kind", "rule_id", "state", "store"]
    list_filter = ["store", "kind", "state"]
    raw_id_fields = ["person", "recorded_by", "decided_by", "attendance_day", "promise"]

    def has_delete_permission(self, request, obj=None):
        """A discipline record is never deleted: a withdrawn one or a dismissed draft stays visible as such."""
        return False


@admin.register(AttendanceBatch)
class AttendanceBatchAdmin(admin.ModelAdmin):
    list_display = ["created_at", "store", "file_name", "state", "rows", "days_written"]
    list_filter = ["store", "state"]


@admin.register(AttendanceDay)
class AttendanceDayAdmin(admin.ModelAdmin):
    list_display = ["date", "person", "clock_in", "clock_out", "late_minutes", "early_minutes", "missing_punch"]
    list_filter = ["store"]
    raw_id_fields = ["person", "batch"]


admin.site.register(ConductSettings)
admin.site.register(CarryOver)
