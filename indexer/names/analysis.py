"""The analyzer of the name-key field: name words of a text → their keys.

``NameKeyAnalyzer()`` is ``NameTokenizer() | NameFilter() | NameKeyFilter()``,
small Whoosh components composed with ``|`` like ``indexer.analysis``.  Whoosh
pickles the schema, and these classes with it, into every index: the import
paths ``indexer.names.analysis.NameTokenizer``, ``.NameFilter`` and
``.NameKeyFilter`` are public API.  None of them holds heavy state: the
morphological analyzer is the process-wide one (``shared_morph_analyzer``).

Positions keep phrases working across the key: two names next to each other
in the text ("Sergey Lavrov") take consecutive positions, names with other
words or a sentence end between them do not.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from itertools import accumulate, compress, count, repeat
from operator import add, and_, eq, le, methodcaller, not_
from typing import Any

from whoosh import fields, formats
from whoosh.analysis import CompositeAnalyzer, Filter, Token, Tokenizer

from indexer.analysis import RECENT_TEXTS
from indexer.codec.values import encode_positions
from indexer.gazetteer import load_gazetteer
from indexer.names.countries import ENTITY_MARK, country_key, phrase_keys_in
from indexer.names.keys import is_name_candidate, name_keys
from indexer.names.romanising import KEPT

#: Upper-case letters a name may begin with (Latin with its extensions, Greek
#: and Cyrillic), as one character class: ``re`` has no \p{Lu}.
_UPPER = "".join(ch for ch in map(chr, range(0x41, 0x530)) if ch.isupper() and ch.isalpha())
#: A capitalised word; apostrophes join ("O'Brien"), hyphens do not
#: ("Armenia-Azerbaijan" is two names).
#: (``\b`` is checked after the first letter, ``(?<!\w.)``: a pattern that starts
#: with a character class is scanned for far faster; the matches are the same.)
CAPITALISED = re.compile(rf"[{re.escape(_UPPER)}](?<!\w.)[^\W\d_]*(?:['’][^\W\d_]+)*")
#: ``CAPITALISED`` as one group: ``split`` gives the text between the words too.
_SPLIT = re.compile(f"({CAPITALISED.pattern})")
#: What ends a sentence (or a title: the texts are joined by blank lines).
_SENTENCE_END = ".!?…\n\r"
#: Left of a word, skipped when looking for what precedes it.
_OPENERS = " \t\xa0\"'«“„(‘[–—-"
#: Text between two names that breaks a phrase: a word, or a sentence end.
_BREAK = re.compile(r"[^\W_]|[.!?…;:\n\r]")


#: What ends just before a sentence-initial word (its ``end`` is the word's start).
#: (No ``^`` alternative: a pattern that starts with a character class is scanned
#: for far faster; the text's start is checked apart, ``_starts``.)
_INITIAL = re.compile(rf"[{re.escape(_SENTENCE_END)}][{re.escape(_OPENERS)}]*"
                      rf"(?=[{re.escape(_UPPER)}])")
_LEADING = re.compile(rf"[{re.escape(_OPENERS)}]*(?=[{re.escape(_UPPER)}])")
_POSSESSIVES = ("'s", "’s")
#: Letters before this one are Latin (with its extensions); Greek and Cyrillic follow.
_FIRST_NON_LATIN = "\u0370"


class NameTokenizer(Tokenizer):
    """Capitalised words that may be names, with phrase-ready positions.

    A Latin word at the start of a sentence is let in only when the text also
    has it inside a sentence, and a Latin word the text also has in lower case
    ("Minister ... the minister") is a common word: both decided over the whole
    text.  Cyrillic words are left to ``NameFilter`` (the dictionary decides).
    Sets ``initial`` on each token for the filter: whether the word stands at
    the start of a sentence and nowhere else in the text.
    """

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self)

    def __hash__(self) -> int:
        return hash(type(self))

    def __call__(self, value: str, positions: bool = False, chars: bool = False,
                 keeporiginal: bool = False, removestops: bool = True, start_pos: int = 0,
                 start_char: int = 0, tokenize: bool = True, mode: str = "",
                 **kwargs: Any) -> Iterator[Token]:
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        found = candidates(value) if tokenize else ((value, 0, len(value), 0, False),)
        for word, start, end, pos, initial in found:
            t.text = word
            t.boost = 1.0
            t.stopped = False
            t.initial = initial
            if keeporiginal:
                t.original = word
            if positions:
                t.pos = start_pos + pos
            if chars:
                t.startchar = start_char + start
                t.endchar = start_char + end
            yield t


#: A text's tokens as columns: words, start and end offsets, positions, and whether
#: each stands at the start of a sentence and nowhere else.
Columns = tuple[list[str], list[int], list[int], list[int], list[bool]]
_IS_POSSESSIVE = methodcaller("endswith", _POSSESSIVES)
_END = methodcaller("end")


@lru_cache(maxsize=RECENT_TEXTS)
def candidates(text: str) -> tuple[tuple[str, int, int, int, bool], ...]:
    """(word, start, end, position, sentence-initial) of each capitalised word of
    ``text`` that may be a name, in order (see ``NameTokenizer``).  Remembered for
    recent texts."""
    return tuple(zip(*_columns(text), strict=True))


@lru_cache(maxsize=RECENT_TEXTS)
def _columns(text: str) -> Columns:
    """``candidates`` as columns.  Remembered for recent texts: the key field and the
    spellings field read the same text."""
    # One split gives the words and the text between them: offsets, positions and
    # the rules below work on whole columns (C loops), not match by match.
    parts = _SPLIT.split(text)
    if len(parts) == 1:
        return [], [], [], [], []
    words = parts[1::2]
    offsets = list(accumulate(map(len, parts)))
    starts, ends = offsets[0:-1:2], offsets[1::2]
    # Next to the previous name: the next position (+1); else leave a gap (+2).
    positions = list(accumulate(map(add, map(bool, map(_BREAK.search, parts[2:-1:2])),
                                    repeat(1)), initial=1))
    for i in list(compress(count(), map(_IS_POSSESSIVE, words))):
        words[i] = words[i][:-2]
        ends[i] -= 2
    initials = set(map(_END, _INITIAL.finditer(text)))
    if (lead := _LEADING.match(text)) is not None:
        initials.add(lead.end())
    initial = list(map(initials.__contains__, starts))
    inside = set(compress(words, map(not_, initial)))
    # A Latin word is kept when the text has it inside a sentence (whether or not it
    # also starts one) and nowhere in lower case; others are decided by the filter.
    latin = {word for word in inside if word[0] < _FIRST_NON_LATIN}
    common = {word for word in latin if _in_lower_case(text, word.lower())}
    dropped = {word for word in set(words)
               if word[0] < _FIRST_NON_LATIN and (word not in latin or word in common)}
    columns = (words, starts, ends, positions,
               list(map(and_, initial, map(not_, map(inside.__contains__, words)))))
    if dropped:
        keep = list(map(not_, map(dropped.__contains__, words)))
        words, starts, ends, positions, flags = (list(compress(column, keep))
                                                 for column in columns)
        columns = (words, starts, ends, positions, flags)
    return _with_phrase_keys(text, columns)


def _in_lower_case(text: str, lower: str) -> bool:
    """Whether ``text`` has the word ``lower`` (a lower-case word) as a word of its own."""
    at = text.find(lower)
    while at >= 0:
        end = at + len(lower)
        if (at == 0 or not text[at - 1].isalnum()) and \
                (end == len(text) or not text[end].isalnum()):
            return True
        at = text.find(lower, at + 1)
    return False


def _with_phrase_keys(text: str, columns: Columns) -> Columns:
    """``columns`` with the gazetteer keys of the countries and organisations that runs
    of adjacent names spell ("South Africa"), each at its first word's position."""
    # Runs are found from the positions, and only those naming an entity are spliced.
    words, starts, ends, positions, _ = columns
    joined = list(compress(count(1), map(eq, positions[1:], map(add, positions, repeat(1)))))
    if not joined:
        return columns
    gazetteer = load_gazetteer()
    inserts: list[tuple[int, list[tuple[str, int, int, int, bool]]]] = []
    last = 0
    for i in joined:
        if i <= last:
            continue  # inside a run already looked at
        last = i
        while last + 1 < len(words) and positions[last + 1] == positions[last] + 1:
            last += 1
        first = starts[i - 1]
        found = phrase_keys_in(text[first:ends[last]], gazetteer)
        if found:
            at = {starts[j]: positions[j] for j in range(i - 1, last + 1)}
            if items := [(key, first + offset, first + offset + len(key), at[first + offset],
                          False) for offset, key in found if first + offset in at]:
                inserts.append((i - 1, items))
    if not inserts:
        return columns
    rows = list(zip(*columns, strict=True))
    out: list[tuple[str, int, int, int, bool]] = []
    done = 0
    for index, items in inserts:
        out += rows[done:index]
        out += items
        done = index
    out += rows[done:]
    words, starts, ends, positions, flags = map(list, zip(*out, strict=True))
    return words, starts, ends, positions, flags


