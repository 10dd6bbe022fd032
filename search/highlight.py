"""HTML highlighting: mark every word whose index terms the query matched.

The stored text is re-analyzed with the field's own analyzer, so any form of
a word ("переговоров" for the query "переговоры") is marked when one of its
lemmas or stems was a query term.  Everything but the ``<mark>`` tags is
HTML-escaped.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from indexer.analysis import SURFACE_MARK, TOKEN_PATTERN, WORD_JOINERS
from indexer.words import word_cache
from search.deadline import Deadline
from search.phrasemarks import keep_phrase_spans

SNIPPET_CHARS = 280
#: Length of each fragment when matches lie far apart and two are shown.
FRAGMENT_CHARS = 150
ELLIPSIS = "…"
_SPACE_RUNS = re.compile(r"\s+")


#: Markings, per analyzer configuration and query terms, kept.
DECISIONS_KEPT = 256
#: Word spans looked at between two looks at the clock.
CLOCK_EVERY = 64
#: Verdicts kept per analyzer configuration and query terms.
VERDICTS_KEPT = 100_000


def word_terms(analyzer) -> Callable[[str], frozenset[str]]:
    """One word (as it stands in the text) → its index terms, from the one word cache.

    Snippets re-analyze the stored text of every hit on every page; words
    repeat, so each distinct word goes through the analyzer chain once.  Whoosh
    unpickles a fresh schema, with new analyzer objects, at every refresh after
    a commit: equal analyzers share one cache (``indexer.words.word_cache``).
    """
    return word_cache(analyzer).terms


def match_spans(text: str, analyzer, terms: set[str] | frozenset[str],
                deadline: Deadline | None = None) -> list[tuple[int, int]]:
    """Character spans of the words in ``text`` having a term in ``terms`` (sorted).

    A hyphenated word is marked whole when the query matched it or one of its
    parts.  Past the ``deadline`` the words not yet looked at stay unmarked
    (and the deadline records "snippets" as cut).
    """
    if not terms or not text:
        return []
    if deadline is not None and deadline.expired():
        deadline.cut("snippets")
        return []
    analysis = word_cache(analyzer)
    terms_of = analysis.terms
    lowered = text.lower()
    if len(lowered) != len(text):
        # Lower-casing changed the length (a dotted capital I): spans from the
        # original text, a word at a time.
        return [m.span() for m in TOKEN_PATTERN.finditer(text)
                if not terms.isdisjoint(terms_of(m.group().lower()))]
    # Tokenizing a whole body per hit cost more than everything else on the
    # page: only the words that begin (or have a part beginning) like a query
    # term are looked at, found by plain substring search, and each distinct
    # word is decided once per analyzer and query terms.
    decided = _decisions(analysis.serial, frozenset(terms))
    verdicts = decided.verdicts
    ends: dict[int, int | None] = {}
    starts = _candidate_starts(lowered, decided.needles)
    # Most texts have a few candidates: the clock is only watched on long ones.
    clocked = deadline is not None and len(starts) >= CLOCK_EVERY
    looked = 0
    for at in starts:
        if clocked:
            looked += 1
            if looked % CLOCK_EVERY == 0 and deadline.expired():
                deadline.cut("snippets")
                break
        start = _token_start(lowered, at)
        if start in ends:
            continue
        # A candidate offset holds a letter or digit, so a word starts there.
        token = TOKEN_PATTERN.match(lowered, start)
        assert token is not None
        word = token.group()
        matched = verdicts.get(word)
        if matched is None:
            if len(verdicts) >= VERDICTS_KEPT:
                verdicts.clear()
            matched = verdicts[word] = not terms.isdisjoint(terms_of(word))
        ends[start] = token.end() if matched else None
    return sorted((s, e) for s, e in ends.items() if e is not None)


#: Letters a word shares with the terms it yields.  Snowball stems keep the
#: word's beginning, and so do pymorphy3 lemmas but for suppletive forms
#: ("люди" → "человек"), which are left unmarked rather than running the
#: morphological analyzer on every word of every hit.
PREFIX = 2


def _needles(terms: frozenset[str]) -> tuple[tuple[str, bool], ...]:
    """What a word part must begin with to yield one of ``terms``: (letters, whole
    part) pairs, every е/ё spelling of the terms' first letters."""
    out: set[tuple[str, bool]] = set()
    for term in terms:
        start = term.removeprefix(SURFACE_MARK)[:PREFIX].replace("ё", "е")
        if not start:
            continue
        spellings = [""]
        for char in start:
            spellings = [s + c for s in spellings for c in (("е", "ё") if char == "е" else (char,))]
        out.update((s, len(start) < PREFIX) for s in spellings)
    return tuple(sorted(out))


def _candidate_starts(text: str, needles: tuple[tuple[str, bool], ...]) -> list[int]:
    """Offsets in ``text`` where a word part begins with one of ``needles``."""
    found = []
    for needle, whole in needles:
        size = len(needle)
        at = text.find(needle)
        while at >= 0:
            if (at == 0 or not text[at - 1].isalnum()) and (
                    not whole or at + size == len(text) or not text[at + size].isalnum()):
                found.append(at)
            at = text.find(needle, at + 1)
    return found


