"""Parsers for phone-system call detail records (CDR), without the database.

Two file kinds are read:

- Asterisk's Master.csv (cdr_csv): no header row, every text field quoted; accountcode, src, dst,
  dcontext, clid, channel, dstchannel, lastapp, lastdata, start, answer, end, duration, billsec,
  disposition, amaflags, then uniqueid (``loguniqueid``) and userfield (``loguserfield``), then
  peeraccount, linkedid and sequence (``newcdrcolumns``): 16 to 21 columns. Times are the phone
  system's local time ("YYYY-MM-DD HH:MM:SS"); answer is empty when nobody answered.
- CSV exports of the ``cdr`` table of FreePBX or Issabel, with a header row (calldate, clid, src, dst,
  dcontext, channel, dstchannel, lastapp, lastdata, duration, billsec, disposition, amaflags,
  accountcode, uniqueid, userfield, linkedid, and more columns that are ignored). There is no answer
  column: answer = calldate + (duration - billsec) for an answered leg.

Every line becomes a CdrRow (one leg of a call) or a CdrError (line and reason): bad data never
raises. merge_legs() folds the legs of one call (same linkedid) into one CallRecord, and classify()
tells inbound from outbound calls by which side is an extension. Everything streams: a million
lines are read and merged in constant memory at about 9 µs a line (bench/cdr_parse_bench.py).
CdrReader and LegMerger do the same in parts that go on from one another (the upload page's steps),
each part read once.
"""

import csv
import re
from collections import deque
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from dataclasses import fields as dataclass_fields
from datetime import datetime, timedelta, tzinfo
from functools import lru_cache
from hashlib import md5
from operator import itemgetter
from typing import BinaryIO
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

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
_FAILURE_ORDER = {NO_ANSWER: 0, BUSY: 1, FAILED: 2, CONGESTION: 3}
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
_NUMBERISH = re.compile(r"\+?[\d*#]+")
# A channel's peer when it is all digits: "PJSIP/8011-00000001", "SIP/8011-0000a1b2",
# "Local/8011@from-queue-00000012;1", "IAX2/8011-1234".
_CHANNEL_PEER = re.compile(r"([^/]+)/(\d+)(?=[-@/;]|$)")
_HEADER_SPLIT = re.compile(r"[,;\t]")

CHUNK_SIZE = 1 << 20  # bytes read at a time; a step of the upload page ends at the end of one
_MERGE_WINDOW = timedelta(hours=2)


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


@dataclass(slots=True)
class CallRecord:
    """One call: the legs with the same linkedid, counted once."""

    source_key: str  # linkedid (or uniqueid): the same call gives the same key on every import
    start: datetime  # the earliest leg's start
    end: datetime  # the latest leg's end
    direction: str  # "in", "out" or "internal"
    external_number: str  # the customer's number as the phone system wrote it ("" if internal)
    extension: str  # the staff extension: the caller's (out), who answered or was rung first (in)
    clid_name: str
    answered: bool  # a person (a leg with a destination channel) answered
    answered_by: str  # the extension of the first answered leg ("" if none or not an extension)
    answer: datetime | None
    ring_seconds: int  # first answer - start; for a missed call, start to end
    talk_seconds: int  # first answer to end
    disposition: str
    missed: bool
    extensions_rung: tuple[str, ...]
    did: str
    lines: list[int]


# --- Reading the file -------------------------------------------------------------------------


