"""One leg of a call per line of a phone system's call-record file (see the package's docstring).

Every line becomes a CdrRow or a CdrError (line and reason): bad data never raises. CdrReader reads
in parts that go on from one another (the upload page's steps), each part read once.
"""

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from functools import lru_cache
from hashlib import md5
from operator import itemgetter
from typing import BinaryIO
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from .decode import CHUNK_SIZE, DecodedText, decode_stream

SHANGHAI = ZoneInfo("Asia/Shanghai")

ASTERISK = "asterisk"
FREEPBX = "freepbx"

ANSWERED = "ANSWERED"
NO_ANSWER = "NO ANSWER"
BUSY = "BUSY"
FAILED = "FAILED"
CONGESTION = "CONGESTION"
MISSED_DISPOSITIONS = frozenset({NO_ANSWER, BUSY, FAILED, CONGESTION})
# When no leg of a call was answered, the call takes the most telling failure: a phone that rang
# unanswered says more than a busy line, which says more than a failed or congested one.
_DISPOSITIONS = {
    "ANSWERED": ANSWERED,
    "NO ANSWER": NO_ANSWER,
    "NOANSWER": NO_ANSWER,
    "BUSY": BUSY,
    "FAILED": FAILED,
    "CONGESTION": CONGESTION,
}
_DISPOSITION_NOISE = re.compile(r"[\s_\-]+")

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
_ASTERISK_FIELDS = itemgetter(*range(16))

# FreePBX/Issabel header names (lower case) read from an export; the others are ignored.
_FREEPBX_REQUIRED = ("calldate", "src", "dst", "duration", "billsec", "disposition")
_FREEPBX_OPTIONAL = (
    "clid",
    "dcontext",
    "channel",
    "dstchannel",
    "lastapp",
    "accountcode",
    "uniqueid",
    "userfield",
    "linkedid",
    "did",
    "cnum",
    "cnam",
)
_NULLS = frozenset({"NULL", "\\N"})

_LOOSE_TIME = re.compile(r"\s*(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]+(\d{1,2}):(\d{1,2})(?::(\d{1,2}))?)?\s*")
_CLID = re.compile(r'\s*(?:"(?P<quoted>[^"]*)"|(?P<bare>[^<]*?))\s*<(?P<number>[^<>]*)>\s*')
NUMBERISH = re.compile(r"\+?[\d*#]+")
# A channel's peer when it is all digits: "PJSIP/8011-00000001", "SIP/8011-0000a1b2",
_HEADER_SPLIT = re.compile(r"[,;\t]")


@dataclass(slots=True)
class CdrRow:
    """One leg of a call as the phone system wrote it, normalised."""

    line: int  # 1-based line number in the file
    src: str
    dst: str
    clid_name: str
    clid_number: str
    channel: str
    dstchannel: str
    dcontext: str
    lastapp: str
    start: datetime  # aware
    answer: datetime | None  # aware; None unless the leg was ANSWERED
    end: datetime  # aware; start + duration when the file has no end time
    duration: int  # seconds from start to end
    billsec: int  # seconds from answer to end
    disposition: str  # ANSWERED, NO ANSWER, BUSY, FAILED or CONGESTION
    uniqueid: str
    linkedid: str  # shared by the legs of one call; uniqueid when the file has none
    userfield: str
    accountcode: str
    did: str  # FreePBX: the number the caller dialled; "" in Master.csv
    ring_seconds: int  # answer - start for ANSWERED, else the whole duration
    missed: bool  # NO ANSWER, BUSY, FAILED or CONGESTION


@dataclass(slots=True)
class CdrError:
    """A line that could not be read, with the reason in the user's language."""

    line: int
    reason: str


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


# --- Fields -----------------------------------------------------------------------------------


def _time(text: str, tz: tzinfo) -> datetime | None:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        match = _LOOSE_TIME.fullmatch(text)
        if match is None:
            return None
        year, month, day, hour, minute, second = (int(part or 0) for part in match.groups())
        try:
            value = datetime(year, month, day, hour, minute, second)
        except ValueError:
            return None
    if value.tzinfo is None:
        return value.replace(tzinfo=tz)
    try:
        return value.astimezone(tz)
    except OverflowError:
        return None


def _plus(start: datetime, seconds: int) -> datetime | None:
    try:
        return start + timedelta(seconds=seconds)
    except OverflowError:  # past the year 9999
        return None


def _time_error(field: str, text: str) -> str:
    if not text.strip():
        return _("The %(field)s time is empty.") % {"field": field}
    return _("%(value)s in %(field)s is not a date and time such as 2024-05-31 14:03:00.") % {
        "value": text,
        "field": field,
    }


def _seconds_error(field: str, text: str) -> str:
    if text.strip().startswith("-") and text.strip()[1:].isdigit():
        return _("%(field)s is negative (%(value)s).") % {"field": field, "value": text}
    return _("%(value)s in %(field)s is not a whole number of seconds.") % {"value": text, "field": field}


def _disposition(text: str) -> str | None:
    found = _DISPOSITIONS.get(text)
    if found is None:
        found = _DISPOSITIONS.get(_DISPOSITION_NOISE.sub("", text).upper())
    return found


@lru_cache(maxsize=65536)
def split_clid(clid: str) -> tuple[str, str]:
    """(name, number) of a caller ID such as '"张三" <13812345678>', '张三 <138…>' or '13812345678'."""
    if "<" not in clid:
        text = clid.strip().strip('"').strip()
        if NUMBERISH.fullmatch(text):
            return "", text
        return text, ""
    match = _CLID.fullmatch(clid)
    if match is None:
        return clid.strip(), ""
    name = match["quoted"] if match["quoted"] is not None else match["bare"]
    return name.strip(), match["number"].strip()


