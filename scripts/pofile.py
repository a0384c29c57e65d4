"""A small reader for gettext .po files and a writer for .mo files (standard library only).

Used by scripts/check_translations.py and scripts/compile_translations.py, so that compiling
and checking the translations needs neither GNU gettext's msgfmt nor another dependency.
The .mo layout is GNU gettext's (the one Python's gettext module reads): a header, the
tables of original and translated strings, then the strings, sorted by original.
"""

import re
import struct
from dataclasses import dataclass, field
from pathlib import Path

MO_MAGIC = 0x950412DE
CONTEXT_SEPARATOR = "\x04"

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "f": "\f", "v": "\v", '"': '"', "\\": "\\"}
_ESCAPE = re.compile(r"\\(x[0-9a-fA-F]{1,2}|[0-7]{1,3}|.)")
_KEYWORD = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(\".*)$")
# Python %-format placeholders, as Django's translated strings use them: %(name)s, %s, %d …
_PLACEHOLDER = re.compile(
    r"%(?:\((?P<name>[^)]*)\))?[#0\- +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?(?P<type>[diouxXeEfFgGcrsa%])"
)


class PoSyntaxError(ValueError):
    def __init__(self, path, lineno: int, message: str):
        super().__init__(f"{path}:{lineno}: {message}")


@dataclass
class Entry:
    """One message of a .po file."""

    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: str = ""
    msgstr_plural: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False
    lineno: int = 0

    @property
    def is_header(self) -> bool:
        return self.msgid == "" and self.msgctxt is None

    @property
    def fuzzy(self) -> bool:
        return "fuzzy" in self.flags

    @property
    def key(self) -> tuple:
        """What identifies the message: context, singular and plural text."""
        return (self.msgctxt, self.msgid, self.msgid_plural)

    @property
    def translations(self) -> list[str]:
        if self.msgid_plural is None:
            return [self.msgstr]
        return [self.msgstr_plural[i] for i in sorted(self.msgstr_plural)]

    @property
    def translated(self) -> bool:
        """Every form has text (msgfmt leaves out messages with an empty form)."""
        return bool(self.translations) and all(self.translations)

    def label(self) -> str:
        context = f" (context {self.msgctxt!r})" if self.msgctxt is not None else ""
        return f"line {self.lineno}: {self.msgid!r}{context}"


def _unquote(text: str, path, lineno: int) -> str:
    text = text.strip()
    if len(text) < 2 or not (text.startswith('"') and text.endswith('"')):
        raise PoSyntaxError(path, lineno, f"expected a quoted string, found {text!r}")

    def replace(match):
        code = match.group(1)
        if code[0] == "x":
            return chr(int(code[1:], 16))
        if code[0] in "01234567":
            return chr(int(code, 8))
        if code in _ESCAPES:
            return _ESCAPES[code]
        raise PoSyntaxError(path, lineno, f"unknown escape \\{code}")

    return _ESCAPE.sub(replace, text[1:-1])


def parse(path: Path | str, text: str | None = None) -> list[Entry]:
    """The entries of a .po file, obsolete ones (#~) marked as such, in file order."""
    path = Path(path)
    if text is None:
        text = path.read_text(encoding="utf-8")
    entries: list[Entry] = []
    entry: Entry | None = None
    field_name: str | None = None  # the keyword a continuation line adds to
    seen_strings = False  # the entry has a msgid or msgstr yet (a comment then starts a new one)

    def finish():
        nonlocal entry, field_name, seen_strings
        if entry is not None and seen_strings:
            entries.append(entry)
        entry, field_name, seen_strings = None, None, False

    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        obsolete = False
        if line.startswith("#~"):
            obsolete = True
            line = line[2:].strip()
            if line.startswith("|") or not line:
                continue
        if not line:
            finish()
            continue
        if line.startswith("#"):
            if seen_strings:
                finish()
            if entry is None:
                entry = Entry(lineno=lineno)
            if line.startswith("#,"):
                entry.flags.update(flag.strip() for flag in line[2:].split(",") if flag.strip())
            continue
        if line.startswith('"'):
            if entry is None or field_name is None:
                raise PoSyntaxError(path, lineno, "a string continues no keyword")
            _append(entry, field_name, _unquote(line, path, lineno))
            continue
        match = _KEYWORD.match(line)
        if not match:
            raise PoSyntaxError(path, lineno, f"cannot read {line[:40]!r}")
        keyword, index, value = match.group(1), match.group(2), _unquote(match.group(3), path, lineno)
        if keyword in ("msgctxt", "msgid") and seen_strings and field_name and field_name.startswith("msgstr"):
            finish()  # a new message without a blank line between
        if entry is None:
            entry = Entry(lineno=lineno)
        if keyword == "msgid":
            entry.lineno = lineno
        entry.obsolete = entry.obsolete or obsolete
        seen_strings = True
        if index is not None:
            field_name = f"msgstr[{index}]"
            entry.msgstr_plural[int(index)] = ""
        else:
            field_name = keyword
        _set(entry, field_name, value)
    finish()
    for item in entries:
        if item.msgid_plural is None and item.msgstr_plural:
            raise PoSyntaxError(path, item.lineno, "msgstr[N] without msgid_plural")
        if item.msgid_plural is not None and not item.msgstr_plural:
            raise PoSyntaxError(path, item.lineno, "msgid_plural without msgstr[N]")
    return entries


