"""The conduct API, one router per concept: discipline records and attendance."""

from ninja import Router

from .attendance import router as attendance_router
from .records import router as records_router

router = Router(tags=["conduct"])
router.add_router("", records_router)
router.add_router("", attendance_router)
