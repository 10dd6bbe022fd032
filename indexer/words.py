"""Per-word analysis: each distinct word analyzed once, its terms replayed over whole texts.

Whoosh runs the analyzer's chain of six filters on every token, though every
filter but the stop filter's renumbering and the compound splitter's position
offset works on one word at a time.  ``WordAnalysis`` runs an analyzer on each
new word alone, remembers the terms at each position relative to the word (or
that it is a stop word), and replays that per occurrence with the two
cross-word rules applied; ``word_analysis`` keeps one per analyzer (equal
analyzers share one), a bounded number of them.

``BilingualText`` is a ``whoosh.fields.TEXT`` whose ``index`` does that.  Whoosh
pickles the schema into every index: its import path
``indexer.fastindex.BilingualText`` (an alias of this class) is public API.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from typing import Any

from whoosh import fields, formats
from whoosh.analysis import (
    CompositeAnalyzer,
    LowercaseFilter,
    RegexTokenizer,
    StopFilter,
)

from indexer.analysis import (
    CACHE_SIZE,
    RECENT_TEXTS,
    TOKEN_PATTERN,
    BilingualMorphFilter,
    CompoundSplitFilter,
    NormalizeFilter,
    PlainFoldFilter,
    YoFoldFilter,
    tokenize,
)
from indexer.codec.values import encode_positions

#: Filters known to work on each token alone (apart from the renumbering of a
#: StopFilter and the offsets of CompoundSplitFilter, which ``index`` replays).
_PER_TOKEN_FILTERS = (
    LowercaseFilter,
    NormalizeFilter,
    StopFilter,  # includes YoAwareStopFilter
    CompoundSplitFilter,
    BilingualMorphFilter,
    PlainFoldFilter,
    YoFoldFilter,
)


def _plan(analyzer: Any) -> tuple[Callable[[str], Sequence[str]], bool] | None:
    """(tokenizing function, renumber) when ``analyzer`` can take the fast path, else None."""
    if not isinstance(analyzer, CompositeAnalyzer):
        return None
    items = analyzer.items
    if not items or type(items[0]) is not RegexTokenizer or items[0].gaps:
        return None
    renumber = False
    split_seen = False
    for item in items[1:]:
        if type(item) not in _PER_TOKEN_FILTERS and not isinstance(item, StopFilter):
            return None
        if isinstance(item, StopFilter):
            # A stop filter after the splitter would renumber the parts.
            if split_seen:
                return None
            renumber = renumber or item.renumber
        if isinstance(item, CompoundSplitFilter):
            split_seen = True
    expression = items[0].expression
    if (expression.pattern, expression.flags) == (TOKEN_PATTERN.pattern, TOKEN_PATTERN.flags):
        # The topic tagger and the vocabulary field tokenize the same texts.
        return tokenize, renumber
    return partial(regex_tokens, expression), renumber


def regex_tokens(expression: Any, value: str) -> list[str]:
    """The tokenizer's matches, as ``RegexTokenizer`` (gaps=False) yields them."""
    if expression.groups:
        return [m.group() for m in expression.finditer(value)]
    return expression.findall(value)