def _token_start(text: str, at: int) -> int:
    """Where the word containing the part that begins at ``at`` begins (``TOKEN_PATTERN``
    joins parts across one apostrophe, hyphen or slash)."""
    while at >= 2 and text[at - 1] in WORD_JOINERS and text[at - 2].isalnum():
        at -= 2
        while at > 0 and text[at - 1].isalnum():
            at -= 1
    return at


@dataclass
class _Decided:
    """What is known for one analyzer and set of query terms."""

    needles: tuple[tuple[str, bool], ...]
    verdicts: dict[str, bool] = field(default_factory=dict)


@lru_cache(maxsize=DECISIONS_KEPT)
def _decisions(analysis_serial: int, terms: frozenset[str]) -> _Decided:
    return _Decided(_needles(terms))


def render(text: str, spans: Iterable[tuple[int, int]], start: int = 0,
           end: int | None = None) -> str:
    """Escape ``text[start:end]``, wrapping the spans inside it in ``<mark>``."""
    end = len(text) if end is None else end
    out = []
    at = start
    for s, e in spans:
        if e <= start or s >= end:
            continue
        s, e = max(s, start), min(e, end)
        out.append(html.escape(text[at:s]))
        out.append(f"<mark>{html.escape(text[s:e])}</mark>")
        at = e
    out.append(html.escape(text[at:end]))
    return "".join(out)


def highlight_all(text: str, analyzer, terms: set[str], deadline: Deadline | None = None) -> str:
    """The whole text, escaped, with matches marked (titles, full releases)."""
    return render(text, keep_phrase_spans(text, match_spans(text, analyzer, terms, deadline),
                                          terms, word_terms(analyzer)))


def _snap(text: str, start: int, end: int) -> tuple[int, int]:
    """Move window edges to word boundaries so no word is cut."""
    if start > 0:
        space = text.rfind(" ", max(0, start - 20), start + 1)
        if space >= 0:
            start = space + 1
        elif start <= 20:
            start = 0  # the first word: start the text, not mid-word
    if end < len(text):
        space = text.find(" ", end - 20 if end - 20 > start else end, min(len(text), end + 20))
        end = space if space > start else end
    return start, end


def _best_window(text: str, spans: list[tuple[int, int]], width: int,
                 words: list[str] | None = None) -> tuple[int, int, int]:
    """(start, end, score) of the window of ``width`` with the best matches: each
    mark counts once, each distinct marked word twice more.  ``words``: the
    spans' words, lower-cased (computed when not given)."""
    size = len(text)
    best = (0, min(size, width), 0)
    if words is None:
        words = [text[a:b].lower() for a, b in spans]
    ends = [b for _, b in spans]
    count = len(spans)
    lead = width // 5
    # Window edges only move right: one pass keeps the words inside counted
    # (a body full of one common word has hundreds of marks).
    inside: dict[str, int] = {}
    last = 0
    for i, (s, _) in enumerate(spans):
        if i and i - 1 < last:
            word = words[i - 1]
            left = inside[word] - 1
            if left:
                inside[word] = left
            else:
                del inside[word]
        if last < i:
            last = i
        # Lead in a little so the first match has context before it.
        start = s - lead if s > lead else 0
        end = start + width if start + width < size else size
        while last < count and ends[last] <= end:
            word = words[last]
            inside[word] = inside.get(word, 0) + 1
            last += 1
        score = last - i + 2 * len(inside)
        if score > best[2]:
            best = (start, end, score)
    return best


def snippet(text: str, analyzer, terms: set[str], chars: int = SNIPPET_CHARS,
            deadline: Deadline | None = None) -> str:
    """One or two fragments around the best matches, or the text's opening without matches.

    Line breaks and runs of spaces read as one space; they are folded in the
    fragments only, not in the whole body.
    """
    text = text.strip()
    spans = keep_phrase_spans(text, match_spans(text, analyzer, terms, deadline), terms,
                              word_terms(analyzer))
    if not spans:
        return _fragment(text, [], 0, min(len(text), chars))
    words = [text[a:b].lower() for a, b in spans]
    start, end, _ = _best_window(text, spans, chars, words)
    if spans[0][1] > start and spans[-1][0] < end:  # every mark inside
        return _fragment(text, spans, start, end)
    first = _best_window(text, spans, FRAGMENT_CHARS, words)
    outside = [i for i, sp in enumerate(spans) if sp[1] <= first[0] or sp[0] >= first[1]]
    second = (_best_window(text, [spans[i] for i in outside], FRAGMENT_CHARS,
                           [words[i] for i in outside]) if outside else None)
    windows = sorted([first[:2]] + ([second[:2]] if second else []))
    if len(windows) == 2 and windows[1][0] <= windows[0][1]:
        windows = [(windows[0][0], max(windows[0][1], windows[1][1]))]
    parts = [_fragment(text, spans, s, e) for s, e in windows]
    if len(parts) == 2:
        # Two fragments meet at one ellipsis, not "… …".
        return f"{parts[0].removesuffix(ELLIPSIS)} {ELLIPSIS} {parts[1].removeprefix(ELLIPSIS)}"
    return parts[0]


def _fragment(text: str, spans, start: int, end: int) -> str:
    start, end = _snap(text, start, end)
    # The markup adds no whitespace, so folding it after rendering folds the text's.
    body = _SPACE_RUNS.sub(" ", render(text, spans, start, end)).strip()
    return f"{ELLIPSIS if start > 0 else ''}{body}{ELLIPSIS if end < len(text) else ''}"
