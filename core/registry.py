"""The one way an app contributes to a shared place without the place knowing the app.

The customer's timeline (customers.selectors.TIMELINE) and the worker's scheduled jobs
(promises.services.WORKER_JOBS) each hold a Registry; an app adds its piece in its ``AppConfig.ready`` with ``REGISTRY.register(name, item)``. A name is added once (ready may
run twice in tests); the order is the order of INSTALLED_APPS.
"""

from collections.abc import Iterator
from typing import Generic, TypeVar

T = TypeVar("T")


class Registry(Generic[T]):
    """Named items, in the order they were registered."""

    def __init__(self, what: str):
        self.what = what
        self._items: dict[str, T] = {}

    def register(self, name: str, item: T) -> T:
        self._items.setdefault(name, item)
        return item

    def items(self) -> list[tuple[str, T]]:
        return list(self._items.items())

    def __iter__(self) -> Iterator[T]:
        return iter(list(self._items.values()))

    def __contains__(self, name: str) -> bool:
        return name in self._items

    def __repr__(self) -> str:
        return f"<Registry of {self.what}: {', '.join(self._items)}>"
