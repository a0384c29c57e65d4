from django.urls import path

from ..views import stores

urlpatterns = [
    path("stores/", stores.store_list, name="store_list"),
    path("stores/new/", stores.store_create, name="store_create"),
    path("stores/<int:store_pk>/", stores.store_detail, name="store_detail"),
    path("stores/<int:store_pk>/edit/", stores.store_edit, name="store_edit"),
    path("stores/<int:store_pk>/hours/", stores.business_hours_edit, name="business_hours_edit"),
    path("stores/<int:store_pk>/closures/new/", stores.closure_add, name="closure_add"),
    path("closures/<int:closure_pk>/remove/", stores.closure_remove, name="closure_remove"),
    path("stores/<int:store_pk>/departments/new/", stores.department_create, name="department_create"),
    path("departments/<int:department_pk>/edit/", stores.department_edit, name="department_edit"),
]
