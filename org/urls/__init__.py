"""The organisation's pages under /org/ (namespace "org"); signing in and out is org.urls.signin, at the root."""

from . import staff, stores

app_name = "org"
urlpatterns = stores.urlpatterns + staff.urlpatterns
