"""HTML highlighting: mark every word whose index terms the query matched.

The stored text is re-analyzed with the field's own analyzer, so any form of
a word ("переговоров" for the query "переговоры") is marked when one of its
lemmas or stems was a query term.  Everything but the ``<mark>`` tags is
HTML-escaped.
"""

from __future__ import annotations

import html
import re
from bisect import bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from indexer.analysis import SURFACE_MARK, TOKEN_PATTERN

_JOINERS = re.compile(r"['’‐‑/-]")

SNIPPET_CHARS = 280
#: Length of each fragment when matches lie far apart and two are shown.
FRAGMENT_CHARS = 150
ELLIPSIS = "…"


#: Distinct words whose index terms are remembered, per analyzer.
WORD_CACHE_SIZE = 100_000
_word_terms_by_analyzer: dict[int, Callable[[str], frozenset[str]]] = {}


def word_terms(analyzer) -> Callable[[str], frozenset[str]]:
    """A cached function: one word (as it stands in the text) → its index terms.

    Snippets re-analyze the stored text of every hit on every page; words
    repeat, so each distinct word goes through the analyzer chain once.
    Analyzers are the long-lived schema objects of an index, hence keyed by id.
    """
    lookup = _word_terms_by_analyzer.get(id(analyzer))
    if lookup is None:
        @lru_cache(maxsize=WORD_CACHE_SIZE)
        def lookup(word: str) -> frozenset[str]:
            return frozenset(t.text for t in analyzer(word, mode="index"))

        _word_terms_by_analyzer[id(analyzer)] = lookup
    return lookup


def match_spans(text: str, analyzer, terms: set[str] | frozenset[str]) -> list[tuple[int, int]]:
    """Character spans of the words in ``text`` having a term in ``terms`` (sorted).

    A hyphenated word is marked whole when the query matched it or one of its
    parts.
    """
    if not terms or not text:
        return []
    terms_of = word_terms(analyzer)
    lowered = text.lower()
    if len(lowered) != len(text):
        # Lower-casing changed the length (a dotted capital I): spans from the
        # original text, a word at a time.
        return [m.span() for m in TOKEN_PATTERN.finditer(text)
                if not terms.isdisjoint(terms_of(m.group().lower()))]
    # A release body repeats its words, and the hits of one page share most
    # of theirs: each distinct word is decided once per analyzer and query
    # terms, and only words that could yield a query term are analyzed at all.
    words = set(TOKEN_PATTERN.findall(lowered))
    decided = _decisions(id(analyzer), frozenset(terms))
    new = words - decided.seen
    if new:
        starts = decided.starts
        if starts is None:
            starts = decided.starts = frozenset(
                t.removeprefix(SURFACE_MARK)[:PREFIX].replace("ё", "е") for t in terms)
        decided.matched.update(w for w in new if _may_yield(w, starts)
                               and not terms.isdisjoint(terms_of(w)))
        decided.seen.update(new)
    matched = words & decided.matched
    if not matched:
        return []
    return [m.span() for m in TOKEN_PATTERN.finditer(lowered) if m.group() in matched]


#: Letters a word shares with the terms it yields.  Snowball stems keep the
#: word's beginning, and so do pymorphy3 lemmas but for suppletive forms
#: ("люди" → "человек"), which are left unmarked rather than running the
#: morphological analyzer on every word of every hit.
PREFIX = 2


def _may_yield(word: str, starts: frozenset[str]) -> bool:
    """Whether ``word`` (or a part of a hyphenated word) begins like a query term."""
    word = word.replace("ё", "е")
    if word[:PREFIX] in starts:
        return True
    parts = _JOINERS.split(word)
    return len(parts) > 1 and any(part[:PREFIX] in starts for part in parts[1:])


@dataclass
class _Decided:
    """Words already looked at for one analyzer and set of query terms."""

    seen: set[str] = field(default_factory=set)
    matched: set[str] = field(default_factory=set)
    starts: frozenset[str] | None = None


@lru_cache(maxsize=256)
def _decisions(analyzer_id: int, terms: frozenset[str]) -> _Decided:
    return _Decided()


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


def highlight_all(text: str, analyzer, terms: set[str]) -> str:
    """The whole text, escaped, with matches marked (titles, full releases)."""
    return render(text, match_spans(text, analyzer, terms))


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


def _best_window(text: str, spans: list[tuple[int, int]], width: int) -> tuple[int, int, int]:
    """(start, end, marks covered) of the window of ``width`` covering the most matches."""
    best = (0, min(len(text), width), 0)
    ends = [b for _, b in spans]  # spans do not overlap: ends are sorted too
    words = [text[a:b].lower() for a, b in spans]
    for i, (s, _) in enumerate(spans):
        # Lead in a little so the first match has context before it.
        start = max(0, s - width // 5)
        end = min(len(text), start + width)
        last = bisect_right(ends, end, lo=i)
        covered = last - i
        distinct = len(set(words[i:last]))
        score = covered + 2 * distinct
        if score > best[2]:
            best = (start, end, score)
    return best


def snippet(text: str, analyzer, terms: set[str], chars: int = SNIPPET_CHARS) -> str:
    """One or two fragments around the best matches, or the text's opening without matches."""
    text = " ".join(text.split())
    spans = match_spans(text, analyzer, terms)
    if not spans:
        return _fragment(text, [], 0, min(len(text), chars))
    start, end, _ = _best_window(text, spans, chars)
    outside = [sp for sp in spans if sp[1] <= start or sp[0] >= end]
    if not outside:
        return _fragment(text, spans, start, end)
    first = _best_window(text, spans, FRAGMENT_CHARS)
    rest = [sp for sp in spans if sp[1] <= first[0] or sp[0] >= first[1]]
    second = _best_window(text, rest, FRAGMENT_CHARS) if rest else None
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
    body = render(text, spans, start, end)
    return f"{ELLIPSIS if start > 0 else ''}{body}{ELLIPSIS if end < len(text) else ''}"
