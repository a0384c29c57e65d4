"""The checks API: rounds and their results (behind the store wall)."""

from ninja import Router

router = Router(tags=["checks"])