class WordAnalysis:
    """An analyzer's results word by word, replayed over whole texts.

    Shared by every field (and the topic tagger) whose analyzer is equal:
    see ``word_analysis``.
    """

    #: Texts whose term positions are remembered: the tagger and the text
    #: fields analyze the same title and body.
    RECENT = RECENT_TEXTS

    def __init__(self, analyzer: Any, tokens_of: Callable[[str], Sequence[str]],
                 renumber: bool) -> None:
        self.analyzer = analyzer
        self.tokens_of = tokens_of
        self.renumber = renumber
        self._reset()
        self.recent: dict[str, dict[str, list[int]]] = {}
        # Writers in threads (the ingest endpoint) share the caches.
        self._lock = threading.Lock()

    def _reset(self) -> None:
        #: word → ((position relative to the word, term), ...) in emission order
        self.entries: dict[str, tuple[tuple[int, str], ...]] = {}
        #: words the analyzer drops (stop words)
        self.stopped: set[str] = set()
        #: words taking more than one position (compounds) → the extra positions
        self.spans: dict[str, int] = {}

    def _learn(self, word: str) -> None:
        emitted = tuple((t.pos, t.text) for t in self.analyzer(word, positions=True, mode="index"))
        if not emitted:
            self.stopped.add(word)
            return
        self.entries[word] = emitted
        extra = max(rel for rel, _ in emitted)
        if extra:
            self.spans[word] = extra

    def term_positions(self, value: str) -> dict[str, list[int]]:
        """Each term of ``value`` with its positions, exactly as the analyzer places
        them.  The result is shared: do not change it."""
        with self._lock:
            recent = self.recent
            found = recent.get(value)
            if found is None:
                found = self._term_positions(value)
                if len(recent) >= self.RECENT:
                    del recent[next(iter(recent))]
                recent[value] = found
            return found

    def _term_positions(self, value: str) -> dict[str, list[int]]:
        if len(self.entries) + len(self.stopped) > CACHE_SIZE:
            self._reset()
        entries, stopped, spans = self.entries, self.stopped, self.spans
        tokens = self.tokens_of(value)
        for word in set(tokens).difference(entries).difference(stopped):
            self._learn(word)

        # Positions of each distinct word.  A renumbering stop filter closes
        # the gaps its stop words leave (otherwise they keep their positions
        # and are skipped below): the positions of the remaining words run on
        # from that of the first one.
        first = 0
        seq = tokens
        if self.renumber and stopped:
            seq = [w for w in tokens if w not in stopped]
            if seq:
                first = next(i for i, w in enumerate(tokens) if w not in stopped)
        by_word: dict[str, list[int]] = {}
        get = by_word.get
        if spans and not spans.keys().isdisjoint(seq):
            # The parts of a compound take positions of their own.
            offset = 0
            extra_for = spans.get
            for i, w in enumerate(seq, first):
                plist = get(w)
                if plist is None:
                    by_word[w] = [i + offset]
                else:
                    plist.append(i + offset)
                extra = extra_for(w)
                if extra:
                    offset += extra
        else:
            for i, w in enumerate(seq, first):
                plist = get(w)
                if plist is None:
                    by_word[w] = [i]
                else:
                    plist.append(i)
        return self._term_positions_of(by_word, entries)

    @staticmethod
    def _term_positions_of(by_word: dict[str, list[int]],
                           entries: dict[str, tuple[tuple[int, str], ...]]) -> dict[str, list[int]]:
        """Words → terms.  Several words may give one term ("agreement",
        "agreements"); their positions merge in order, as the analyzer emits them."""
        positions: dict[str, list[int]] = {}
        merged: list[str] = []
        for w, plist in by_word.items():
            entry = entries.get(w)
            if entry is None:
                continue  # a stop word that kept its position
            for rel, term in entry:
                poses = [p + rel for p in plist] if rel else plist
                known = positions.get(term)
                if known is None:
                    positions[term] = poses
                else:
                    positions[term] = known + poses
                    merged.append(term)
        for term in merged:
            positions[term].sort()
        return positions


#: (analyzer, its WordAnalysis or None), most recent last.  Equal analyzers
#: share one: each index's schema is unpickled into new analyzer objects.
_ANALYSES: list[tuple[Any, WordAnalysis | None]] = []
_MAX_ANALYSES = 16


_ANALYSES_LOCK = threading.Lock()


def word_analysis(analyzer: Any) -> WordAnalysis | None:
    """The shared ``WordAnalysis`` of ``analyzer``; None when it has no fast path."""
    with _ANALYSES_LOCK:
        for known, analysis in reversed(_ANALYSES):
            if known is analyzer:
                return analysis
        analysis = next((a for known, a in reversed(_ANALYSES) if known == analyzer), None)
        if analysis is None:
            plan = _plan(analyzer)
            analysis = WordAnalysis(analyzer, *plan) if plan else None
        _ANALYSES.append((analyzer, analysis))
        del _ANALYSES[:-_MAX_ANALYSES]
        return analysis


class BilingualText(fields.TEXT):
    """A ``whoosh.fields.TEXT`` whose ``index`` analyzes each distinct word once."""

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state.pop("_analysis", None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    def word_analysis(self) -> WordAnalysis | None:
        """The fast path of this field's analyzer, if it has one."""
        analysis = self.__dict__.get("_analysis", False)
        if analysis is False:
            fast = type(self.format) is formats.Positions
            analysis = self._analysis = word_analysis(self.analyzer) if fast else None
        return analysis

    def index(self, value: Any, **kwargs: Any) -> Iterator[tuple[bytes, int, float, bytes]]:
        analysis = self.word_analysis()
        if not isinstance(value, str) or kwargs.get("mode", "index") != "index" or not analysis:
            yield from super().index(value, **kwargs)
            return
        fb = self.format.field_boost
        for term, plist in analysis.term_positions(value).items():
            n = len(plist)
            yield term.encode("utf-8"), n, float(n) * fb, encode_positions(plist)


# Pickled schemas name the class by this path (indexes written before and after
# the move open with either code): ``indexer.fastindex`` re-exports it.
BilingualText.__module__ = "indexer.fastindex"
