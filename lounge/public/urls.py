"""The customer's page behind a table's QR code: no sign-in, no personal data, rate-limited.

Public by design: the seat's unguessable code is the only key (the store wall test skips "q/").
"""

from django.urls import path

from . import views

app_name = "table"
urlpatterns = [
    path("<str:seat_token>/", views.table_home, name="home"),
    path("<str:seat_token>/r/<str:receipt>/", views.table_receipt, name="receipt"),
]
