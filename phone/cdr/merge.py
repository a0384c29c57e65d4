"""The legs of one call (same linkedid) folded into one CallRecord; inbound or outbound by which side is an extension."""

import re
from collections import deque
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from dataclasses import fields as dataclass_fields
from datetime import datetime, timedelta, tzinfo

from .legs import ANSWERED, BUSY, CONGESTION, FAILED, NO_ANSWER, CdrError, CdrRow
from .parse import INBOUND, INTERNAL, OUTBOUND, SHANGHAI

_MERGE_WINDOW = timedelta(hours=2)
# When no leg of a call was answered, the call takes the most telling failure: a phone that rang
# unanswered says more than a busy line, which says more than a failed or congested one.
_FAILURE_ORDER = {NO_ANSWER: 0, BUSY: 1, FAILED: 2, CONGESTION: 3}
# A channel's peer when it is all digits: "PJSIP/8011-00000001", "SIP/8011-0000a1b2",
# "Local/8011@from-queue-00000012;1", "IAX2/8011-1234".
_CHANNEL_PEER = re.compile(r"([^/]+)/(\d+)(?=[-@/;]|$)")


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
