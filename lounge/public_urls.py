"""The customer's page behind a table's QR code: no sign-in, no personal data, rate-limited."""

from django.urls import path  # noqa: F401

app_name = "table"
urlpatterns = []
