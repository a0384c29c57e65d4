"""manage.py load_demo: demo data on first start only, then the demo sign-ins."""

from django.core.management.base import BaseCommand

from demo.load import DEMO_PASSWORD, demo_load, demo_present, sign_ins


class Command(BaseCommand):
    help = (
        "Load the demo dealer group (two stores, staff in every role, 300 customers, 350 vehicles) "
        "into an empty database, and print the demo sign-ins. Does nothing if the database already "
        "holds stores or accounts, so it is safe to run on every start."
    )

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true", help="Do not print the demo sign-ins.")

    def handle(self, *args, quiet, **options):
        result = demo_load()
        if result.loaded:
            counts = ", ".join(f"{count} {name}" for name, count in result.counts.items())
            self.stdout.write(self.style.SUCCESS(f"Demo data loaded: {counts}."))
        else:
            self.stdout.write(f"Nothing loaded: {result.reason}.")
        if quiet or not demo_present():
            return
        rows = sign_ins()
        if not rows:
            return
        self.stdout.write("")
        self.stdout.write(
            f"Demo sign-ins (sign in with the username or the employee number; password {DEMO_PASSWORD}):"
        )
        columns = [
            ("username", "username"),
            ("employee_no", "employee no."),
            ("password", "password"),
            ("role", "role"),
            ("name", "name"),
            ("position", "position"),
            ("stores", "store"),
        ]
        widths = {key: max(_width(title), *(_width(row[key]) for row in rows)) for key, title in columns}
        self.stdout.write("  " + "  ".join(_pad(title, widths[key]) for key, title in columns).rstrip())
        for row in rows:
            self.stdout.write("  " + "  ".join(_pad(row[key], widths[key]) for key, _title in columns).rstrip())


def _width(text: str) -> int:
    """Columns the text takes in a terminal: Chinese characters take two."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
