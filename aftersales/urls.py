from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from .api import api

handler400 = "core.views.bad_request"
handler404 = "core.views.not_found"

urlpatterns = [
    path("", include("home.urls")),
    path("", include("org.urls.signin")),
    path("", include("core.urls")),
    path("org/", include("org.urls")),
    path("customers/", include("customers.urls")),
    path("promises/", include("promises.urls")),
    path("phone/", include("phone.urls")),
    path("complaints/", include("complaints.urls")),
    path("checks/", include("checks.urls")),
    path("lounge/", include("lounge.urls")),
    path("conduct/", include("conduct.urls")),
    path("q/", include("lounge.public.urls")),
    path("insights/", include("insights.urls")),
    path("api/v1/", api.urls),
    # the admin signs in through the product's own sign-in page, which throttles guessing (org.auth)
    path("admin/login/", RedirectView.as_view(pattern_name="login", query_string=True), name="admin_login"),
    path("admin/", admin.site.urls),
]
