"""One leg of a call per line of a phone system's call-record file (see the package's docstring).

Every line becomes a CdrRow or a CdrError (line and reason): bad data never raises. CdrReader reads
in parts that go on from one another (the upload page's steps), each part read once.
"""

import csv
import re
from collections.abc import Iterator
from datetime import tzinfo
from operator import itemgetter
from typing import BinaryIO
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from .decode import CHUNK_SIZE, DecodedText, decode_stream
from .legs import LEG_FIELDS, CdrError, CdrRow, read_leg

SHANGHAI = ZoneInfo("Asia/Shanghai")

ASTERISK = "asterisk"
FREEPBX = "freepbx"

INBOUND = "in"
OUTBOUND = "out"
INTERNAL = "internal"

# Columns of Master.csv by their count: (uniqueid, userfield, linkedid) positions, None when absent.
# 17 columns are taken as uniqueid (loguniqueid is the usual setting), 20 as uniqueid + newcdrcolumns.
_ASTERISK_LAYOUTS = {
    16: (None, None, None),
    17: (16, None, None),
    18: (16, 17, None),
    19: (None, None, 17),
    20: (16, None, 18),
    21: (16, 17, 19),
}
# The first 16 columns of Master.csv, always there.
_MASTER_CSV = (
    "accountcode",
    "src",
    "dst",
    "dcontext",
    "clid",
    "channel",
    "dstchannel",
    "lastapp",
    "lastdata",
    "start",
    "answer",
    "end",
    "duration",
    "billsec",
    "disposition",
    "amaflags",
)
_ASTERISK_LEG = itemgetter(*map(_MASTER_CSV.index, LEG_FIELDS))
_ASTERISK_CLID, _ASTERISK_ANSWER, _ASTERISK_END = map(_MASTER_CSV.index, ("clid", "answer", "end"))

# FreePBX/Issabel header names (lower case) read from an export; the others are ignored.
_FREEPBX_REQUIRED = ("calldate", "src", "dst", "duration", "billsec", "disposition")
# The fields of a leg that FreePBX reads in its own way (NULL, a caller ID from cnum and cnam), apart from LEG_FIELDS.
_FREEPBX_OWN = ("clid", "uniqueid", "userfield", "linkedid", "did", "cnum", "cnam")
_FREEPBX_NAMES = {"start": "calldate"}  # LEG_FIELDS by another name in the header row
_NULLS = frozenset({"NULL", "\\N"})

_HEADER_SPLIT = re.compile(r"[,;\t]")


# --- Reading the file -------------------------------------------------------------------------


def detect_format(first_line: str | bytes) -> str:
    """The kind of file a first line opens: FREEPBX for a header row with calldate, else ASTERISK."""
    if isinstance(first_line, bytes):
        first_line = first_line.decode("utf-8", errors="replace")
    for cell in _HEADER_SPLIT.split(first_line.lstrip("\ufeff")):
        if cell.strip().strip("\"'").strip().lower() == "calldate":
            return FREEPBX
    return ASTERISK


class _OneLine:
    """Feeds csv.reader one line at a time, and notes when a quote left open asks for more."""

    __slots__ = ("line", "wanted_more")

    def __init__(self):
        self.line = None
        self.wanted_more = False

    def __iter__(self):
        return self

    def __next__(self):
        line = self.line
        if line is None:
            self.wanted_more = True
            raise StopIteration
        self.line = None
        return line


def _csv_lines(lines: Iterator[str], first_number: int, delimiter: str) -> Iterator[tuple[int, list[str] | str]]:
    """(line number, fields) for every non-blank line, or (line number, reason) when it is not CSV.

    Each physical line is one record: a quote left open is reported on its own line instead of
    swallowing the lines after it (Asterisk never writes a line break inside a field).
    """
    feed = _OneLine()
    reader = csv.reader(feed, delimiter=delimiter)
    for number, text in enumerate(lines, start=first_number):
        if not text or (len(text) < 3 and not text.strip()):
            continue
        feed.line = text
        feed.wanted_more = False
        try:
            fields = next(reader, None)
        except csv.Error:
            fields = None
        if fields is None or feed.wanted_more:
            yield number, _("The line cannot be read as CSV: check its quotes and separators.")
        elif fields and (len(fields) > 1 or fields[0].strip()):
            yield number, fields


# --- Formats ----------------------------------------------------------------------------------


def _asterisk(records: Iterator[tuple[int, list[str] | str]], tz: tzinfo) -> Iterator[CdrRow | CdrError]:
    layouts = _ASTERISK_LAYOUTS
    leg_fields = _ASTERISK_LEG
    at_clid, at_answer, at_end = _ASTERISK_CLID, _ASTERISK_ANSWER, _ASTERISK_END
    for line, fields in records:
        if fields.__class__ is str:
            yield CdrError(line, fields)
            continue
        layout = layouts.get(len(fields))
        if layout is None:
            yield CdrError(
                line,
                _("The line has %(found)d columns; Asterisk Master.csv lines have 16 to 21.") % {"found": len(fields)},
            )
            continue
        at_uniqueid, at_userfield, at_linkedid = layout
        yield read_leg(
            line,
            tz,
            "start",
            None if at_uniqueid is None else fields[at_uniqueid].strip(),
            "" if at_userfield is None else fields[at_userfield],
            "" if at_linkedid is None else fields[at_linkedid].strip(),
            "",
            fields[at_clid],
            fields[at_answer],
            fields[at_end],
            leg_fields(fields),
        )