class DecodedText:
    """The lines of a binary CDR file as text (without line ends), in UTF-8, GBK or UTF-16.

    UTF-8 (with or without a byte order mark) is tried first, then GB18030, the superset of GBK and
    GB2312. The first block with non-ASCII bytes decides the encoding of the file; a later block
    that does not decode in it is decoded line by line, each line in whichever of the two fits
    (undecodable bytes become U+FFFD), so a stray line never stops an import. ``encoding`` says
    what was found ("UTF-8", "GBK" or "UTF-16") once the lines have been read.

    Reading may start at ``offset``, the start of a line (a byte after a line end: neither UTF-8 nor
    GB18030 ever has the byte of a line end inside a character), with ``codec`` the one an earlier
    reading decided ("utf-8" or "gb18030"; None while it had only seen ASCII). With ``stop_after``,
    reading stops at the end of the block in which that many lines have been read; ``offset`` is
    then where the next line starts, ``lines`` how many lines were read and ``stopped`` is true.
    UTF-16 is read whole, from the start only.
    """

    def __init__(
        self,
        binary_file: BinaryIO,
        chunk_size: int = CHUNK_SIZE,
        *,
        offset: int = 0,
        codec: str | None = None,
        stop_after: int | None = None,
    ):
        self._file = binary_file
        self._chunk_size = chunk_size
        self._stop_after = stop_after
        self.codec = codec
        self.encoding = "GBK" if codec == "gb18030" else "UTF-8"
        self.offset = offset  # in bytes: the start of the first line not read yet
        self.lines = 0  # lines read (and yielded) by this reading
        self.stopped = False

    def __iter__(self) -> Iterator[str]:
        read = self._file.read
        start = self.offset  # the file position of the first byte of `rest`, then of `data`
        if start:
            self._file.seek(start)
        block = read(self._chunk_size)
        if isinstance(block, str):  # a file opened in text mode: already decoded
            lines = (block + read()).lstrip("\ufeff").split("\n")
            self.lines = len(lines)
            yield from lines
            return
        if not start and block.startswith((b"\xff\xfe", b"\xfe\xff")):
            self.encoding = "UTF-16"
            lines = (block + read()).decode("utf-16", errors="replace").split("\n")
            self.lines = len(lines)
            yield from lines
            return
        if not start and block.startswith(b"\xef\xbb\xbf"):
            block = block[3:]
            start = 3
        codec = self.codec  # decided by the first block that is not plain ASCII
        stop_after = self._stop_after
        rest = b""
        while True:
            data = rest + block if rest else block
            cut = data.rfind(b"\n")
            if cut < 0:
                rest = data
            else:
                rest = data[cut + 1 :]
                data = data[:cut]
                if codec is None and not data.isascii():
                    codec = self.codec = self._choose(data)
                lines = self._decode(data, codec).split("\n")
                self.lines += len(lines)
                yield from lines
                start += cut + 1
                self.offset = start
                if stop_after is not None and self.lines >= stop_after:
                    self.stopped = True
                    return
            block = read(self._chunk_size)
            if not block:
                break
        if rest:
            if codec is None and not rest.isascii():
                codec = self.codec = self._choose(rest)
            self.lines += 1
            self.offset = start + len(rest)
            yield from self._decode(rest, codec).split("\n")

    def _choose(self, block: bytes) -> str:
        try:
            block.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            return "utf-8"
        # Some line is not UTF-8: count the lines each encoding explains (UTF-8 wins a tie).
        utf8 = gbk = 0
        for raw in block.split(b"\n"):
            if raw.isascii():
                continue
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:
                try:
                    raw.decode("gb18030")
                except UnicodeDecodeError:
                    continue
                gbk += 1
            else:
                utf8 += 1
        if gbk > utf8:
            self.encoding = "GBK"
            return "gb18030"
        return "utf-8"

    @staticmethod
    def _decode(block: bytes, codec: str | None) -> str:
        codec = codec or "utf-8"
        try:
            return block.decode(codec)
        except UnicodeDecodeError:
            pass
        other = "gb18030" if codec == "utf-8" else "utf-8"
        lines = []
        for raw in block.split(b"\n"):
            try:
                lines.append(raw.decode(codec))
            except UnicodeDecodeError:
                try:
                    lines.append(raw.decode(other))
                except UnicodeDecodeError:
                    lines.append(raw.decode(codec, errors="replace"))
        return "\n".join(lines)


def decode_stream(binary_file: BinaryIO, *, chunk_size: int = CHUNK_SIZE) -> DecodedText:
    """The text lines of a binary file in UTF-8 (BOM or not), GBK/GB18030 or UTF-16, read in chunks."""
    return DecodedText(binary_file, chunk_size)


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
        if _NUMBERISH.fullmatch(text):
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


# --- Calls ------------------------------------------------------------------------------------


def _peer(channel: str, min_length: int, max_length: int, local: bool) -> str:
    """The extension a channel belongs to ("PJSIP/8011-00000001" → "8011"), or ""."""
    match = _CHANNEL_PEER.match(channel)
    if match is None:
        return ""
    peer = match[2]
    if not min_length <= len(peer) <= max_length:
        return ""
    if not local and match[1] == "Local":
        return ""
    return peer


def _is_extension(number: str, extensions: Collection[str], min_length: int, max_length: int) -> bool:
    if extensions:
        return number in extensions
    return number.isdigit() and min_length <= len(number) <= max_length


