"""The conduct API, one router per concept: discipline records (attendance batches are added by their module)."""

from ninja import Router

from .records import router as records_router

router = Router(tags=["conduct"])
router.add_router("", records_router)
