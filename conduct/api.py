"""The conduct API: discipline records, attendance batches (helpers add the endpoints)."""

from ninja import Router

router = Router(tags=["conduct"])
