from django.urls import path

from ..views import imports as views

urlpatterns = [
    path("", views.import_start, name="import_start"),
    path("jobs/", views.import_list, name="import_list"),
    path("<int:job_pk>/", views.import_job, name="import_job"),
    path("<int:job_pk>/columns/", views.import_mapping, name="import_mapping"),
    path("<int:job_pk>/step/", views.import_step, name="import_step"),
    path("<int:job_pk>/import/", views.import_commit, name="import_commit"),
    path("<int:job_pk>/cancel/", views.import_cancel, name="import_cancel"),
    path("<int:job_pk>/errors.xlsx", views.import_errors_download, name="import_errors_download"),
]