def _freepbx(
    header: list[str], records: Iterator[tuple[int, list[str] | str]], tz: tzinfo, header_line: int
) -> Iterator[CdrRow | CdrError]:
    names = [name.strip().strip("\ufeff\"'").strip().lower() for name in header]
    position = {}
    for index, name in enumerate(names):
        position.setdefault(name, index)
    missing = [name for name in _FREEPBX_REQUIRED if name not in position]
    if missing:
        yield CdrError(
            header_line, _("The header row lacks the columns %(columns)s.") % {"columns": ", ".join(missing)}
        )
        return
    width = len(names)
    has_uniqueid = "uniqueid" in position
    # Absent optional columns read the empty cell appended to every row (index -1).
    own_fields = itemgetter(*(position.get(name, -1) for name in _FREEPBX_OWN))
    leg_fields = itemgetter(*(position.get(_FREEPBX_NAMES.get(name, name), -1) for name in LEG_FIELDS))
    nulls = _NULLS
    for line, fields in records:
        if fields.__class__ is str:
            yield CdrError(line, fields)
            continue
        if len(fields) != width:
            yield CdrError(
                line,
                _("The line has %(found)d columns; the header row has %(expected)d.")
                % {"found": len(fields), "expected": width},
            )
            continue
        fields.append("")
        clid, uniqueid, userfield, linkedid, did, cnum, cnam = own_fields(fields)
        if linkedid in nulls:
            linkedid = ""
        if userfield in nulls:
            userfield = ""
        if not clid and (cnum or cnam):
            clid = f'"{cnam}" <{cnum}>'
        yield read_leg(
            line,
            tz,
            "calldate",
            uniqueid.strip() if has_uniqueid else None,
            userfield,
            linkedid.strip(),
            did,
            clid,
            None,
            None,
            leg_fields(fields),
        )


def parse(binary_file: BinaryIO, *, tz: tzinfo = SHANGHAI) -> Iterator[CdrRow | CdrError]:
    """A CdrRow or a CdrError for every non-blank line of an Asterisk or FreePBX CDR file.

    Times without an offset are taken in ``tz`` (the phone system's time zone; Asterisk writes local
    time unless usegmtime is set: pass UTC then). Never raises on bad data.
    """
    yield from CdrReader(binary_file, tz=tz)


class CdrReader:
    """parse() in parts: a reading that stops after about ``stop_after`` lines and one that goes on.

    Iterating yields what parse() yields. A reading with ``stop_after`` stops at the end of the
    block (``chunk_size`` bytes) in which it has read that many lines; ``stopped`` then says that
    the file goes on, and ``offset``, ``line``, ``codec`` and ``head`` (the first line with text and
    its number: the format and the header row) are what the next reading is given to go on from
    there: it seeks to ``offset`` and numbers the lines from ``line`` + 1. Each part is read once, so
    a file read in n parts costs what one reading costs.
    """

    def __init__(
        self,
        binary_file: BinaryIO,
        *,
        tz: tzinfo = SHANGHAI,
        offset: int = 0,
        line: int = 0,
        codec: str | None = None,
        stop_after: int | None = None,
        chunk_size: int = CHUNK_SIZE,
        head: tuple[str, int] | None = None,
    ):
        self._file = binary_file
        self._tz = tz
        self.head = tuple(head) if head else None
        self._first = line  # lines before the offset
        self._text = DecodedText(binary_file, chunk_size, offset=offset, codec=codec, stop_after=stop_after)

    @property
    def stopped(self) -> bool:
        return self._text.stopped

    @property
    def offset(self) -> int:
        return self._text.offset

    @property
    def line(self) -> int:
        """The number of the last line read."""
        return self._first + self._text.lines

    @property
    def codec(self) -> str | None:
        return self._text.codec

    @property
    def encoding(self) -> str:
        return self._text.encoding

    def __iter__(self) -> Iterator[CdrRow | CdrError]:
        lines = iter(self._text)
        head = self.head
        if head is None and self._text.offset:  # going on without the first line: read it again
            head = _first_line(self._file)
            if not 0 < head[1] <= self._first:  # not read yet after all
                head = None
        if head is None:
            number = self._first
            for first in lines:  # the first line with text: a header row or a Master.csv record
                number += 1
                if first.strip():
                    break
            else:
                return
            self.head = (first, number)
            following = number + 1
            read_here = True
        else:
            first, number = self.head = tuple(head)
            following = self._first + 1
            read_here = False
        if detect_format(first) == FREEPBX:
            counts = {delimiter: first.count(delimiter) for delimiter in (",", "\t", ";")}
            delimiter = max(counts, key=counts.get)
            header = next(csv.reader([first], delimiter=delimiter))
            yield from _freepbx(header, _csv_lines(lines, following, delimiter), self._tz, number)
        elif read_here:  # a Master.csv record
            yield from _asterisk(_csv_lines(_prepend(first, lines), number, ","), self._tz)
        else:
            yield from _asterisk(_csv_lines(lines, following, ","), self._tz)


def _first_line(binary_file: BinaryIO) -> tuple[str, int]:
    """(text, number) of the first line with text of a seekable binary file."""
    binary_file.seek(0)
    for number, text in enumerate(decode_stream(binary_file, chunk_size=1 << 16), start=1):
        if text.strip():
            return text, number
    return "", 0


def _prepend(first: str, lines: Iterator[str]) -> Iterator[str]:
    yield first
    yield from lines
