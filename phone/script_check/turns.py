"""Script checks: a transcript split into turns by speaker labels, each turn's speaker a role."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from .text import fold, is_kept, normalise

Role = Literal["staff", "customer", "unknown"]


STAFF_LABELS = (
    "客服人员",
    "客服专员",
    "客服",
    "坐席",
    "座席",
    "员工",
    "接线员",
    "工作人员",
    "服务顾问",
    "顾问",
    "专员",
)
CUSTOMER_LABELS = ("客户", "顾客", "来电人", "来电者", "来电", "车主", "用户", "客人", "投诉人")
_NEUTRAL_LABEL = r"[ab甲乙]|说话人\s*\d+|发言人\s*\d+|speaker\s*\d+|spk\s*\d+"
_TIMESTAMP = r"(?:[\[(]?\d{1,2}:\d{2}(?::\d{2})?[\])]?[ \t]*)?"


@lru_cache(maxsize=64)
def _label_regex(staff_names: tuple[str, ...]) -> re.Pattern[str]:
    literal = sorted({*STAFF_LABELS, *CUSTOMER_LABELS, *staff_names}, key=len, reverse=True)
    alternatives = "|".join([*map(re.escape, literal), _NEUTRAL_LABEL])
    return re.compile(
        r"(?:^|(?<=[\s。!?;.]))[ \t]*" + _TIMESTAMP + rf"(?P<label>{alternatives})[ \t]*:",
        re.MULTILINE,
    )


@dataclass(frozen=True)
class Turn:
    role: Role
    label: str  # as written, folded; "" for text before the first label or without labels
    norm: str  # normalised speech
    index: tuple[int, ...]  # for each normalised character, its index in the original transcript


def parse_transcript(text: str, staff_names: Iterable[str] = ()) -> tuple[list[Turn], bool]:
    """Turns of the transcript and whether it had speaker labels.

    Roles: staff labels (客服, 坐席 ...) and the staff member's own name are staff; 客户, 来电 ...
    are the customer. Neutral labels (A/B, 说话人1/2): if no staff label is present, whoever speaks
    first is the staff member (the one answering speaks first, S2.2), the others are customers.
    Text before the first label counts as staff only when no one else is staff. Consecutive turns
    of the same role are merged. Without labels, the whole text is staff speech.
    """
    text = text or ""
    folded, index = fold(text)
    names = tuple(sorted({normalise(n) for n in staff_names if len(normalise(n)) >= 2}))
    found = list(_label_regex(names).finditer(folded))

    def segment(start: int, end: int) -> tuple[str, tuple[int, ...]]:
        kept = [(ch, index[i]) for i, ch in enumerate(folded[start:end], start) if is_kept(ch)]
        return "".join(ch for ch, _i in kept), tuple(i for _ch, i in kept)

    raw: list[tuple[str, str, tuple[int, ...]]] = []  # (label, norm, index)
    preamble_end = found[0].start() if found else len(folded)
    norm, idx = segment(0, preamble_end)
    if norm:
        raw.append(("", norm, idx))
    for n, match in enumerate(found):
        end = found[n + 1].start() if n + 1 < len(found) else len(folded)
        norm, idx = segment(match.end(), end)
        if norm:
            raw.append((re.sub(r"\s+", "", match.group("label")), norm, idx))

    staff_set, customer_set = {*STAFF_LABELS, *names}, set(CUSTOMER_LABELS)
    roles: dict[str, Role] = {}
    for label, _norm, _idx in raw:
        if label in staff_set:
            roles[label] = "staff"
        elif label in customer_set:
            roles[label] = "customer"
    has_staff = "staff" in roles.values()
    for label, _norm, _idx in raw:
        if label and label not in roles:
            roles[label] = "unknown" if has_staff else ("customer" if "staff" in roles.values() else "staff")
    roles[""] = "unknown" if "staff" in roles.values() else "staff"

    turns: list[Turn] = []
    for label, norm, idx in raw:
        role = roles[label]
        if turns and turns[-1].role == role:
            last = turns.pop()
            turns.append(Turn(role, last.label, last.norm + norm, last.index + idx))
        else:
            turns.append(Turn(role, label, norm, idx))
    return turns, bool(found)
