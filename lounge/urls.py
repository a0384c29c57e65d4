"""The lounge's pages: the board and visits, customers' requests and seats, facilities and faults."""

from .fault_urls import urlpatterns as fault_urls
from .request_urls import urlpatterns as request_urls
from .visit_urls import urlpatterns as visit_urls

app_name = "lounge"
urlpatterns = visit_urls + request_urls + fault_urls
