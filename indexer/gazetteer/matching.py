"""Words and names as the gazetteer matches them in texts.

A text word counts as a word of a name when one of its *keys* is one of that
word's *forms*.  Keys of a text word (``text_keys``): the word lowercased,
and for Russian every lemma the index's own analysis gives it (the same cache
the index uses).  Forms of a name's word (``name_forms``): the word lowercased
and, for Russian, every inflected form pymorphy3 knows of it; people's names
pymorphy3 does not know get the regular endings of Russian names.  English
words match as written: the data file lists the forms ("Azerbaijani",
"Azerbaijanis").  So "Азербайджане", "азербайджанского" and "Мамедъяровым" meet
their names in any inflection, and lemma meets lemma only through a form.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import lru_cache
from itertools import islice

from indexer.analysis import (
    CACHE_SIZE,
    TOKEN_PATTERN,
    WORD_JOINERS,
    BilingualMorphFilter,
    default_analyzer,
    script_of,
    shared_morph_analyzer,
    tokenize,
)
from indexer.gazetteer.model import ANY, CAPITALISED, EXACT, IGNORED, Entity, Name, Word

#: A token: (start, end, text as written).
Token = tuple[int, int, str]

_PARTS = re.compile(r"[^\W_]+")
_JOINED = re.compile(r"[‐‑/-]")
_FOLDS = str.maketrans({"‐": "-", "‑": "-", "’": "'", "ʼ": "'", "ё": "е", "Ё": "Е"})
#: Tags of the pymorphy3 parses whose inflections a person's name may take.
_NAME_TAGS = frozenset({"Name", "Surn", "Patr"})


def fold(word: str) -> str:
    """The word as keys and forms compare it: typographic marks folded, ё as е."""
    return word.translate(_FOLDS)


def _morph_filter() -> BilingualMorphFilter:
    for item in default_analyzer().items:
        if isinstance(item, BilingualMorphFilter):
            return item
    raise RuntimeError("the bilingual analyzer has no morphological filter")


@lru_cache(maxsize=CACHE_SIZE)
def text_keys(word: str) -> frozenset[str]:
    """The keys of a word as written in a text ("Азербайджане" → азербайджане,
    азербайджан; "Azerbaijan's" → azerbaijan)."""
    lower = fold(word).lower()
    if lower.endswith("'s"):
        lower = lower[:-2]
    lower = lower.rstrip("'")
    if script_of(lower) != "cyrl":
        return frozenset((lower,))
    # The index's analysis has these lemmas cached already: they cost nothing more.
    terms = _morph_filter().terms(lower)
    return frozenset(t.lstrip("=") for t in terms) | {lower}


def word_case(word: str) -> str:
    """How a name's word must be written in a text: abbreviations ("OSCE",
    "ОБСЕ") exactly, capitalised words capitalised, the others in any case."""
    letters = [c for c in word if c.isalpha()]
    if len(letters) >= 2 and all(c.isupper() for c in letters):
        return EXACT
    if letters and word[0].isupper():
        return CAPITALISED
    return ANY


#: Words of names whose forms are remembered: the data files repeat many
#: ("республика", "острова"), and each ``pymorphy3`` lexeme costs a tenth of a
#: millisecond (1,909 words, 1,226 distinct, in the bundled files).
@lru_cache(maxsize=CACHE_SIZE)
def name_forms(word: str, person: bool = False) -> frozenset[str]:
    """Every lowercased form a name's word may take in a text (see the module doc)."""
    lower = fold(word).lower()
    forms = {lower}
    if script_of(lower) != "cyrl":
        return frozenset(forms)
    morph = shared_morph_analyzer()
    parses = morph.parse(lower)
    known = morph.word_is_known(lower)
    if known and parses and not person:
        forms.update(fold(p.word) for p in parses[0].lexeme)
    elif not known and not person:
        forms.update(name_endings(lower))
    if person:
        named = [p for p in parses if _NAME_TAGS & p.tag.grammemes]
        if known and named:
            for parse in named:
                if fold(parse.normal_form) == lower:
                    forms.update(fold(p.word) for p in parse.lexeme)
        if len(forms) == 1:
            forms.update(name_endings(lower))
    return frozenset(forms)


