"""The lounge's page addresses that services put on promises and notifications, and views on their links.

URL builders live here, beside the views they point to, so that services write them without importing views.
"""

from django.urls import reverse


def store_page_url(name: str, store_id: int) -> str:
    """A lounge page (URL name in the namespace lounge) about one store: ``?store=<id>``."""
    return reverse(f"lounge:{name}") + f"?store={store_id}"


def board_url(store_id: int, visit_id: int | None = None) -> str:
    """The store's lounge board, scrolled to the visit's card when given."""
    return store_page_url("board", store_id) + (f"#visit-{visit_id}" if visit_id else "")


def request_list_url(store_id: int | None = None) -> str:
    """The desk's queue of requests, of the store when given."""
    return store_page_url("request_list", store_id) if store_id is not None else reverse("lounge:request_list")


def fault_url(fault) -> str:
    """One fault ticket's page."""
    return reverse("lounge:fault_detail", kwargs={"fault_pk": fault.pk})
