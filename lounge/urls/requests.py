"""Customers' requests and the lounge's seats with their QR codes (S4.2, S4.5)."""

from django.urls import path

from lounge.views import requests as views

urlpatterns = [
    path("requests/", views.request_list, name="request_list"),
    path("requests/new/", views.request_create, name="request_create"),
    path("requests/<int:request_pk>/acknowledge/", views.request_acknowledge, name="request_acknowledge"),
    path("requests/<int:request_pk>/done/", views.request_done, name="request_done"),
    path("requests/<int:request_pk>/cancel/", views.request_cancel, name="request_cancel"),
    path("seats/", views.seat_list, name="seat_list"),
    path("seats/new/", views.seat_create, name="seat_create"),
    path("seats/print/", views.seat_print, name="seat_print"),
    path("seats/<int:seat_pk>/edit/", views.seat_edit, name="seat_edit"),
    path("seats/<int:seat_pk>/reissue/", views.seat_reissue, name="seat_reissue"),
    path("seats/<int:seat_pk>/qr.png", views.seat_qr_png, name="seat_qr_png"),
]