def name_endings(word: str) -> list[str]:
    """The regular case forms of a Russian personal name or surname pymorphy3
    does not know ("мамедъяров" → мамедъярова, мамедъярову, мамедъяровым, …)."""
    if re.search(r"(ов|ев|ин|ын)$", word):
        return [word + e for e in ("а", "у", "ым", "е", "ой", "ы", "ых", "ыми")]
    if re.search(r"(ова|ева|ина|ына)$", word):
        return [word[:-1] + e for e in ("ой", "у", "ых")]
    if word.endswith(("ий", "ей", "ай")):
        stem = word[:-1]
        return [stem + e for e in ("я", "ю", "ем", "е", "и")]
    if word.endswith("ь"):
        stem = word[:-1]
        return [stem + e for e in ("я", "ю", "ем", "е")]
    if word.endswith(("а", "я")):
        stem, soft = word[:-1], word.endswith("я") or word[-2:-1] in "гкхжшщч"
        return [stem + e for e in (("и", "е", "ю", "ей") if soft else ("ы", "е", "у", "ой"))]
    if re.search(r"[бвгджзклмнпрстфхцчшщ]$", word):
        return [word + e for e in ("а", "у", "ом", "е", "ым")]
    return []


def make_name(entity: Entity, text: str) -> Name | None:
    """A name of ``entity`` from its text in a data file; None when it has no word."""
    person = entity.kind in ("person", IGNORED.kind)
    words = tuple(Word(w, name_forms(w, person), word_case(w))
                  for w in (fold(m.group()) for m in TOKEN_PATTERN.finditer(text)))
    return Name(entity, words, text) if words else None


def _fits(word: Word, written: str) -> bool:
    if word.case == ANY:
        return True
    if word.case == CAPITALISED:
        return written[:1].isupper()
    written = fold(written)
    if written.endswith("'s"):
        written = written[:-2]
    return written == word.text


