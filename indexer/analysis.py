"""Text analysis shared by indexing and querying.

One analyzer serves English and Russian text: every token is routed by its
script.  Cyrillic tokens get pymorphy3 lemmas, Latin tokens the Snowball
English stem, digits and codes ("332/17") stay as they are.

The analyzers are composed from small Whoosh filters with ``|``, each a
generator of tokens, exactly like ``whoosh.analysis``.  Whoosh pickles the
schema, and with it these filters, into every index: the import path
``indexer.analysis.BilingualAnalyzer`` (and the filter classes) is therefore
public API.  Renaming them makes existing indexes unreadable.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from whoosh.analysis import Filter, LowercaseFilter, RegexTokenizer, StopFilter, Token
from whoosh.lang.stopwords import stoplists

# Letters or digits, joined into one token by inner hyphens, slashes and
# apostrophes: "армяно-азербайджанского", "North-South", "332/17", "Azerbaijan's".
#: Characters joining the parts of one word (kept inside the token).
WORD_JOINERS = "'’‐‑/-"
TOKEN_PATTERN = re.compile(rf"[^\W_]+(?:[{WORD_JOINERS}][^\W_]+)*")
# Apostrophes join but never split: "azerbaijan's" is one word, not two.
_JOINERS = re.compile(r"[‐‑/-]")
_CYRILLIC = re.compile(r"[а-яё]")
_LATIN = re.compile(r"[a-z]")

#: Marks a surface-form variant emitted beside a lemma or stem, so that an
#: exact-form match can outrank a match through the lemma alone.
SURFACE_MARK = "="

#: Snowball's Russian list drops numerals (один, два, три) that the English
#: list keeps (one, two, three); "два соглашения" should keep its number.
_RU_NUMERALS = {"один", "два", "три"}
STOP_WORDS: frozenset[str] = frozenset(stoplists["en"]) | (
    frozenset(stoplists["ru"]) - _RU_NUMERALS
)
#: Typographic variants folded before anything else, so that "North‐South"
#: (U+2010) and "Azerbaijan’s" (U+2019) index like their ASCII spellings.
_CHAR_FOLDS = str.maketrans({"‐": "-", "‑": "-", "’": "'", "ʼ": "'"})

#: Bound on each lemma/stem cache.  Vocabulary of a large archive plus typos
#: stays well below this; 200k short entries cost about 40 MB at most.
CACHE_SIZE = 200_000

LEMMA_MODES = ("best", "all")
#: How ambiguous Russian words are indexed.  "all" indexes every distinct
#: lemma pymorphy3 proposes at the same position; "best" only the first
#: parse's.  The choice is measured in ``bench/analysis.py`` (see docs/analysis.md).
DEFAULT_LEMMA_MODE = "all"


#: Texts whose tokens are remembered: indexing a release tokenizes each of
#: its texts twice (the vocabulary field, and the word analysis the topic
#: tagger and the text field share).
RECENT_TEXTS = 16


@lru_cache(maxsize=RECENT_TEXTS)
def tokenize(text: str) -> tuple[str, ...]:
    """The words of ``text`` as ``TOKEN_PATTERN`` finds them (recent texts cached)."""
    return tuple(TOKEN_PATTERN.findall(text))


def script_of(word: str) -> str:
    """Return "cyrl", "latn" or "other" (digits, codes) for a lowercased token."""
    if _CYRILLIC.search(word):
        return "cyrl"
    if _LATIN.search(word):
        return "latn"
    return "other"


_shared_morph: Any = None
_shared_morph_lock = threading.Lock()


def shared_morph_analyzer() -> Any:
    """Return the process-wide pymorphy3 analyzer, loading it on first use.

    Loading the dictionaries takes a few hundred milliseconds and ~15 MB, so
    every filter in a process shares one instance.
    """
    global _shared_morph
    if _shared_morph is None:
        with _shared_morph_lock:
            if _shared_morph is None:
                import pymorphy3

                _shared_morph = pymorphy3.MorphAnalyzer()
    return _shared_morph


def _english_stemmer() -> Any:
    import snowballstemmer

    # snowballstemmer hands back PyStemmer's C implementation when installed.
    return snowballstemmer.stemmer("english")


class CompoundSplitFilter(Filter):
    """Emit a joined word ("north-south", "332/17") and then each of its parts.

    The whole word keeps the position of its first part and the parts take
    consecutive positions, so phrase queries work on either spelling.
    """

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        offset = 0
        for t in tokens:
            if offset and t.positions:
                t.pos += offset
            text = t.text
            if not _JOINERS.search(text):
                yield t
                continue
            yield t
            parts = [(m.start(), m.group()) for m in re.finditer(r"[^\W_]+", text)]
            if len(parts) < 2:
                continue
            start, pos = getattr(t, "startchar", 0), getattr(t, "pos", 0)
            original_chars = (getattr(t, "startchar", None), getattr(t, "endchar", None))
            for i, (at, part) in enumerate(parts):
                t.text = part
                if t.chars:
                    t.startchar = start + at
                    t.endchar = start + at + len(part)
                if t.positions:
                    t.pos = pos + i
                yield t
            offset += len(parts) - 1
            if t.chars:
                t.startchar, t.endchar = original_chars


class YoFoldFilter(Filter):
    """Fold ё to е: Russian text uses them interchangeably.

    Kept for indexes pickled with it; the bilingual analyzer folds ё inside
    the morphological filter instead, after lemmatizing, because "объём" is
    unambiguous while "объем" is also a form of "объесть".
    """

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for t in tokens:
            if "ё" in t.text:
                t.text = t.text.replace("ё", "е")
            yield t


class NormalizeFilter(Filter):
    """Fold typographic hyphens and apostrophes; drop English possessive "'s".

    The stop list then sees "it" in "it's", and "Azerbaijan's" indexes as
    "azerbaijan".  Cyrillic words keep ё here (see ``YoFoldFilter``).
    """

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for t in tokens:
            text = t.text.translate(_CHAR_FOLDS)
            if "'" in text:
                if text.endswith("'s"):
                    text = text[:-2]
                elif text.endswith("'"):
                    text = text[:-1]
                if t.chars:
                    t.endchar = t.startchar + len(text)
            t.text = text
            yield t


class YoAwareStopFilter(StopFilter):
    """Whoosh's StopFilter, matching "её" and "ещё" against the folded list."""

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        stoplist = self.stops
        renumber = self.renumber
        pos = None
        for t in tokens:
            text = t.text
            folded = text.replace("ё", "е") if "ё" in text else text
            if (folded not in stoplist and len(text) >= self.min
                    and (self.max is None or len(text) <= self.max)):
                if renumber and t.positions:
                    if pos is None:
                        pos = t.pos
                    else:
                        pos += 1
                        t.pos = pos
                t.stopped = False
                yield t
            elif not t.removestops:
                t.stopped = True
                yield t


