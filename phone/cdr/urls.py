"""URLs of the call-record import; included into phone/urls.py (namespace "phone") under records/."""

from django.urls import path

from . import views

urlpatterns = [
    path("import/", views.cdr_import_start, name="cdr_import_start"),
    path("import/<int:cdr_pk>/", views.cdr_import_detail, name="cdr_import"),
    path("import/<int:cdr_pk>/step/", views.cdr_import_step, name="cdr_import_step"),
]
