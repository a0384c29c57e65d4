"""The conduct app's pages: discipline records and the store's discipline settings (helpers add theirs)."""

from .records import urlpatterns as record_urls
from .settings import urlpatterns as settings_urls

app_name = "conduct"
urlpatterns = record_urls + settings_urls
