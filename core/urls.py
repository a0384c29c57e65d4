from django.urls import path

from . import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("language/", views.set_language, name="set_language"),
    path("standards/", views.standards, name="standards"),
    path("standards/<slug:slug>/", views.standard_detail, name="standard_detail"),
]
