import pytest
import time_machine

from tests.clock import at


@pytest.fixture
def noon():
    """A Monday at noon, the clock frozen there (the store world is open 08:30–18:00 every day)."""
    moment = at("2026-11-30 12:00")
    with time_machine.travel(moment, tick=False):
        yield moment