class NameIndex:
    """Names by the forms of their first word, to find them in texts.

    A text is not walked word by word: the first pieces of every name's first
    word (``triggers``) are intersected with the text's pieces, and only where
    those few occur is a name tried.
    """

    def __init__(self, names: Iterable[Name]) -> None:
        self.by_first: dict[str, list[Name]] = {}
        for name in names:
            for form in name.words[0].forms:
                self.by_first.setdefault(form, []).append(name)
        for candidates in self.by_first.values():
            candidates.sort(key=_preference, reverse=True)
        #: forms all of whose names are of one word
        self.single = frozenset(form for form, names in self.by_first.items()
                                if all(len(name) == 1 for name in names))
        # The first piece of each form, as ``_PARTS`` splits a lower-cased text.
        self.triggers = frozenset(p[0] for p in map(_PARTS.findall, self.by_first) if p)
        self._remember()

    def _remember(self) -> None:
        # What a written word starts, remembered per index (an edited gazetteer is
        # a new index): the same few hundred words are looked up in every release.
        self._one_word = lru_cache(maxsize=CACHE_SIZE)(self._one_word_match)
        self._starting = lru_cache(maxsize=CACHE_SIZE)(self._names_starting)
        self._words = _WordTriggers(self.triggers)

    def __getstate__(self) -> dict:
        # The caches stay in the process that filled them: an index worker adopting
        # its parent's gazetteer (``indexer.workers.Setup``) starts its own.
        return {"by_first": self.by_first, "single": self.single, "triggers": self.triggers}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._remember()

    def find(self, text: str) -> list[tuple[int, int, Entity]]:
        hits = self._words.hits(text)
        if not hits:
            return []
        # Pieces only split at what is no letter: typographic folds do not matter here.
        lowered = text.lower().replace("ё", "е")
        if len(lowered) != len(text):  # a case mapping that changes lengths ("İ")
            lowered = text
        found: list[tuple[int, int, Entity]] = []
        done = 0  # text before this offset is matched or tried already
        for at, end in _occurrences(lowered, hits):
            if at < done:
                continue
            if self._match_one_word(text, at, end, found):
                done = end
                continue
            start = _word_start(text, at)
            done = self._match_at(text, max(start, done), found)
        return found

    def _match_one_word(self, text: str, at: int, end: int,
                        found: list[tuple[int, int, Entity]]) -> bool:
        """The common case, decided without reading further: a whole word (not a
        part of a joined one) all of whose names are of one word ("Azerbaijan")."""
        if (at and (text[at - 1].isalnum() or text[at - 1] in WORD_JOINERS)) or (
                end < len(text) and (text[end].isalnum() or text[end] in WORD_JOINERS)):
            return False
        entity = self._one_word(text[at:end])
        if entity is _UNDECIDED:
            return False
        if entity is not None:
            found.append((at, end, entity))
        return True

    def _one_word_match(self, written: str) -> Entity | None | object:
        """What ``_match_one_word`` finds for a whole word as written: the entity,
        None (nothing, or an ignored name), or ``_UNDECIDED`` (longer names start here)."""
        keys = text_keys(written)
        single = self.single
        if not all(key in single for key in keys if key in self.by_first):
            return _UNDECIDED
        for key in keys:
            for name in self.by_first.get(key, ()):
                if _fits(name.words[0], written):
                    return None if name.entity is IGNORED else name.entity
        return None

    def _match_at(self, text: str, start: int, found: list[tuple[int, int, Entity]]) -> int:
        """Try the names starting at the word at ``start``, then (for a joined word)
        at each of its parts; add what matches; return where trying stopped."""
        words = TOKEN_PATTERN.finditer(text, start)
        first = next(words, None)
        if first is None:
            return start + 1
        first_start, first_end = first.span()
        written = first.group()
        names = self._starting(written)
        if names:
            # As many words as the longest name that may start here (longest first).
            more = list(islice(words, len(names[0].words) - 1))
            name = _longest(names, [written, *(m.group() for m in more)], 0)
            if name is not None:
                end = more[len(name.words) - 2].end() if len(name.words) > 1 else first_end
                if name.entity is not IGNORED:
                    found.append((first_start, end, name.entity))
                return end
        if _JOINED.search(written):
            parts = [(first_start + m.start(), first_start + m.end(), m.group())
                     for m in _PARTS.finditer(written)]
            texts = [part[2] for part in parts]
            i = 0
            while i < len(parts):
                name = self.longest(texts, i)
                if name is None:
                    i += 1
                    continue
                if name.entity is not IGNORED:
                    found.append((parts[i][0], parts[i + len(name.words) - 1][1], name.entity))
                i += len(name.words)
        return first_end

    def longest(self, words: Sequence[str], i: int) -> Name | None:
        """The longest (then preferred) name whose words are ``words[i:]``'s first."""
        return _longest(self._starting(words[i]), words, i)

    def _names_starting(self, written: str) -> tuple[Name, ...]:
        """The names whose first word ``written`` is, longest (then preferred) first."""
        lists = [found for key in text_keys(written) if (found := self.by_first.get(key))]
        if not lists:
            return ()
        candidates = lists[0]
        if len(lists) > 1 and any(c is not candidates for c in lists):
            candidates = sorted({id(n): n for c in lists for n in c}.values(),
                                key=_preference, reverse=True)
        return tuple(name for name in candidates if _fits(name.words[0], written))


def _longest(names: tuple[Name, ...], words: Sequence[str], i: int) -> Name | None:
    """The first of ``names`` (which ``words[i]`` starts) whose other words follow it."""
    rest = words[i + 1:]
    for name in names:
        if len(name.words) > len(rest) + 1:
            continue
        # Plain loops: this runs for every occurrence of a word longer names start with.
        for word, written in zip(name.words[1:], rest, strict=False):  # rest may be longer
            if (word.case != ANY and not _fits(word, written)) or word.forms.isdisjoint(
                    text_keys(written)):
                break
        else:
            return name
    return None


#: ``NameIndex._one_word_match``: the word starts longer names, so is tried in place.
_UNDECIDED = object()


