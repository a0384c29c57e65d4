"""The tests' clock: moments in Beijing time, written as text.

    at("2026-11-27 17:30")  → 2026-11-27 17:30 +08:00

Every test that depends on the moment sets it with time_machine (the whole suite also runs with the
clock moved; see scripts/test --at). Build moments with ``at`` rather than a local helper.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

BEIJING = ZoneInfo("Asia/Shanghai")


def at(text: str) -> datetime:
    """An aware moment in Beijing time from "YYYY-MM-DD HH:MM[:SS]" (or any ISO text without an offset)."""
    return datetime.fromisoformat(text).replace(tzinfo=BEIJING)
