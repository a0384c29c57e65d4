"""Discipline records (S1.D1a–c, S1.D3, S1.D4); part of the conduct app's URLs (namespace conduct)."""

from django.urls import path

from ..views import records as views

urlpatterns = [
    path("records/", views.record_list, name="record_list"),
    path("records/new/", views.record_create, name="record_create"),
    path("records/drafts/", views.draft_list, name="draft_list"),
    path("records/<int:record_pk>/", views.record_detail, name="record_detail"),
    path("records/<int:record_pk>/acknowledge/", views.record_acknowledge, name="record_acknowledge"),
    path("records/<int:record_pk>/contest/", views.record_contest, name="record_contest"),
    path("records/<int:record_pk>/decide/", views.record_decide, name="record_decide"),
    path("records/<int:record_pk>/confirm/", views.record_confirm, name="record_confirm"),
    path("records/<int:record_pk>/dismiss/", views.record_dismiss, name="record_dismiss"),
    path("records/<int:record_pk>/photo/", views.record_photo, name="record_photo"),
]
