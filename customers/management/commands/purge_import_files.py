from django.core.management.base import BaseCommand

from customers.services.imports import import_files_purge


class Command(BaseCommand):
    help = "Delete the stored files of imports that ended more than --days days ago (personal data retention)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=30, help="Keep files this many days after the import ended.")

    def handle(self, *args, days, **options):
        if days < 0:
            self.stderr.write("--days must be 0 or more")
            raise SystemExit(2)
        count = import_files_purge(older_than_days=days)
        self.stdout.write(f"{count} import file(s) deleted")