#: The lemma/stem cache of each filter configuration (lemma mode, surface, size).
_LOOKUPS: dict[tuple[str, bool, int], Any] = {}
_LOOKUPS_LOCK = threading.Lock()


class BilingualMorphFilter(Filter):
    """Replace each token by its lemmas (Russian) or stem (English).

    Routing is by script: Cyrillic → pymorphy3, Latin → Snowball English,
    anything else (numbers, codes) unchanged.  With ``surface=True`` the
    surface form is emitted too, marked with ``SURFACE_MARK``, when it differs
    from every lemma.

    The filter stays picklable: the pymorphy3 analyzer and the caches are
    dropped in ``__getstate__`` and rebuilt on first use.
    """

    is_morph = True

    def __init__(self, lemma_mode: str = DEFAULT_LEMMA_MODE, surface: bool = True,
                 cache_size: int = CACHE_SIZE) -> None:
        if lemma_mode not in LEMMA_MODES:
            raise ValueError(f"lemma_mode must be one of {LEMMA_MODES}, not {lemma_mode!r}")
        self.lemma_mode = lemma_mode
        self.surface = surface
        self.cache_size = cache_size
        self._terms_for = None

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_terms_for"] = None
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        state.setdefault("cache_size", CACHE_SIZE)
        state.setdefault("surface", True)
        state.setdefault("lemma_mode", DEFAULT_LEMMA_MODE)
        self.__dict__.update(state)
        self._terms_for = None

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, BilingualMorphFilter)
            and self.lemma_mode == other.lemma_mode
            and self.surface == other.surface
        )

    def __hash__(self) -> int:
        return hash((type(self), self.lemma_mode, self.surface))

    def _build_lookup(self):
        morph = shared_morph_analyzer()
        stemmer = _english_stemmer()
        every_lemma = self.lemma_mode == "all"
        surface = self.surface

        @lru_cache(maxsize=self.cache_size)
        def terms_for(word: str) -> tuple[str, ...]:
            kind = script_of(word)
            if kind == "cyrl":
                lemmas: list[str] = []
                # For words outside the dictionary the parses are guesses of
                # the predictor ("Мамедъяровым" → "мамедъяровый"): keep the best.
                every = every_lemma and morph.word_is_known(word)
                for parse in morph.parse(word):
                    lemma = parse.normal_form.replace("ё", "е")
                    if lemma not in lemmas:
                        lemmas.append(lemma)
                    if not every:
                        break
                word = word.replace("ё", "е")
                terms = lemmas or [word]
            elif kind == "latn":
                terms = [stemmer.stemWord(word)]
            else:
                return (word,)
            if surface and word not in terms:
                terms.append(SURFACE_MARK + word)
            return tuple(terms)

        return terms_for

    def terms(self, word: str) -> tuple[str, ...]:
        """The index terms for one lowercased word (cached)."""
        if self._terms_for is None:
            # Equal filters share one cache: every refresh after a commit
            # unpickles new filters, which must not each fill a cache of their own.
            key = (self.lemma_mode, self.surface, self.cache_size)
            with _LOOKUPS_LOCK:
                if key not in _LOOKUPS:
                    _LOOKUPS[key] = self._build_lookup()
                self._terms_for = _LOOKUPS[key]
        return self._terms_for(word)

    def cache_info(self):
        return None if self._terms_for is None else self._terms_for.cache_info()

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        lookup = self.terms
        for t in tokens:
            for term in lookup(t.text):
                t.text = term
                yield t


