"""manage.py generate_group: a dealer group's stores × months of records, to measure the pages at scale."""

from datetime import date

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from demo.generate.run import CUSTOMERS_PER_STORE, database_empty, group_generate


class Command(BaseCommand):
    help = (
        "Generate a dealer group's data set into an empty database: --stores stores with their staff, "
        "customers and vehicles, and --months months of calls, messages, promises, complaints, lounge "
        "visits, requests, faults and hygiene rounds, with the demo's distributions (issue 10)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--stores", type=int, default=50)
        parser.add_argument("--months", type=int, default=12)
        parser.add_argument(
            "--end", type=date.fromisoformat, default=None, help="The day the data stops (default: today)."
        )
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--password", default="demo1234", help="The password of every generated account.")
        parser.add_argument("--customers", type=int, default=CUSTOMERS_PER_STORE, help="Customers per store.")
        parser.add_argument(
            "--workers", type=int, default=1, help="PostgreSQL: processes generating stores side by side."
        )
        parser.add_argument("--flush", action="store_true", help="Empty the database first (manage.py flush).")

    def handle(self, *args, stores, months, end, seed, password, customers, workers, flush, **options):
        if stores < 1 or months < 1:
            raise CommandError("--stores and --months must be at least 1.")
        if flush:
            call_command("flush", interactive=False, verbosity=0)
        if not database_empty():
            raise CommandError(
                "The database already holds stores or accounts: generate_group fills an empty database only. "
                "Use a new database, or --flush to empty this one first."
            )
        verbose = options["verbosity"] > 0
        result = group_generate(
            stores=stores,
            months=months,
            end=end,
            seed=seed,
            password=password,
            customers_per_store=customers,
            workers=workers,
            progress=self.stdout.write if verbose else None,
        )
        if not verbose:
            return
        self.stdout.write("")
        self.stdout.write("Rows per table:")
        width = max(len(name) for name in result.counts)
        for table, count in sorted(result.counts.items(), key=lambda item: -item[1]):
            self.stdout.write(f"  {table:<{width}}  {count:>12,}")
        self.stdout.write(f"  {'total':<{width}}  {sum(result.counts.values()):>12,}")
        self.stdout.write("")
        self.stdout.write(f"Sign-ins (password {password}):")
        for login, what in result.sign_ins:
            self.stdout.write(f"  {login:<22} {what}")
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Built in {result.seconds:.0f} s."))