class NameFilter(Filter):
    """Keeps the tokens that are names (``indexer.names.is_name_candidate``).

    The tokenizer already ruled on sentence-initial Latin words; a Cyrillic word
    at the start of a sentence must read as a name in the dictionary.
    """

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for t in tokens:
            if t.text.startswith(ENTITY_MARK) or _is_name(t.text, t.initial):
                yield t


class NameKeyFilter(Filter):
    """Replaces each name by its keys at its position (``name_keys``), and a
    translated country's gazetteer key beside them (``country_key``)."""

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for t in tokens:
            for key in keys_of(t.text):
                t.text = key
                yield t


@lru_cache(maxsize=KEPT)
def keys_of(word: str) -> tuple[str, ...]:
    """The terms ``NameKeyFilter`` puts at a name's position, in order."""
    if word.startswith(ENTITY_MARK):
        return (word,)  # a gazetteer key already (``_with_phrase_keys``)
    keys = sorted(name_keys(word))
    country = country_key(word)
    if country:
        keys.append(country)
    return tuple(keys)


@lru_cache(maxsize=KEPT)
def _is_name(word: str, initial: bool) -> bool:
    return is_name_candidate(word, initial=initial)


def name_words(text: str) -> list[str]:
    """The names of ``text`` as written, in order (what the key field indexes)."""
    return [word for word in _named(text)[0] if not word.startswith(ENTITY_MARK)]


