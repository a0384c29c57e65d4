"""The lounge's pages: the board and visits, customers' requests and seats, facilities and faults."""

from .faults import urlpatterns as fault_urls
from .requests import urlpatterns as request_urls
from .visits import urlpatterns as visit_urls

app_name = "lounge"
urlpatterns = visit_urls + request_urls + fault_urls
