"""Script checks on call transcripts (S2.2 opening, S2.4 and S2.6 complaints): pure Python, no database.

A transcript is typed in by hand or sent by a phone system through the API. It is split into turns
by speaker labels ("客服:", "坐席:", "客户:", "A:" ...), folded to a canonical form (full-width to
half-width, no punctuation or spaces, lower-case Latin, 你 read as 您) and checked item by item:

- required items (S2.2 greeting, company, department, own name, offer of help; for complaints S2.4
  apology and "recorded", S2.6 promise to report and asking for a contact number) pass when one of
  their phrases is found in the item's scope, exactly or within a small number of edits;
- forbidden items (S2.4: sending the caller to phone another department) pass when none of their
  patterns is found.

Every result names the phrase that matched and the snippet of the original transcript, so a
supervisor can see why an item passed or failed. The score is the share of items passed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from .items import CheckItem, Kind, Phrase, Scope, ScriptContext, build_items
from .text import Match
from .turns import Turn, parse_transcript

VERSION = 1  # stored with every result; raise it when items or phrases change meaning
OPENING_CHARS = 60  # without speaker labels, the opening is the first 60 normalised characters


@dataclass(frozen=True)
class ItemResult:
    key: str
    rule_id: str
    label: str
    kind: Kind
    passed: bool
    evidence: str = ""  # the matched snippet of the original transcript ("" when nothing matched)
    phrase: str = ""  # the phrase or pattern that matched
    edits: int = 0  # edits between the phrase and the snippet (0 for exact and regex matches)

    @property
    def found(self) -> bool:
        return bool(self.phrase)


@dataclass(frozen=True)
class CheckResult:
    call_kind: str
    items: list[ItemResult] = field(default_factory=list)
    score: int = 0  # 0-100
    staff_speech: bool = False

    @property
    def failed(self) -> list[ItemResult]:
        return [i for i in self.items if not i.passed]

    def to_json(self) -> dict:
        """A JSON-ready dict to store with the call. Labels are not stored: LABELS[key] shows them
        in the reader's language."""
        return {
            "version": VERSION,
            "call_kind": self.call_kind,
            "score": self.score,
            "staff_speech": self.staff_speech,
            "items": [
                {
                    "key": i.key,
                    "rule_id": i.rule_id,
                    "kind": i.kind,
                    "passed": i.passed,
                    "phrase": i.phrase,
                    "evidence": i.evidence,
                    "edits": i.edits,
                }
                for i in self.items
            ],
        }


def _segments(turns: list[Turn], labelled: bool) -> dict[Scope, list[Turn]]:
    staff = [t for t in turns if t.role == "staff"]
    opening = staff[:1]
    if opening and not labelled:
        first = opening[0]
        opening = [Turn(first.role, first.label, first.norm[:OPENING_CHARS], first.index[:OPENING_CHARS])]
    return {"opening": opening, "staff": staff, "all": turns}


def _check_item(item: CheckItem, segments: list[Turn], text: str) -> ItemResult:
    best: tuple[int, int, Phrase, Turn, Match] | None = None
    for order, phrase in enumerate(item.phrases):
        for turn in segments:
            match = phrase.find(turn.norm)
            if match and (best is None or (match.edits, order) < best[:2]):
                best = (match.edits, order, phrase, turn, match)
        if best and best[0] == 0:
            break
    found = best is not None
    base = {"key": item.key, "rule_id": item.rule_id, "label": item.label, "kind": item.kind}
    if not found:
        return ItemResult(**base, passed=item.kind == "forbidden")
    edits, _order, phrase, turn, match = best
    evidence = text[turn.index[match.start] : turn.index[match.end - 1] + 1]
    return ItemResult(**base, passed=item.kind == "required", evidence=evidence, phrase=phrase.text, edits=edits)


def check_transcript(
    text: str, *, call_kind: str, context: ScriptContext, items: Sequence[CheckItem] | None = None
) -> CheckResult:
    """Check a transcript against the department's script (S2.2; S2.4 and S2.6 for complaints).

    Score: the share of items passed, 0-100. A transcript with no staff speech scores 0: required
    items fail, forbidden items pass (nothing forbidden was said, but nothing was said at all).
    """
    text = text or ""
    items = list(items) if items is not None else build_items(call_kind, context)
    turns, labelled = parse_transcript(text, context.staff_names())
    segments = _segments(turns, labelled)
    results = [_check_item(item, segments[item.scope], text) for item in items]
    staff_speech = bool(segments["staff"])
    score = round(100 * sum(r.passed for r in results) / len(results)) if results and staff_speech else 0
    return CheckResult(call_kind=call_kind, items=results, score=score, staff_speech=staff_speech)
