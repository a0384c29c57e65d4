from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("signin/", views.SignInView.as_view(), name="login"),
    path("signout/", views.sign_out, name="logout"),
    path("language/", views.set_language, name="set_language"),
    path("standards/", views.standards, name="standards"),
    path("standards/<slug:slug>/", views.standard_detail, name="standard_detail"),
]