def _preference(name: Name) -> tuple[int, bool]:
    """Longest first; at equal length an abbreviation written exactly wins ("GUAM"
    the organisation over Guam the territory)."""
    return len(name), name.words[0].case == EXACT


#: Distinct words whose trigger pieces are remembered (``_WordTriggers``).
KEPT_WORDS = CACHE_SIZE


class _WordTriggers:
    """The trigger pieces of a text, from those of its distinct words.

    Each word is split into pieces once (a text's pieces are its words'); a
    text then costs three set operations in C and a look at its few words that
    hold a trigger, where joining, lower-casing and splitting all its words
    cost ~8 % of entity tagging.  The words are forgotten all at once past
    ``KEPT_WORDS``: a fresh state replaces the old one, so that a thread still
    using the old one never sees a word marked seen without its pieces.
    """

    def __init__(self, triggers: frozenset[str]) -> None:
        self.triggers = triggers
        self._state: tuple[set[str], set[str], dict[str, tuple[str, ...]]] = (set(), set(), {})

    def hits(self, text: str) -> set[str]:
        """The triggers among the pieces of ``text``'s words (``TOKEN_PATTERN``'s
        tokens, lower-cased, ё as е, split at the joiners: ``_PARTS`` of the text)."""
        words = set(tokenize(text))
        state = self._state
        seen, holding, pieces = state
        new = words.difference(seen)
        if new:
            if len(seen) + len(new) > KEPT_WORDS:
                state = self._state = seen, holding, pieces = set(), set(), {}
                new = words
            triggers = self.triggers
            for word in new:
                lowered = word.lower().replace("ё", "е")
                if lowered.isalnum():  # no joiner: the word is one piece
                    if lowered in triggers:
                        pieces[word] = (lowered,)
                        holding.add(word)
                elif found := triggers.intersection(_pieces_of(lowered)):
                    pieces[word] = tuple(found)
                    holding.add(word)
            seen |= new  # after their pieces: a word seen is a word known
        hits: set[str] = set()
        for word in words & holding:
            hits.update(pieces[word])
        return hits


def _pieces_of(lowered: str) -> list[str]:
    """The pieces of one lower-cased word (ё as е), split at its joiners."""
    for joiner in WORD_JOINERS:
        if joiner in lowered:
            lowered = lowered.replace(joiner, " ")
    return lowered.split()


def _occurrences(lowered: str, pieces: Iterable[str]) -> list[tuple[int, int]]:
    """(start, end) of each whole piece of ``pieces`` in ``lowered``, in order.

    A short piece ("о" of "о-ва", "i") occurs inside most words: an expression
    finds it whole (compiled once; few pieces are this short).  A longer one is
    found by ``str.find``, and each find is tested in this one plain loop."""
    found = []
    length = len(lowered)
    find = lowered.find
    for piece in pieces:
        size = len(piece)
        if size <= SHORT_PIECE:
            found += [match.span() for match in _whole_piece(piece)(lowered)]
            continue
        at = find(piece)
        while at >= 0:
            end = at + size
            before = lowered[at - 1] if at else " "
            after = lowered[end] if end < length else " "
            if not ((before.isalnum() and before != "_") or (after.isalnum() and after != "_")):
                found.append((at, end))
            at = find(piece, end)
    found.sort()
    return found


#: Pieces this long or shorter are searched by an expression (``_whole_piece``).
SHORT_PIECE = 2


@lru_cache(maxsize=1024)
def _whole_piece(piece: str) -> Callable[[str], Iterator[re.Match[str]]]:
    """Where ``piece`` stands whole (no letter or digit either side).  The piece
    comes first, so that C searches for it; the letter before it is looked
    behind for only where it occurs."""
    return re.compile(rf"{re.escape(piece)}(?<![^\W_].{{{len(piece)}}})(?![^\W_])",
                      re.DOTALL).finditer


def _word_start(text: str, at: int) -> int:
    """The start of the word (joined parts included) holding offset ``at``."""
    start = at
    while start > 0 and (text[start - 1].isalnum() or
                         (text[start - 1] in WORD_JOINERS and start > 1
                          and text[start - 2].isalnum())):
        start -= 1
    return start
