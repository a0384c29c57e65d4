from django.urls import path

from ..views import attendance as views

urlpatterns = [
    path("attendance/", views.attendance_list, name="attendance_list"),
    path("attendance/import/", views.attendance_import_start, name="attendance_import"),
    path("attendance/imports/", views.attendance_batch_list, name="attendance_batches"),
    path("attendance/imports/<int:batch_pk>/", views.attendance_batch, name="attendance_batch"),
    path("attendance/imports/<int:batch_pk>/columns/", views.attendance_batch_columns, name="attendance_batch_columns"),
    path("attendance/imports/<int:batch_pk>/import/", views.attendance_batch_confirm, name="attendance_batch_confirm"),
    path("attendance/imports/<int:batch_pk>/refuse/", views.attendance_batch_refuse, name="attendance_batch_refuse"),
]
