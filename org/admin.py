"""Django admin for configuration by the system's operators.

Day-to-day changes go through the organisation pages, which check the store wall and keep the
history; the admin is for setting up a deployment and repairing data.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import BusinessHours, DealerGroup, Department, SignInAttempt, Store, StoreClosure, User


@admin.register(DealerGroup)
class DealerGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "created_at"]
    search_fields = ["name"]


class BusinessHoursInline(admin.TabularInline):
    model = BusinessHours
    extra = 0
    max_num = 7


class StoreClosureInline(admin.TabularInline):
    model = StoreClosure
    extra = 0


@admin.register(Store)
class StoreAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "brand", "city", "group", "active"]
    list_filter = ["group", "active", "brand", "city"]
    search_fields = ["code", "name", "city"]
    inlines = [BusinessHoursInline, StoreClosureInline]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "store", "active"]
    list_filter = ["kind", "active", "store"]
    search_fields = ["name", "store__code", "store__name"]
    list_select_related = ["store"]


@admin.register(StoreClosure)
class StoreClosureAdmin(admin.ModelAdmin):
    list_display = ["date", "store", "reason"]
    list_filter = ["store"]
    date_hierarchy = "date"
    list_select_related = ["store"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """Django's user admin with the staff fields: one name instead of first and last name."""

    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (
            _("Person"),
            {"fields": ("name", "employee_no", "gender", "position", "email", "extension", "badge_no", "language")},
        ),
        (
            _("Role and stores"),
            {"fields": ("role", "group", "store", "department", "supervised_departments", "extra_stores")},
        ),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "name", "role", "group", "store", "usable_password", "password1", "password2"),
            },
        ),
    )
    list_display = ["username", "name", "employee_no", "role", "store", "department", "is_active"]
    list_filter = ["role", "is_active", "store", "is_superuser"]
    list_select_related = ["store", "department"]
    search_fields = ["username", "name", "employee_no", "email"]
    ordering = ["username"]
    filter_horizontal = ["supervised_departments", "extra_stores", "groups", "user_permissions"]
    autocomplete_fields = ["store", "department"]


@admin.register(SignInAttempt)
class SignInAttemptAdmin(admin.ModelAdmin):
    """Read-only: the record of sign-in attempts is evidence, not configuration."""

    list_display = ["at", "login", "ip", "succeeded"]
    list_filter = ["succeeded"]
    search_fields = ["login", "ip"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
