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
from collections.abc import Iterable, Iterator
from functools import lru_cache

from indexer.analysis import (
    CACHE_SIZE,
    TOKEN_PATTERN,
    BilingualMorphFilter,
    default_analyzer,
    script_of,
    shared_morph_analyzer,
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


def tokens(text: str) -> list[Token]:
    return [(m.start(), m.end(), m.group()) for m in TOKEN_PATTERN.finditer(text)]


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
    """Names by the forms of their first word, to find them in texts."""

    def __init__(self, names: Iterable[Name]) -> None:
        self.by_first: dict[str, list[Name]] = {}
        for name in names:
            for form in name.words[0].forms:
                self.by_first.setdefault(form, []).append(name)

    def find(self, text: str) -> list[tuple[int, int, Entity]]:
        return list(self.scan(tokens(text)))

    def scan(self, toks: list[Token]) -> Iterator[tuple[int, int, Entity]]:
        """Every mention in ``toks``: the longest name starting at each token; a
        joined word that starts none is tried part by part ("армяно-азербайджанского")."""
        i, n = 0, len(toks)
        while i < n:
            name = self.longest(toks, i)
            if name is not None:
                if name.entity is not IGNORED:
                    yield toks[i][0], toks[i + len(name) - 1][1], name.entity
                i += len(name)
                continue
            start, _, written = toks[i]
            if _JOINED.search(written):
                parts = [(start + m.start(), start + m.end(), m.group())
                         for m in _PARTS.finditer(written)]
                if len(parts) > 1:
                    yield from self.scan(parts)
            i += 1

    def longest(self, toks: list[Token], i: int) -> Name | None:
        written = toks[i][2]
        candidates: list[Name] = []
        for key in text_keys(written):
            candidates.extend(self.by_first.get(key, ()))
        if not candidates:
            return None
        # Longest first; at equal length an abbreviation written exactly wins
        # ("GUAM" the organisation over Guam the territory).
        candidates.sort(key=lambda name: (len(name), name.words[0].case == EXACT), reverse=True)
        for name in candidates:
            if i + len(name) > len(toks) or not _fits(name.words[0], written):
                continue
            if all(_fits(word, toks[i + k][2]) and word.forms & text_keys(toks[i + k][2])
                   for k, word in enumerate(name.words[1:], 1)):
                return name
        return None
