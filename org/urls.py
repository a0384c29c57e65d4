from django.urls import path

from . import views

app_name = "org"
urlpatterns = [
    path("stores/", views.store_list, name="store_list"),
    path("stores/<int:store_pk>/", views.store_detail, name="store_detail"),
    path("staff/", views.staff_list, name="staff_list"),
]
