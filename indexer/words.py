"""Per-word analysis: each distinct word analyzed once, its terms replayed over whole texts.

Whoosh runs the analyzer's chain of six filters on every token, though every
filter but the stop filter's renumbering and the compound splitter's position
offset works on one word at a time.  ``WordAnalysis`` runs an analyzer on each
new word alone, remembers the terms at each position relative to the word (or
that it is a stop word), and replays that per occurrence with the two
cross-word rules applied; ``word_cache`` keeps one per analyzer (equal
analyzers share one), a bounded number of them.  It is the one per-word cache:
the index writer, the topic tagger, the query compiler, the passage reader and
the highlighter all ask it (the morphology filter's own lemma lookup in
``indexer.analysis`` sits below it, inside the analyzer it runs once per word).

``BilingualText`` is a ``whoosh.fields.TEXT`` whose ``index`` does that.  Whoosh
pickles the schema into every index: its import path
``indexer.fastindex.BilingualText`` (an alias of this class) is public API.
"""

from __future__ import annotations

import itertools
import threading
from collections import defaultdict
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

_serials = itertools.count()


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

    def __init__(self, analyzer: Any, tokens_of: Callable[[str], Sequence[str]] | None,
                 renumber: bool) -> None:
        self.analyzer = analyzer
        #: None: the analyzer has no fast path (its words are still remembered one by one).
        self.tokens_of = tokens_of
        self.renumber = renumber
        #: Never reused: what is kept per analysis elsewhere (the highlighter's
        #: decisions) cannot be mistaken for another's.
        self.serial = next(_serials)
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
        #: word → its terms as a set (the highlighter's question)
        self.term_sets: dict[str, frozenset[str]] = {}
        #: query text → its terms by position (the query compiler's question: typed
        #: words and phrases repeat, and a request asks once per field language)
        self.positioned: dict[str, list[list[str]]] = {}

    def _bound(self) -> None:
        if len(self.entries) + len(self.stopped) + len(self.positioned) > CACHE_SIZE:
            self._reset()

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

    def word_entry(self, word: str) -> tuple[tuple[int, str], ...]:
        """The terms of one word with their positions relative to it, in the order the
        analyzer emits them; () for a stop word."""
        entry = self.entries.get(word)
        if entry is None:
            with self._lock:
                if word not in self.entries and word not in self.stopped:
                    self._bound()
                    self._learn(word)
                entry = self.entries.get(word, ())
        return entry

    def terms(self, word: str) -> frozenset[str]:
        """The index terms of one word, as a set."""
        found = self.term_sets.get(word)
        if found is None:
            found = self.term_sets[word] = frozenset(t for _, t in self.word_entry(word))
        return found

    def positions(self, text: str) -> list[list[str]]:
        """The terms of ``text`` grouped by position, in order: ``positions_of`` with
        each distinct word analyzed once, remembered.  The result is shared: do not
        change it."""
        found = self.positioned.get(text)
        if found is None:
            found = self._positions(text)
            with self._lock:
                self._bound()
                self.positioned[text] = found
        return found

    def _positions(self, text: str) -> list[list[str]]:
        if self.tokens_of is None:
            return positions_of(text, self.analyzer)
        with self._lock:
            by_word = self._by_word(text)
            by_pos: dict[int, list[str]] = defaultdict(list)
            entries = self.entries
            for w, plist in by_word.items():
                for rel, term in entries.get(w, ()):
                    for p in plist:
                        if term not in by_pos[p + rel]:
                            by_pos[p + rel].append(term)
        return [by_pos[p] for p in sorted(by_pos)]

    def emitted(self, text: str) -> list[str]:
        """The terms of ``text`` in the order the analyzer emits them."""
        if self.tokens_of is None:
            return [t.text for t in self.analyzer(text, mode="query")]
        entry = self.word_entry
        return [term for w in self.tokens_of(text) for _, term in entry(w)]

    def _term_positions(self, value: str) -> dict[str, list[int]]:
        return self._term_positions_of(self._by_word(value), self.entries)

    def _by_word(self, value: str) -> dict[str, list[int]]:
        """Each distinct word of ``value`` (stop words that keep no position left out)
        with the positions of its first term."""
        self._bound()
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
        return by_word

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


#: (analyzer, its WordAnalysis), most recent last.  Equal analyzers
#: share one: each index's schema is unpickled into new analyzer objects.
_ANALYSES: list[tuple[Any, WordAnalysis | None]] = []
_MAX_ANALYSES = 16


_ANALYSES_LOCK = threading.Lock()
#: id(analyzer) → (analyzer, its WordAnalysis): the lock-free way in (as many as ``_ANALYSES``).
_BY_ID: dict[int, tuple[Any, WordAnalysis]] = {}


def word_cache(analyzer: Any) -> WordAnalysis:
    """The shared ``WordAnalysis`` of ``analyzer`` (with ``tokens_of`` None when it has no
    fast path over whole texts)."""
    # Snippets ask for every hit: an analyzer seen before is found without the lock
    # (the entry holds the analyzer, so its id is not reused while it is there).
    known = _BY_ID.get(id(analyzer))
    if known is not None and known[0] is analyzer:
        return known[1]
    with _ANALYSES_LOCK:
        for known_analyzer, analysis in reversed(_ANALYSES):
            if known_analyzer is analyzer:
                return analysis
        analysis = next((a for known, a in reversed(_ANALYSES) if known == analyzer), None)
        if analysis is None:
            plan = _plan(analyzer)
            analysis = WordAnalysis(analyzer, *plan) if plan else WordAnalysis(analyzer, None,
                                                                                 False)
        _ANALYSES.append((analyzer, analysis))
        del _ANALYSES[:-_MAX_ANALYSES]
        if len(_BY_ID) >= _MAX_ANALYSES:
            _BY_ID.clear()
        _BY_ID[id(analyzer)] = (analyzer, analysis)
        return analysis


def word_analysis(analyzer: Any) -> WordAnalysis | None:
    """The shared ``WordAnalysis`` of ``analyzer``; None when it has no fast path."""
    analysis = word_cache(analyzer)
    return analysis if analysis.tokens_of is not None else None


def cached_words() -> int:
    """Words held by every word cache (a bound the tests check)."""
    with _ANALYSES_LOCK:
        analyses = {id(a): a for _, a in _ANALYSES}.values()
        return sum(len(a.entries) + len(a.stopped) for a in analyses)


def positions_of(text: str, analyzer: Any) -> list[list[str]]:
    """The analyzer's terms for ``text`` grouped by position, in order (uncached: see
    ``WordAnalysis.positions``)."""
    by_pos: dict[int, list[str]] = defaultdict(list)
    for t in analyzer(text, positions=True, mode="query"):
        if t.text not in by_pos[t.pos]:
            by_pos[t.pos].append(t.text)
    return [by_pos[p] for p in sorted(by_pos)]


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
