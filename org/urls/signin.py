"""Signing in and out, at the site's root (/signin/, /signout/) and without a namespace ("login", "logout")."""

from django.urls import path

from ..views import signin

urlpatterns = [
    path("signin/", signin.SignInView.as_view(), name="login"),
    path("signout/", signin.sign_out, name="logout"),
]
