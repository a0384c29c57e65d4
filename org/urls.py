from django.urls import path

from . import views

app_name = "org"
urlpatterns = [
    path("stores/", views.store_list, name="store_list"),
    path("stores/new/", views.store_create, name="store_create"),
    path("stores/<int:store_pk>/", views.store_detail, name="store_detail"),
    path("stores/<int:store_pk>/edit/", views.store_edit, name="store_edit"),
    path("stores/<int:store_pk>/hours/", views.business_hours_edit, name="business_hours_edit"),
    path("stores/<int:store_pk>/closures/new/", views.closure_add, name="closure_add"),
    path("closures/<int:closure_pk>/remove/", views.closure_remove, name="closure_remove"),
    path("stores/<int:store_pk>/departments/new/", views.department_create, name="department_create"),
    path("departments/<int:department_pk>/edit/", views.department_edit, name="department_edit"),
    path("staff/", views.staff_list, name="staff_list"),
    path("staff/new/", views.staff_create, name="staff_create"),
    path("staff/<int:staff_pk>/", views.staff_detail, name="staff_detail"),
    path("staff/<int:staff_pk>/edit/", views.staff_edit, name="staff_edit"),
    path("staff/<int:staff_pk>/active/", views.staff_set_active, name="staff_set_active"),
    path("staff/<int:staff_pk>/password/", views.staff_set_password, name="staff_set_password"),
]
