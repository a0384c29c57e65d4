from django.urls import path

from ..views import staff

urlpatterns = [
    path("staff/", staff.staff_list, name="staff_list"),
    path("staff/new/", staff.staff_create, name="staff_create"),
    path("staff/<int:staff_pk>/", staff.staff_detail, name="staff_detail"),
    path("staff/<int:staff_pk>/edit/", staff.staff_edit, name="staff_edit"),
    path("staff/<int:staff_pk>/active/", staff.staff_set_active, name="staff_set_active"),
    path("staff/<int:staff_pk>/password/", staff.staff_set_password, name="staff_set_password"),
]
