"""Roll up the figures' days from the records: every store (or one) from its first record (or --from) to yesterday."""

from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Min
from django.utils import timezone

from org.models import Store

from ...rollups import base


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"Not a date (YYYY-MM-DD): {value}") from exc


def _first_record_day(store_id: int) -> date | None:
    """The earliest day any rolled-up family has a record of the store (one query per family)."""
    found = []
    for families in base.MODULES.values():
        for family in families(frozenset({store_id})):
            earliest = family.model.objects.filter(store_id=store_id).aggregate(first=Min(family.day_field))["first"]
            if earliest is not None:
                found.append(timezone.localdate(earliest))
    return min(found) if found else None


class Command(BaseCommand):
    help = "Rebuild the figures' daily rollups from the records (days before today)."

    def add_arguments(self, parser):
        parser.add_argument("--store", help="one store, by id or code (default: every store)")
        parser.add_argument("--from", dest="first", help="first day, YYYY-MM-DD (default: the store's first record)")
        parser.add_argument("--to", dest="last", help="last day, YYYY-MM-DD (default and at most: yesterday)")
        parser.add_argument("--chunk-days", type=int, default=31, help="days per transaction (default 31)")

    def handle(self, *args, store=None, first=None, last=None, chunk_days=31, **options):
        yesterday = timezone.localdate() - timedelta(days=1)
        last_day = min(_date(last), yesterday) if last else yesterday
        if store:
            stores = list(Store.objects.filter(code=store)) or (
                list(Store.objects.filter(pk=int(store))) if store.isdigit() else []
            )
            if not stores:
                raise CommandError(f"No such store: {store}")
        else:
            stores = list(Store.objects.order_by("pk"))
        total = 0
        for each in stores:
            first_day = _date(first) if first else _first_record_day(each.pk)
            if first_day is None or first_day > last_day:
                self.stdout.write(f"{each.code}: nothing to roll up")
                continue
            started = timezone.now()
            done = 0
            lo = first_day
            while lo <= last_day:
                hi = min(lo + timedelta(days=max(chunk_days, 1) - 1), last_day)
                done += base.rollups_rebuild(store_id=each.pk, first=lo, last=hi)
                lo = hi + timedelta(days=1)
            seconds = (timezone.now() - started).total_seconds()
            self.stdout.write(f"{each.code}: {first_day} – {last_day}, {done} store-days in {seconds:.1f} s")
            total += done
        self.stdout.write(self.style.SUCCESS(f"{total} store-days rolled up"))