def _caller_extension(row: CdrRow, extensions, min_length: int, max_length: int) -> str:
    # The caller's own channel tells best; a Local channel on the caller side is the second half of
    # a call placed by the phone system itself (a queue or a ring group), so only src can tell.
    peer = _peer(row.channel, min_length, max_length, local=False)
    if peer:
        return peer
    return row.src if _is_extension(row.src, extensions, min_length, max_length) else ""


def _callee_extension(row: CdrRow, extensions, min_length: int, max_length: int) -> str:
    peer = _peer(row.dstchannel, min_length, max_length, local=True)
    if peer:
        return peer
    return row.dst if _is_extension(row.dst, extensions, min_length, max_length) else ""


def classify(
    row: CdrRow, extensions: Collection[str], *, min_length: int = 3, max_length: int = 6
) -> tuple[str, str, str]:
    """(direction, external number, extension) of a leg: direction is "in", "out" or "internal".

    An extension is a channel peer of ``min_length`` to ``max_length`` digits ("SIP/8011-0000a1b2",
    "PJSIP/8011-00000001", "Local/8011@from-queue-…"), or a src/dst number in ``extensions`` (any
    number of that many digits when ``extensions`` is empty). Inbound: the caller is not an
    extension; the extension is the one rung ("" when the call ended in a menu or voicemail).
    Outbound: the caller is an extension and the destination is not. Internal: both are extensions;
    the extension returned is the caller's.
    """
    caller = _caller_extension(row, extensions, min_length, max_length)
    callee = _callee_extension(row, extensions, min_length, max_length)
    if caller:
        if callee:
            return INTERNAL, "", caller
        return OUTBOUND, row.dst, caller
    return INBOUND, row.src or row.clid_number, callee


def _call(legs: list[CdrRow], extensions, min_length: int, max_length: int) -> CallRecord:
    if len(legs) > 1:
        legs.sort(key=_leg_order)
    first = legs[0]
    direction, external_number, extension = classify(first, extensions, min_length=min_length, max_length=max_length)
    start = first.start
    end = first.end
    answered_leg = None
    answered_by = ""
    failure = None
    rung = []
    clid_name = first.clid_name
    did = first.did
    for leg in legs:
        if leg.end > end:
            end = leg.end
        callee = _callee_extension(leg, extensions, min_length, max_length)
        if callee and callee not in rung:
            rung.append(callee)
        disposition = leg.disposition
        if disposition == ANSWERED:
            # Answered by a person: the leg reached a destination channel. A leg answered by the
            # phone system itself (a menu, an announcement, voicemail) has none. Of two legs answered
            # at once (a queue's leg and its Local;2 half), the one that names an extension tells.
            if leg.dstchannel and (
                answered_leg is None
                or leg.answer < answered_leg.answer
                or (leg.answer == answered_leg.answer and callee and not answered_by)
            ):
                answered_leg = leg
                answered_by = callee
        elif failure is None or _FAILURE_ORDER[disposition] < _FAILURE_ORDER[failure]:
            failure = disposition
        if not clid_name:
            clid_name = leg.clid_name
        if not did:
            did = leg.did
        if not external_number and direction == INBOUND:
            external_number = leg.src or leg.clid_number
    if answered_leg is not None:
        answer = answered_leg.answer
        ring_seconds = max(0, int((answer - start).total_seconds()))
        talk_seconds = max(0, int((end - answer).total_seconds()))
        disposition = ANSWERED
        if direction == INBOUND and answered_by:
            extension = answered_by
    else:
        answer = None
        ring_seconds = max(0, int((end - start).total_seconds()))
        talk_seconds = 0
        disposition = failure or NO_ANSWER
    if direction == INBOUND and not extension and rung:
        extension = rung[0]
    return CallRecord(
        first.linkedid,
        start,
        end,
        direction,
        external_number,
        extension,
        clid_name,
        answered_leg is not None,
        answered_by,
        answer,
        ring_seconds,
        talk_seconds,
        disposition,
        answered_leg is None,
        tuple(rung),
        did,
        sorted(leg.line for leg in legs),
    )


def _leg_order(leg: CdrRow) -> tuple[datetime, int]:
    return leg.start, leg.line


