"""Script checks: the text as matched (folded, normalised) and fuzzy matching of a phrase in it."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

# ---------------------------------------------------------------------------------------------
# Normalisation

_VARIANTS = str.maketrans({"你": "您", "妳": "您"})  # 你好 and 您好 are both a greeting (S2.2)


def _fold_char(ch: str) -> str:
    return unicodedata.normalize("NFKC", ch).lower().translate(_VARIANTS)


def is_kept(ch: str) -> bool:
    """Letters and digits are kept; punctuation, symbols, spaces and control characters go."""
    return unicodedata.category(ch)[0] in "LN"


def fold(text: str) -> tuple[str, list[int]]:
    """Fold character by character, keeping for each folded character its index in `text`."""
    pieces: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        piece = _fold_char(ch)
        pieces.append(piece)
        index.extend([i] * len(piece))
    return "".join(pieces), index


def normalise(text: str) -> str:
    """Canonical text for matching: NFKC, lower case, 你 as 您, only letters and digits.

    "您好，亦庄４Ｓ店 客服部！" and "你好亦庄4s店客服部" both become "您好亦庄4s店客服部".
    """
    folded, _index = fold(text or "")
    return "".join(ch for ch in folded if is_kept(ch))


# ---------------------------------------------------------------------------------------------
# Fuzzy matching: the least edits between a phrase and any substring of the text


@dataclass(frozen=True)
class Match:
    start: int  # in the normalised text
    end: int
    edits: int


def default_max_edits(phrase: str) -> int:
    """Edits allowed for a phrase: none under 4 characters, 1 for 4 to 6, 2 for longer."""
    if len(phrase) < 4:
        return 0
    return 1 if len(phrase) <= 6 else 2


def levenshtein(a: str, b: str) -> int:
    """Edit distance (insertions, deletions, substitutions) between two short strings."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def _best_end(pattern: str, text: str) -> tuple[int, int]:
    """(least edits, end index) over all substrings of text: Myers' bit-vector algorithm.

    The end is the last one of the first run of ends with the least edits.

    One pass over the text with a few integer operations per character, whatever the phrase length.
    """
    m = len(pattern)
    peq: dict[str, int] = {}
    for i, ch in enumerate(pattern):
        peq[ch] = peq.get(ch, 0) | (1 << i)
    mask = (1 << m) - 1
    high = 1 << (m - 1)
    pv, mv, score = mask, 0, m
    best, best_end = m, -1
    for j, ch in enumerate(text):
        eq = peq.get(ch, 0)
        xv = eq | mv
        xh = (((eq & pv) + pv) ^ pv) | eq
        ph = mv | ~(xh | pv)
        mh = pv & xh
        if ph & high:
            score += 1
        elif mh & high:
            score -= 1
        ph = (ph << 1) & mask  # a match may start anywhere: no carry into the first row
        mh = (mh << 1) & mask
        pv = (mh | ~(xv | ph)) & mask
        mv = ph & xv
        if score < best:
            best, best_end = score, j
        elif score == best and j == best_end + 1:
            best_end = j  # the run of equally good ends goes on: take its last, the fullest snippet
    return best, best_end


def find_phrase(pattern: str, text: str, max_edits: int | None = None) -> Match | None:
    """The first exact occurrence of pattern in text, else the closest within max_edits, else None.

    Both arguments are already normalised. The closest match is the one with the fewest edits,
    ending first; its start is the one giving those edits with a length nearest the pattern's.
    """
    if not pattern:
        return None
    at = text.find(pattern)
    if at >= 0:
        return Match(at, at + len(pattern), 0)
    if max_edits is None:
        max_edits = default_max_edits(pattern)
    if max_edits <= 0 or not text:
        return None
    edits, end = _best_end(pattern, text)
    if end < 0 or edits > max_edits or edits >= len(pattern):
        return None
    stop = end + 1
    m = len(pattern)
    candidates = range(max(0, stop - m - edits), max(0, stop - m + edits) + 1)
    start = min(candidates, key=lambda s: (levenshtein(pattern, text[s:stop]), abs(stop - s - m), s))
    return Match(start, stop, edits)
