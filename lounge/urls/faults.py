"""Facilities and fault tickets (S4.11); part of the lounge's URLs (namespace lounge)."""

from django.urls import path

from lounge.views import faults as views

urlpatterns = [
    path("facilities/", views.facility_list, name="facility_list"),
    path("facilities/new/", views.facility_create, name="facility_create"),
    path("facilities/<int:facility_pk>/edit/", views.facility_edit, name="facility_edit"),
    path("facilities/defaults/<int:store_pk>/", views.facility_defaults, name="facility_defaults"),
    path("faults/", views.fault_list, name="fault_list"),
    path("faults/new/", views.fault_report, name="fault_report"),
    path("faults/<int:fault_pk>/", views.fault_detail, name="fault_detail"),
    path("faults/<int:fault_pk>/start/", views.fault_start, name="fault_start"),
    path("faults/<int:fault_pk>/fix/", views.fault_fix, name="fault_fix"),
    path("faults/<int:fault_pk>/close/", views.fault_close, name="fault_close"),
    path("faults/<int:fault_pk>/photo/", views.fault_photo, name="fault_photo"),
    path("faults/<int:fault_pk>/photo/fixed/", views.fault_fix_photo, name="fault_fix_photo"),
]