def merge_legs(
    rows: Iterable[CdrRow | CdrError],
    extensions: Collection[str] = frozenset(),
    *,
    min_length: int = 3,
    max_length: int = 6,
    window: timedelta = _MERGE_WINDOW,
) -> Iterator[CallRecord]:
    """One CallRecord per call: the legs with the same linkedid, counted once.

    Rows may come in any order within a call; a call is complete once the stream has moved more than
    ``window`` past its legs (in either direction: exports are often newest first), so memory stays
    bounded on files of millions of lines. A leg arriving later than that starts a second record with
    the same source_key, which the importer's de-duplication absorbs. CdrError items are skipped:
    collect them from parse() first.
    """
    merger = LegMerger(extensions, min_length=min_length, max_length=max_length, window=window)
    yield from merger.feed(rows)
    yield from merger.finish()


class LegMerger:
    """merge_legs() for a file read in parts: the calls still open between parts can be kept.

    feed() yields the calls completed by some rows, finish() the calls still open at the end of the
    file. state() is those open calls (their legs) as JSON-ready data, and ``LegMerger(…, state=…)``
    goes on from them exactly as if the rows had never been interrupted.
    """

    def __init__(
        self,
        extensions: Collection[str] = frozenset(),
        *,
        min_length: int = 3,
        max_length: int = 6,
        window: timedelta = _MERGE_WINDOW,
        state: dict | None = None,
        tz: tzinfo = SHANGHAI,
    ):
        self.extensions = extensions
        self.min_length = min_length
        self.max_length = max_length
        self.window = window
        self.groups: dict[str, list] = {}  # linkedid -> [earliest start, latest start, legs]
        self.opened = deque()  # linkedids in the order their groups were opened
        self.checked_at = None
        if state:
            self.checked_at = _load_time(state["checked_at"], tz)
            for legs in state["open"]:
                rows = [_load_row(values, tz) for values in legs]
                starts = [row.start for row in rows]
                self.groups[rows[0].linkedid] = [min(starts), max(starts), rows]
                self.opened.append(rows[0].linkedid)

    def feed(self, rows: Iterable[CdrRow | CdrError]) -> Iterator[CallRecord]:
        """The calls the rows complete (see merge_legs); the others stay open."""
        groups = self.groups
        opened = self.opened
        checked_at = self.checked_at
        window = self.window
        extensions, min_length, max_length = self.extensions, self.min_length, self.max_length
        step = timedelta(minutes=1)
        for row in rows:
            if row.__class__ is not CdrRow:
                continue
            start = row.start
            group = groups.get(row.linkedid)
            if group is None:
                groups[row.linkedid] = [start, start, [row]]
                opened.append(row.linkedid)
            else:
                group[2].append(row)
                if start < group[0]:
                    group[0] = start
                elif start > group[1]:
                    group[1] = start
            if checked_at is not None and checked_at - step < start < checked_at + step:
                continue
            self.checked_at = checked_at = start
            # The group opened first is the oldest in the stream's direction: flush from there.
            while opened:
                earliest, latest, legs = groups[opened[0]]
                if start - latest <= window and earliest - start <= window:
                    break
                del groups[opened.popleft()]
                yield _call(legs, extensions, min_length, max_length)

    def finish(self) -> Iterator[CallRecord]:
        """The calls still open: the file has ended."""
        groups, opened = self.groups, self.opened
        while opened:
            yield _call(groups.pop(opened.popleft())[2], self.extensions, self.min_length, self.max_length)

    def state(self) -> dict:
        """The open calls' legs, in the order they were opened, and the last check, as JSON-ready data."""
        return {
            "checked_at": _dump_time(self.checked_at),
            "open": [[_dump_row(row) for row in self.groups[key][2]] for key in self.opened],
        }


_ROW_FIELDS = tuple(field.name for field in dataclass_fields(CdrRow))
_ROW_TIMES = tuple(index for index, name in enumerate(_ROW_FIELDS) if name in ("start", "answer", "end"))


def _dump_time(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _load_time(text: str | None, tz: tzinfo) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text).astimezone(tz)


def _dump_row(row: CdrRow) -> list:
    values = [getattr(row, name) for name in _ROW_FIELDS]
    for index in _ROW_TIMES:
        values[index] = _dump_time(values[index])
    return values


def _load_row(values: list, tz: tzinfo) -> CdrRow:
    values = list(values)
    for index in _ROW_TIMES:
        values[index] = _load_time(values[index], tz)
    return CdrRow(*values)
