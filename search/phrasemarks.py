"""Phrase words are marked only where the phrase occurs.

The highlighter marks every word having a matched term.  A quoted phrase's
words are matched only together, in order: "strategic partnership" must not
mark a lone "Strategic" in "Strategic Cooperation".  The compiler collects a
field's terms in a ``MarkTerms`` set, which also remembers its phrases and the
terms plain words matched; ``keep_phrase_spans`` then drops a mark made only by
a phrase term outside an occurrence of its phrase.
"""

from __future__ import annotations

from collections.abc import Callable

from indexer.analysis import TOKEN_PATTERN


class MarkTerms(set):
    """A field's matched terms, with the phrases among them (terms by position)."""

    def __init__(self, *args) -> None:
        super().__init__(*args)
        self.phrases: list[tuple[frozenset[str], ...]] = []
        self.free: set[str] = set()  # terms that count wherever they stand

    def add_atom(self, positions: list[list[str]], phrase: bool) -> None:
        for pos in positions:
            self.update(pos)
        if phrase and len(positions) > 1:
            self.phrases.append(tuple(frozenset(pos) for pos in positions))
        else:
            for pos in positions:
                self.free.update(pos)


def keep_phrase_spans(text: str, spans: list[tuple[int, int]], terms,
                      terms_of: Callable[[str], frozenset[str]]) -> list[tuple[int, int]]:
    """``spans`` without the marks of phrase words standing outside their phrase."""
    phrases = getattr(terms, "phrases", None)
    if not phrases or not spans:
        return spans
    free = terms.free
    lowered = text.lower() if len(text.lower()) == len(text) else None
    words = [terms_of((lowered or text)[s:e].lower()) for s, e in spans]
    keep = [not free.isdisjoint(w) for w in words]

    def adjacent(i: int) -> bool:
        """Whether span i+1 follows span i with only stop words (no terms) between."""
        between = text[spans[i][1]:spans[i + 1][0]]
        return all(not terms_of(w.lower()) for w in TOKEN_PATTERN.findall(between))

    links = [adjacent(i) for i in range(len(spans) - 1)]
    for phrase in phrases:
        size = len(phrase)
        for i in range(len(spans) - size + 1):
            if all(not phrase[k].isdisjoint(words[i + k]) for k in range(size)) and \
                    all(links[i + k] for k in range(size - 1)):
                for k in range(size):
                    keep[i + k] = True
    return [span for span, kept in zip(spans, keep, strict=True) if kept]