def _set(entry: Entry, name: str, value: str) -> None:
    if name.startswith("msgstr["):
        entry.msgstr_plural[int(name[7:-1])] = value
    else:
        setattr(entry, name, value)


def _append(entry: Entry, name: str, value: str) -> None:
    if name.startswith("msgstr["):
        entry.msgstr_plural[int(name[7:-1])] += value
    else:
        setattr(entry, name, (getattr(entry, name) or "") + value)


def header_fields(entries: list[Entry]) -> dict[str, str]:
    for entry in entries:
        if entry.is_header and not entry.obsolete:
            pairs = (line.split(":", 1) for line in entry.msgstr.splitlines() if ":" in line)
            return {name.strip(): value.strip() for name, value in pairs}
    return {}


def nplurals(entries: list[Entry]) -> int | None:
    match = re.search(r"nplurals\s*=\s*(\d+)", header_fields(entries).get("Plural-Forms", ""))
    return int(match.group(1)) if match else None


def placeholders(text: str) -> tuple[set[str], int]:
    """Named placeholders, and the number of unnamed ones (%% is no placeholder)."""
    named, unnamed = set(), 0
    for match in _PLACEHOLDER.finditer(text):
        if match.group("type") == "%":
            continue
        if match.group("name") is not None:
            named.add(match.group("name"))
        else:
            unnamed += 1
    return named, unnamed


def format_problems(entry: Entry) -> list[str]:
    """python-format placeholders a translation gets wrong (the string would fail or lose a value)."""
    if "python-format" not in entry.flags or not entry.translated:
        return []
    problems = []
    source_named, source_unnamed = placeholders(entry.msgid)
    if entry.msgid_plural is not None:
        plural_named, _unused = placeholders(entry.msgid_plural)
        source_named |= plural_named
    for index, text in enumerate(entry.translations):
        named, unnamed = placeholders(text)
        where = f"msgstr[{index}]" if entry.msgid_plural is not None else "msgstr"
        unknown = named - source_named
        if unknown:
            problems.append(f"{where} uses {', '.join(sorted(unknown))}, which the original does not have")
        missing = source_named - named
        if missing and entry.msgid_plural is None:
            problems.append(f"{where} leaves out {', '.join(sorted(missing))}")
        if unnamed != source_unnamed:
            problems.append(f"{where} has {unnamed} unnamed placeholders, the original {source_unnamed}")
    return problems


def mo_bytes(entries: list[Entry]) -> bytes:
    """A .mo file of the translated, not fuzzy, not obsolete messages (and the header)."""
    catalog: dict[bytes, bytes] = {}
    for entry in entries:
        if entry.obsolete:
            continue
        if not entry.is_header and (entry.fuzzy or not entry.translated or format_problems(entry)):
            continue
        key = entry.msgid
        if entry.msgid_plural is not None:
            key += "\0" + entry.msgid_plural
        if entry.msgctxt is not None:
            key = entry.msgctxt + CONTEXT_SEPARATOR + key
        value = "\0".join(entry.translations)
        if entry.is_header:
            # as msgfmt does: the date the template was made would change the file on every run
            value = "".join(line for line in value.splitlines(True) if not line.startswith("POT-Creation-Date:"))
        catalog[key.encode("utf-8")] = value.encode("utf-8")
    keys = sorted(catalog)
    count = len(keys)
    originals_at = 7 * 4
    translations_at = originals_at + count * 8
    strings_at = translations_at + count * 8
    originals, translations, data = [], [], bytearray()
    for key in keys:
        originals.append((len(key), strings_at + len(data)))
        data += key + b"\0"
    for key in keys:
        value = catalog[key]
        translations.append((len(value), strings_at + len(data)))
        data += value + b"\0"
    out = bytearray(struct.pack("<7I", MO_MAGIC, 0, count, originals_at, translations_at, 0, strings_at))
    for length, offset in originals + translations:
        out += struct.pack("<2I", length, offset)
    return bytes(out + data)
