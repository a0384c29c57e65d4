"""The customers app's pages: customers and vehicles, and under import/ the customer import."""

from django.urls import include, path

from . import customers, imports

app_name = "customers"
urlpatterns = [
    *customers.urlpatterns,
    path("import/", include(imports)),
]
