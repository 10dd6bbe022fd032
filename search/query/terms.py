"""Query words → index terms: the analyzer's terms grouped by position, remembered."""

from __future__ import annotations

from collections import defaultdict
from functools import lru_cache

from indexer.analysis import PlainAnalyzer, default_analyzer

#: Query words and phrases whose analysis is remembered (it depends on the text alone).
ANALYZED_KEPT = 20_000

_plain_analyzer = PlainAnalyzer()


def positions_of(text: str, analyzer) -> list[list[str]]:
    """The analyzer's terms for ``text`` grouped by position, in order."""
    by_pos: dict[int, list[str]] = defaultdict(list)
    for t in analyzer(text, positions=True, mode="query"):
        if t.text not in by_pos[t.pos]:
            by_pos[t.pos].append(t.text)
    return [by_pos[p] for p in sorted(by_pos)]


@lru_cache(maxsize=ANALYZED_KEPT)
def _analyzed_positions(text: str, plain: bool) -> tuple[tuple[str, ...], ...]:
    """``positions_of`` with the bilingual analyzer, or the plain one's terms, remembered:
    morphological analysis was a tenth of a results page, and typed words repeat."""
    if plain:
        return tuple((tok.text,) for tok in _plain_analyzer(text, mode="query"))
    return tuple(tuple(terms) for terms in positions_of(text, default_analyzer()))


def fold_plain(text: str) -> str:
    return text.lower().replace("ı", "i").replace("i̇", "i")