@lru_cache(maxsize=RECENT_TEXTS)
def _named(text: str) -> tuple[list[str], list[int]]:
    """The words and positions of ``NameFilter``'s tokens of ``text``: its names, and the
    gazetteer keys between them.  Remembered for recent texts: the spellings field
    and the key field both ask.  Shared: do not change them."""
    words, _, _, positions, initials = _columns(text)
    keep = list(map(_kept, words, initials))
    return list(compress(words, keep)), list(compress(positions, keep))


@lru_cache(maxsize=KEPT)
def _kept(word: str, initial: bool) -> bool:
    """Whether ``NameFilter`` keeps a token: a gazetteer key or a name."""
    return word.startswith(ENTITY_MARK) or _is_name(word, initial)


#: Joins a key and a spelling in a term of the spellings field: "lavrov|лавровым".
SPELLING_JOIN = "|"


def spelling_terms(*texts: str) -> str:
    """The spellings field's value: "key|spelling" for each name of ``texts`` (lower
    case, ё as е) and each of its keys, space-separated, each once.  It tells the
    query side which spellings in the archive a key stands for, and in how many
    releases."""
    words: set[str] = set()
    for text in texts:
        words.update(_named(text)[0])
    return " ".join(sorted(set().union(*map(_spelling_terms, words))))


