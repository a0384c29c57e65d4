from django.urls import path

from ..views import roster

urlpatterns = [
    path("shifts/", roster.shift_list, name="shift_list"),
    path("shifts/new/", roster.shift_create, name="shift_create"),
    path("shifts/<int:shift_pk>/edit/", roster.shift_edit, name="shift_edit"),
    path("roster/", roster.roster, name="roster"),
    path("roster/<int:person_pk>/<str:day>/", roster.roster_cell, name="roster_cell"),
    path("roster/fill/", roster.roster_fill, name="roster_fill"),
    path("roster/import/", roster.roster_import, name="roster_import"),
    path("roster/export/", roster.roster_export, name="roster_export"),
]
