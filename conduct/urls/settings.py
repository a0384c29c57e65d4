"""A store's discipline settings; part of the conduct app's URLs (namespace conduct)."""

from django.urls import path

from ..views import settings as views

urlpatterns = [
    path("settings/<int:store_pk>/", views.settings_edit, name="settings"),
]
