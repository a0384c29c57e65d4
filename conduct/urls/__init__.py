"""The conduct app's pages: discipline records, the store's discipline settings, and attendance."""

from .attendance import urlpatterns as attendance_urls
from .records import urlpatterns as record_urls
from .settings import urlpatterns as settings_urls

app_name = "conduct"
urlpatterns = record_urls + settings_urls + attendance_urls
