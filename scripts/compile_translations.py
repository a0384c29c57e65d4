#!/usr/bin/env python3
"""Compile every locale/<lang>/LC_MESSAGES/*.po of the project into its .mo, in pure Python.

Does what `manage.py compilemessages` does without GNU gettext's msgfmt, so that scripts/serve
needs no system packages: fuzzy and untranslated messages are left out (the English text shows),
and so are messages whose placeholders do not match the original (reported as warnings;
scripts/check_translations.py fails on them). A .mo is rewritten only when its content changes.

Usage: scripts/compile_translations.py [PO_FILE ...]   (default: every .po of the project)
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pofile import PoSyntaxError, format_problems, mo_bytes, parse

ROOT = Path(__file__).resolve().parent.parent
SKIP_DIRS = {".venv", "venv", "data", "node_modules", ".git", "static"}


def project_po_files(root: Path = ROOT) -> list[Path]:
    """locale/*/LC_MESSAGES/*.po of the project and of each app (not of installed packages)."""
    found = sorted(root.glob("locale/*/LC_MESSAGES/*.po"))
    for child in sorted(root.iterdir()):
        if child.is_dir() and child.name not in SKIP_DIRS and not child.name.startswith("."):
            found += sorted(child.glob("locale/*/LC_MESSAGES/*.po"))
    return found


def compile_file(po: Path) -> bool:
    """Write the .mo beside the .po; True if it changed."""
    entries = parse(po)
    for entry in entries:
        if entry.obsolete or entry.fuzzy:
            continue
        for problem in format_problems(entry):
            print(f"warning: {po}: {entry.label()}: {problem}; left out", file=sys.stderr)
    content = mo_bytes(entries)
    mo = po.with_suffix(".mo")
    if mo.exists() and mo.read_bytes() == content:
        return False
    tmp = mo.with_suffix(".mo.tmp")
    tmp.write_bytes(content)
    tmp.replace(mo)
    return True


def main(argv: list[str]) -> int:
    files = [Path(arg) for arg in argv] or project_po_files()
    if not files:
        print("No .po files found; nothing to compile.")
        return 0
    for po in files:
        try:
            changed = compile_file(po)
        except (OSError, UnicodeDecodeError, PoSyntaxError) as exc:
            print(f"error: cannot compile {po}: {exc}", file=sys.stderr)
            return 1
        shown = po.relative_to(ROOT) if po.resolve().is_relative_to(ROOT) else po
        print(f"{'compiled' if changed else 'up to date'}: {shown.with_suffix('.mo')}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
