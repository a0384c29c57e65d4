from django.urls import path

from . import import_views

urlpatterns = [
    path("", import_views.import_start, name="import_start"),
    path("jobs/", import_views.import_list, name="import_list"),
    path("<int:job_pk>/", import_views.import_job, name="import_job"),
    path("<int:job_pk>/columns/", import_views.import_mapping, name="import_mapping"),
    path("<int:job_pk>/step/", import_views.import_step, name="import_step"),
    path("<int:job_pk>/import/", import_views.import_commit, name="import_commit"),
    path("<int:job_pk>/cancel/", import_views.import_cancel, name="import_cancel"),
    path("<int:job_pk>/errors.xlsx", import_views.import_errors_download, name="import_errors_download"),
]
