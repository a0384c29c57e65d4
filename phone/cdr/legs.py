"""One leg of a call from the text of its fields, whatever the file's format (see the package's docstring).

CdrRow is a leg read; CdrError a line that could not be, with the reason. read_leg reads the times,
seconds, disposition and caller ID of one leg and never raises on bad data.
"""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from functools import lru_cache
from hashlib import md5

from django.utils.translation import gettext as _

ANSWERED = "ANSWERED"
NO_ANSWER = "NO ANSWER"
BUSY = "BUSY"
FAILED = "FAILED"
CONGESTION = "CONGESTION"
MISSED_DISPOSITIONS = frozenset({NO_ANSWER, BUSY, FAILED, CONGESTION})
_DISPOSITIONS = {
    "ANSWERED": ANSWERED,
    "NO ANSWER": NO_ANSWER,
    "NOANSWER": NO_ANSWER,
    "BUSY": BUSY,
    "FAILED": FAILED,
    "CONGESTION": CONGESTION,
}
_DISPOSITION_NOISE = re.compile(r"[\s_\-]+")

_LOOSE_TIME = re.compile(r"\s*(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]+(\d{1,2}):(\d{1,2})(?::(\d{1,2}))?)?\s*")
_CLID = re.compile(r'\s*(?:"(?P<quoted>[^"]*)"|(?P<bare>[^<]*?))\s*<(?P<number>[^<>]*)>\s*')
NUMBERISH = re.compile(r"\+?[\d*#]+")

# The text fields that every format has, in the order read_leg unpacks its leg_fields.
LEG_FIELDS = (
    "accountcode",
    "src",
    "dst",
    "dcontext",
    "channel",
    "dstchannel",
    "lastapp",
    "start",
    "duration",
    "billsec",
    "disposition",
)


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


def read_leg(
    line: int,
    tz: tzinfo,
    start_field: str,
    uniqueid: str | None,
    userfield: str,
    linkedid: str,
    did: str,
    clid: str,
    answer_text: str | None,
    end_text: str | None,
    leg_fields: tuple[str, ...],
) -> CdrRow | CdrError:
    """A CdrRow from the text of one leg, or the CdrError of its first problem.

    leg_fields: the text of LEG_FIELDS, as an itemgetter of the format's columns gives them (the hot
    path: no names in between). answer_text and end_text are None when the format has no such column
    (FreePBX): they are then worked out from start, duration and billsec. uniqueid is None when the
    format has no uniqueid; start_field names the start's column in an error.
    """
    (
        accountcode,
        src,
        dst,
        dcontext,
        channel,
        dstchannel,
        lastapp,
        start_text,
        duration_text,
        billsec_text,
        disposition_text,
    ) = leg_fields
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
