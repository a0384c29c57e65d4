"""The organisation's pages under /org/ (namespace "org"); signing in and out is org.urls.signin, at the root."""

from . import roster, staff, stores

app_name = "org"
urlpatterns = stores.urlpatterns + staff.urlpatterns + roster.urlpatterns
