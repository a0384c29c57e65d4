"""Conduct's pages, one module per concept (the lead merges the others' modules here)."""

from .attendance import urlpatterns as attendance_urls

app_name = "conduct"
urlpatterns = attendance_urls