def _leg(
    line: int,
    tz: tzinfo,
    accountcode: str,
    src: str,
    dst: str,
    dcontext: str,
    clid: str,
    channel: str,
    dstchannel: str,
    lastapp: str,
    start_text: str,
    answer_text: str | None,
    end_text: str | None,
    duration_text: str,
    billsec_text: str,
    disposition_text: str,
    uniqueid: str | None,
    userfield: str,
    linkedid: str,
    did: str,
    start_field: str,
) -> CdrRow | CdrError:
    """A CdrRow from the text of one leg, or the CdrError of its first problem.

    answer_text and end_text are None when the format has no such column (FreePBX): they are then
    worked out from start, duration and billsec. uniqueid is None when the format has no uniqueid.
    """
    disposition = _disposition(disposition_text)
    if disposition is None:
        return CdrError(
            line,
            _("Unknown disposition %(value)s: expected ANSWERED, NO ANSWER, BUSY, FAILED or CONGESTION.")
            % {"value": disposition_text or '""'},
        )
    try:
        duration = int(duration_text)
    except ValueError:
        return CdrError(line, _seconds_error("duration", duration_text))
    try:
        billsec = int(billsec_text)
    except ValueError:
        return CdrError(line, _seconds_error("billsec", billsec_text))
    if duration < 0:
        return CdrError(line, _seconds_error("duration", duration_text))
    if billsec < 0:
        return CdrError(line, _seconds_error("billsec", billsec_text))
    if billsec > duration:
        # Asterisk's initiatedseconds rounds billsec up but not duration: one second over is that.
        if billsec > duration + 1:
            return CdrError(
                line,
                _("billsec (%(billsec)d s) is longer than duration (%(duration)d s).")
                % {"billsec": billsec, "duration": duration},
            )
        billsec = duration
    start = _time(start_text, tz)
    if start is None:
        return CdrError(line, _time_error(start_field, start_text))
    if disposition == ANSWERED:
        ring = duration - billsec
        if answer_text:
            answer = _time(answer_text, tz)
            if answer is None:
                return CdrError(line, _time_error("answer", answer_text))
        else:
            answer = _plus(start, ring)
    else:
        ring = duration
        answer = None
    if end_text:
        end = _time(end_text, tz)
        if end is None:
            return CdrError(line, _time_error("end", end_text))
    else:
        end = _plus(start, duration)
    if end is None or (disposition == ANSWERED and answer is None):
        return CdrError(line, _("duration is too large (%(value)s s).") % {"value": duration_text})
    if uniqueid is None:
        uniqueid = ""
    elif not uniqueid:
        return CdrError(line, _("The uniqueid is empty."))
    if not linkedid:
        # Without uniqueid (a 16-column Master.csv), the caller's channel and start stand in for it.
        linkedid = uniqueid or "csv-" + md5(f"{channel}|{start_text}".encode(), usedforsecurity=False).hexdigest()
    clid_name, clid_number = split_clid(clid)
    return CdrRow(
        line,
        src,
        dst,
        clid_name,
        clid_number,
        channel,
        dstchannel,
        dcontext,
        lastapp,
        start,
        answer,
        end,
        duration,
        billsec,
        disposition,
        uniqueid,
        linkedid,
        userfield,
        accountcode,
        did,
        ring,
        disposition in MISSED_DISPOSITIONS,
    )


# --- Formats ----------------------------------------------------------------------------------


def _asterisk(records: Iterator[tuple[int, list[str] | str]], tz: tzinfo) -> Iterator[CdrRow | CdrError]:
    layouts = _ASTERISK_LAYOUTS
    fields16 = _ASTERISK_FIELDS
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
        (
            accountcode,
            src,
            dst,
            dcontext,
            clid,
            channel,
            dstchannel,
            lastapp,
            _lastdata,
            start,
            answer,
            end,
            duration,
            billsec,
            disposition,
            _amaflags,
        ) = fields16(fields)
        at_uniqueid, at_userfield, at_linkedid = layout
        yield _leg(
            line,
            tz,
            accountcode,
            src,
            dst,
            dcontext,
            clid,
            channel,
            dstchannel,
            lastapp,
            start,
            answer,
            end,
            duration,
            billsec,
            disposition,
            None if at_uniqueid is None else fields[at_uniqueid].strip(),
            "" if at_userfield is None else fields[at_userfield],
            "" if at_linkedid is None else fields[at_linkedid].strip(),
            "",
            "start",
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
    fields_of = itemgetter(*(position.get(name, -1) for name in _FREEPBX_REQUIRED + _FREEPBX_OPTIONAL))
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
        (
            calldate,
            src,
            dst,
            duration,
            billsec,
            disposition,
            clid,
            dcontext,
            channel,
            dstchannel,
            lastapp,
            accountcode,
            uniqueid,
            userfield,
            linkedid,
            did,
            cnum,
            cnam,
        ) = fields_of(fields)
        if linkedid in nulls:
            linkedid = ""
        if userfield in nulls:
            userfield = ""
        if not clid and (cnum or cnam):
            clid = f'"{cnam}" <{cnum}>'
        yield _leg(
            line,
            tz,
            accountcode,
            src,
            dst,
            dcontext,
            clid,
            channel,
            dstchannel,
            lastapp,
            calldate,
            None,
            None,
            duration,
            billsec,
            disposition,
            uniqueid.strip() if has_uniqueid else None,
            userfield,
            linkedid.strip(),
            did,
            "calldate",
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
