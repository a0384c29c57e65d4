#!/usr/bin/env python3
"""Fail unless the zh_Hans translation is complete and up to date.

1. Complete: no message of locale/zh_Hans/LC_MESSAGES/django.po is fuzzy (the header included)
   or has an empty translation (every plural form counts, and a plural message has exactly the
   header's nplurals forms), and python-format placeholders match the original.
2. Up to date: `manage.py makemessages -l zh_Hans` run on a copy of the project (so the real
   .po is never touched) finds exactly the messages the .po has: none missing, none stale.
   This step needs GNU gettext's xgettext (Debian's gettext package; scripts/test installs it).

Usage: scripts/check_translations.py [--no-source-check] [PO_FILE]
Run it with the project's virtual environment's Python (the source check runs manage.py).
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pofile import PoSyntaxError, format_problems, nplurals, parse

ROOT = Path(__file__).resolve().parent.parent
LOCALE = "zh_Hans"
DEFAULT_PO = ROOT / "locale" / LOCALE / "LC_MESSAGES" / "django.po"
# Not part of the source: the virtual environment, runtime data, caches and test output.
COPY_IGNORE = shutil.ignore_patterns(
    ".venv",
    "venv",
    "data",
    ".git",
    ".hypothesis",
    ".ruff_cache",
    ".pytest_cache",
    "__pycache__",
    "*.pyc",
    "node_modules",
    "test-results",
    "*.mo",
    "*.sqlite3",
    "*.sqlite3-*",
)


def completeness_problems(po: Path) -> list[str]:
    entries = parse(po)
    live = [e for e in entries if not e.obsolete]
    problems = []
    forms = nplurals(entries)
    if not any(e.is_header for e in live):
        problems.append('the header (msgid "") is missing')
    elif forms is None:
        problems.append("the header has no Plural-Forms: nplurals=…")
    for entry in live:
        where = "the header" if entry.is_header else entry.label()
        if entry.fuzzy:
            problems.append(f"{where} is marked fuzzy: check the translation and remove the flag")
        if entry.is_header:
            continue
        if entry.msgid_plural is not None and forms is not None and sorted(entry.msgstr_plural) != list(range(forms)):
            problems.append(f"{where} has plural forms {sorted(entry.msgstr_plural)}, expected 0..{forms - 1}")
        elif not entry.translated:
            problems.append(f"{where} is not translated")
        problems.extend(f"{where}: {problem}" for problem in format_problems(entry))
    return problems


def source_problems(po: Path) -> list[str]:
    """Run makemessages on a copy of the project and compare its messages with the .po's."""
    missing_tools = [tool for tool in ("xgettext", "msguniq", "msgmerge") if shutil.which(tool) is None]
    if missing_tools:
        return [
            f"cannot compare with the source: {', '.join(missing_tools)} not found "
            "(install GNU gettext: apt-get install gettext)"
        ]
    if not po.resolve().is_relative_to(ROOT):
        return [f"cannot compare {po} with the source: it is not inside {ROOT} (use --no-source-check)"]
    with tempfile.TemporaryDirectory(prefix="aftersales-messages-") as tmp:
        copy = Path(tmp) / "project"
        shutil.copytree(ROOT, copy, ignore=COPY_IGNORE, symlinks=True)
        relative = po.resolve().relative_to(ROOT)
        (copy / relative).unlink(missing_ok=True)  # a fresh file: only what the source says today
        (copy / relative).parent.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "AFTERSALES_DATA_DIR": str(Path(tmp) / "data"), "PYTHONDONTWRITEBYTECODE": "1"}
        env.pop("DATABASE_URL", None)
        domain = po.stem
        result = subprocess.run(
            [sys.executable, "manage.py", "makemessages", "--locale", LOCALE, "--domain", domain, "--no-location"],
            cwd=copy,
            env=env,
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            return [f"makemessages failed:\n{result.stdout}{result.stderr}"]
        fresh = copy / relative
        if not fresh.exists():
            return [f"makemessages wrote no {relative}"]
        wanted = {e.key for e in parse(fresh) if not e.obsolete and not e.is_header}
    have = {e.key for e in parse(po) if not e.obsolete and not e.is_header}
    problems = []
    for key in sorted(wanted - have, key=_sort_key):
        problems.append(f"missing from the .po (new in the source): {_show(key)}")
    for key in sorted(have - wanted, key=_sort_key):
        problems.append(f"stale in the .po (no longer in the source): {_show(key)}")
    if problems:
        problems.append(
            "update the .po with: .venv/bin/python manage.py makemessages -l zh_Hans --no-obsolete "
            "--ignore=.venv --ignore=data, then translate the new messages"
        )
    return problems


def _sort_key(key: tuple) -> tuple:
    return tuple("" if part is None else part for part in key)


def _show(key: tuple) -> str:
    context, msgid, plural = key
    text = repr(msgid)
    if plural is not None:
        text += f" / plural {plural!r}"
    if context is not None:
        text += f" (context {context!r})"
    return text


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("po", nargs="?", type=Path, default=DEFAULT_PO, help="the .po file (default: %(default)s)")
    parser.add_argument(
        "--no-source-check", action="store_true", help="only check the .po itself; do not run makemessages"
    )
    args = parser.parse_args(argv)
    if not args.po.exists():
        print(f"FAIL: {args.po} does not exist; create it with manage.py makemessages -l {LOCALE}", file=sys.stderr)
        return 1
    try:
        problems = completeness_problems(args.po)
        if not args.no_source_check:
            problems += source_problems(args.po)
    except (OSError, UnicodeDecodeError, PoSyntaxError) as exc:
        print(f"FAIL: cannot read {args.po}: {exc}", file=sys.stderr)
        return 1
    if problems:
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        print(f"FAIL: {args.po}: {len(problems)} problem(s)", file=sys.stderr)
        return 1
    count = sum(1 for e in parse(args.po) if not e.obsolete and not e.is_header)
    checked = "complete" if args.no_source_check else "complete and up to date with the source"
    print(f"OK: {args.po} ({count} messages) is {checked}.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