class PlainFoldFilter(Filter):
    """Analysis for Latin-script languages other than English: no stemming.

    Azerbaijani or Turkish text must not be run through the English stemmer,
    yet stays searchable by its exact (case-folded) words.
    """

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for t in tokens:
            t.text = t.text.replace("ı", "i").replace("i̇", "i")
            yield t


def BilingualAnalyzer(lemma_mode: str = DEFAULT_LEMMA_MODE, surface: bool = True):  # noqa: N802
    """The analyzer for English and Russian fields (a Whoosh CompositeAnalyzer).

    Named like a class because Whoosh's own analyzers are (``StemmingAnalyzer``).
    """
    return (
        RegexTokenizer(TOKEN_PATTERN)
        | LowercaseFilter()
        | NormalizeFilter()
        # Before the split: Whoosh's StopFilter renumbers positions, which
        # would pull a compound's parts off their shared position.
        | YoAwareStopFilter(stoplist=STOP_WORDS, minsize=1)
        | CompoundSplitFilter()
        | BilingualMorphFilter(lemma_mode=lemma_mode, surface=surface)
    )


def PlainAnalyzer():  # noqa: N802
    """The analyzer for versions in other languages: tokenize and case-fold only."""
    return (
        RegexTokenizer(TOKEN_PATTERN)
        | LowercaseFilter()
        | NormalizeFilter()
        | CompoundSplitFilter()
        | PlainFoldFilter()
    )


def analyze(text: str, analyzer=None, mode: str = "index") -> list[str]:
    """Return the index terms of ``text``: a convenience for tests and tools."""
    analyzer = analyzer or default_analyzer()
    return [t.text for t in analyzer(text, mode=mode)]


@lru_cache(maxsize=1)
def default_analyzer():
    return BilingualAnalyzer()
