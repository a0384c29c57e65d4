from django.urls import path

from ..views import customers as views

urlpatterns = [
    path("", views.customer_list, name="customer_list"),
    path("new/", views.customer_create, name="customer_create"),
    path("search/", views.search, name="search"),
    path("<int:customer_pk>/", views.customer_detail, name="customer_detail"),
    path("<int:customer_pk>/edit/", views.customer_edit, name="customer_edit"),
    path("<int:customer_pk>/reveal/<str:field>/", views.reveal_phone, name="reveal_phone"),
    path("<int:customer_pk>/export/", views.customer_export, name="customer_export"),
    path("<int:customer_pk>/erase/", views.customer_erase, name="customer_erase"),
    path("<int:customer_pk>/vehicles/new/", views.vehicle_create, name="vehicle_create"),
    path("vehicles/", views.vehicle_list, name="vehicle_list"),
    path("vehicles/<int:vehicle_pk>/edit/", views.vehicle_edit, name="vehicle_edit"),
]