@lru_cache(maxsize=KEPT)
def _spelling_terms(word: str) -> tuple[str, ...]:
    if word.startswith(ENTITY_MARK):
        return ()  # a gazetteer key, not a spelling
    spelling = word.lower().replace("ё", "е")
    return tuple(f"{key}{SPELLING_JOIN}{spelling}" for key in name_keys(spelling))


def NameKeyAnalyzer() -> CompositeAnalyzer:  # noqa: N802
    """The analyzer of the name-key field (a Whoosh CompositeAnalyzer)."""
    return NameTokenizer() | NameFilter() | NameKeyFilter()




def is_name_key_analyzer(analyzer: Any) -> bool:
    """Whether ``analyzer`` is ``NameKeyAnalyzer()`` (what ``NameKeyText`` replays)."""
    return (isinstance(analyzer, CompositeAnalyzer)
            and [type(item) for item in analyzer.items] == [NameTokenizer, NameFilter,
                                                            NameKeyFilter])


def name_term_positions(text: str) -> dict[str, list[int]]:
    """Each term ``NameKeyAnalyzer()`` gives ``text`` with its positions, in the order
    Whoosh's ``Positions`` format collects them.  The lists may be shared between
    terms: do not change them."""
    words, order = _named(text)
    # Each word's keys are looked at once, with all its positions: a key's first word
    # puts it in the same place as the tokens would.
    by_word: dict[str, list[int]] = {}
    for word, pos in zip(words, order, strict=True):
        found = by_word.get(word)
        if found is None:
            by_word[word] = [pos]
        else:
            found.append(pos)
    if not all(map(le, order, order[1:])):
        return _in_token_order(words, order)  # a gazetteer key ahead of a word before it
    positions: dict[str, list[int]] = {}
    for word, plist in by_word.items():
        for key in keys_of(word):
            found = positions.get(key)
            # Two words with one key ("Лавров", "Лаврова"): their positions merged,
            # in token order since the tokens' positions never decrease.
            positions[key] = plist if found is None else sorted(found + plist)
    return positions


def _in_token_order(words: list[str], order: list[int]) -> dict[str, list[int]]:
    """``name_term_positions`` token by token."""
    positions: dict[str, list[int]] = {}
    for word, pos in zip(words, order, strict=True):
        for key in keys_of(word):
            found = positions.get(key)
            if found is None:
                positions[key] = [pos]
            else:
                found.append(pos)
    return positions


class _NamePositions:
    """What the chunk builder's fast path asks of a field (``indexer.codec.chunks``):
    each term of a value with its positions."""

    term_positions = staticmethod(name_term_positions)


class NameKeyText(fields.TEXT):
    """The name-key field: a ``whoosh.fields.TEXT`` of ``NameKeyAnalyzer()`` whose
    ``index`` gives the same postings without running the token chain
    (tests/indexer/test_names_field.py compares them).  Whoosh pickles the schema:
    the import path ``indexer.names.analysis.NameKeyText`` is public API."""

    def index(self, value: Any, **kwargs: Any):
        if (not isinstance(value, str) or kwargs.get("mode", "index") != "index"
                or type(self.format) is not formats.Positions
                or not is_name_key_analyzer(self.analyzer)):
            yield from super().index(value, **kwargs)
            return
        fb = self.format.field_boost
        for term, plist in name_term_positions(value).items():
            n = len(plist)
            yield term.encode("utf-8"), n, float(n) * fb, encode_positions(plist)

    def word_analysis(self) -> _NamePositions | None:
        """The term positions ``index`` gives, for the chunk builder to take as they
        are (as it takes a ``BilingualText``'s); None when ``index`` would not."""
        if type(self.format) is formats.Positions and is_name_key_analyzer(self.analyzer):
            return _NamePositions()
        return None
