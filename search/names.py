"""Names across scripts on the query side (issue 12).

Every query word also reaches releases through the name-key field
(``indexer.names``): "Лавров" finds an English-only release about Lavrov,
"Mamedyarov" one that spells him "Mammadyarov".  The key is an alternative
weighted below the text fields (``NAME_BOOST``), so a release with the name as
typed still ranks first.  The spellings field ("key|spelling" terms) tells
which spellings of the archive a key stood for and in how many releases:
notes say how a match was made, snippets mark those spellings, and other
spellings that find more are offered ("also spelled Mammadyarov: 6").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from whoosh import query as wq

from indexer.analysis import TOKEN_PATTERN, script_of
from indexer.fields import NAME_SPELLINGS_FIELD, names_field
from indexer.names import is_russian_name, name_keys
from indexer.names.analysis import SPELLING_JOIN
from indexer.names.countries import country_key, phrase_keys
from indexer.names.keys import russian_lemmas
from search.matching import BestOf
from search.notes import Note

#: Weight of the name-key alternative beside the text fields' (1.0 for the
#: lemma, ``SURFACE_BOOST`` 0.5 for the exact form, which add up): measured by
#: bench/names.py and bench/relevance.py (docs/names.md).
NAME_BOOST = 0.45
#: Spellings of one key read from the spellings field, most frequent first.
MAX_SPELLINGS = 50
#: Other spellings named in a note.
SHOWN_SPELLINGS = 3
#: Entries of a generation's memo of keys and spellings before it starts again:
#: a bound against floods of made-up words.
MEMO_KEPT = 50_000
#: The key in a generation's memo of the atoms' plans (a dict bounded alike).
_PLANS = ("plans",)
#: One names field's part of a word's alternative: the field, the keys of each word
#: present there (None: only the whole name's key is), the whole name's key.
Plan = tuple[str, tuple[tuple[str, ...], ...] | None, str | None]


def word_keys(word: str) -> frozenset[str]:
    """The keys a typed word reaches: a Russian word only when it reads as a name
    or is typed capitalised ("мир" the noun must not meet "Mir" the station; "Мир"
    may), a Latin word always (the index holds only names' keys), with its
    gazetteer key if it names a place."""
    kind = script_of(word.lower())
    if kind == "cyrl" and not word[0].isupper() and not is_russian_name(word):
        return frozenset()
    keys = set(name_keys(word))
    country = country_key(word)
    if country:
        keys.add(country)
    return frozenset(keys)


@dataclass
class NameWord:
    """One typed word's reach through the key: its spellings in the archive."""

    word: str
    #: spelling (lower case) → releases having it, over the keys the word reached
    spellings: dict[str, int] = field(default_factory=dict)
    #: the keys whose spellings are in ``spellings``
    keys: set[str] = field(default_factory=set)
    #: ``others()`` as of the number of keys it was made with: keys are only added, and
    #: the notes and marks of every compiled twin ask for it again.
    _others: tuple[int, list[tuple[str, int]]] | None = field(
        default=None, repr=False, compare=False)

    def others(self) -> list[tuple[str, int]]:
        """Spellings other than the typed one and its inflections ("Лавровым" is
        "Лавров"), most releases first."""
        if self._others is not None and self._others[0] == len(self.keys):
            return list(self._others[1])
        typed = self.word.lower().replace("ё", "е")
        found = sorted(((s, n) for s, n in self.spellings.items() if not _same_word(s, typed)),
                       key=lambda item: (-item[1], item[0]))
        self._others = (len(self.keys), found)
        return list(found)

    def typed_releases(self) -> int:
        return self.spellings.get(self.word.lower().replace("ё", "е"), 0)

    def to_dict(self) -> dict:
        return {"word": self.word, "releases": self.typed_releases(),
                "also_spelled": [{"spelling": s, "releases": n} for s, n in self.others()]}


class NameAlternatives:
    """The name-key alternatives of one compiled request, and what they reached."""

    def __init__(self, reader, exists: Callable[[str, str], bool],
                 memo: dict | None = None) -> None:
        self.reader = reader
        self.exists = exists
        #: A word's keys present in a field, a key's spellings: fixed for one index
        #: generation, so they may be shared by its requests (each compiled twin
        #: asked them again per word per field).
        self.memo: dict = {} if memo is None else memo
        self.words: dict[str, NameWord] = {}
        #: Indexes written before the key fields existed have none: no alternative.
        self.enabled = NAME_SPELLINGS_FIELD in reader.schema
        #: id of a query word → the gazetteer key of the several-word name it begins
        self._entity_of: dict[int, str] = {}
        #: This request's atoms' plans (``_plan``), their words learned.
        self._atom_plans: dict[tuple, tuple[list[Plan], tuple[str, ...]]] = {}
        #: Keys learned so far, and the notes as of that many (each twin asks for them).
        self._learned = 0
        self._notes: tuple[int, list[Note]] | None = None

    def _present(self, word: str, fieldname: str) -> list[str]:
        key = ("present", word, fieldname)
        found = self.memo.get(key)
        if found is None:
            found = self._remember(key, tuple(sorted(
                k for k in self._keys(word) if self.exists(fieldname, k))))
        return list(found)  # the caller's own: it may add a whole name's key

    def _keys(self, word: str) -> frozenset[str]:
        # Asked once per names field: reading a word as a name (a morphological parse,
        # transliterations, the gazetteer) was most of a new word's cost.
        key = ("keys", word)
        found = self.memo.get(key)
        if found is None:
            found = self._remember(key, word_keys(word))
        return found

    def _remember(self, key: tuple, value):
        if len(self.memo) > MEMO_KEPT:
            self.memo.clear()
        self.memo[key] = value
        return value

    def prepare(self, atoms: list) -> None:
        """Read the query's words in order for names of several words: "United
        States" typed as two words reaches the key of "США" through its first word."""
        self._entity_of = {}
        if not self.enabled:
            return
        plain = [a for a in atoms if not (a.phrase or a.prefix or a.fuzzy or a.scope)]
        starts: dict[int, object] = {}
        text = ""
        for atom in plain:
            starts[len(text)] = atom
            text += atom.text + " "
        self._entity_of = {id(starts[offset]): key for offset, key in self._phrase_keys(text)
                           if offset in starts}

    def _phrase_keys(self, text: str) -> tuple[tuple[int, str], ...]:
        # Each twin reads the same words again, and the gazetteer lookup reads a
        # setting: kept for the generation, like the keys (a retag is a new one).
        key = ("phrases", text)
        found = self.memo.get(key)
        if found is None:
            found = self._remember(key, phrase_keys(text))
        return found

    def query(self, atom, field_langs: Iterable[str]) -> wq.Query | None:
        """The key alternative of a word or phrase (a parsed ``Atom``) over the names
        fields of ``field_langs``; None when a word reaches no key there (a phrase
        needs every word's)."""
        if not self.enabled:
            return None
        field_langs = tuple(field_langs)
        atom_key = (atom.text, atom.phrase, self._entity_of.get(id(atom)), field_langs)
        found = self._atom_plans.get(atom_key)
        if found is None:
            found = self._atom_plans[atom_key] = self._plan(atom_key)
            for _field, positions, _whole in found[0]:
                if positions is not None:
                    for word, keys in zip(found[1], positions, strict=True):
                        self._learn(word, keys)
        plans, words = found
        if not plans:
            return None
        per_field = [_field_query(fieldname, positions, whole, len(words) > 1)
                     for fieldname, positions, whole in plans]
        q = per_field[0] if len(per_field) == 1 else wq.Or(per_field)
        q.boost *= NAME_BOOST
        return q

    def _plan(self, atom_key: tuple) -> tuple[list[Plan], tuple[str, ...]]:
        """The plans of an atom's names fields (see ``_field_keys``) and its words, for
        (text, phrase?, whole name, field languages).  Fixed for the generation like
        the keys they are read from: each request's twins and every request asking the
        same words share them (looking them up was most of the alternative's cost)."""
        plans = self.memo.get(_PLANS)
        if plans is None or len(plans) > MEMO_KEPT:
            plans = self.memo[_PLANS] = {}
        found = plans.get(atom_key)
        if found is None:
            found = plans[atom_key] = self._atom_plan(*atom_key)
        return found

    def _atom_plan(self, text: str, phrase: bool, whole: str | None,
                   field_langs: tuple[str, ...]) -> tuple[list[Plan], tuple[str, ...]]:
        words = tuple(TOKEN_PATTERN.findall(text))
        if not words or (len(words) > 1 and not phrase):
            return [], words
        if phrase:
            found = [key for offset, key in self._phrase_keys(text) if offset == 0]
            whole = found[0] if found else None
        return [plan for lang in field_langs
                if (plan := self._field_keys(names_field(lang), words, whole)) is not None], words

    def _field_keys(self, fieldname: str, words: tuple[str, ...],
                    whole: str | None) -> Plan | None:
        """The keys of each word present in the field (None: only the whole name's),
        and the whole name's key if present; None when the field has nothing."""
        if fieldname not in self.reader.schema:
            return None
        if whole and not self.exists(fieldname, whole):
            whole = None
        positions = [self._present(w, fieldname) for w in words]
        if len(words) == 1 and whole:
            positions[0].append(whole)
        if not all(positions):
            return (fieldname, None, whole) if whole and len(words) > 1 else None
        return fieldname, tuple(tuple(keys) for keys in positions), whole

    def _learn(self, word: str, keys: Iterable[str]) -> None:
        found = self.words.get(word)
        if found is None:
            found = self.words[word] = NameWord(word)
        for key in set(keys) - found.keys:
            found.keys.add(key)
            self._learned += 1
            for spelling, n in self.spellings(key):
                found.spellings[spelling] = max(found.spellings.get(spelling, 0), n)

    def spellings(self, key: str) -> list[tuple[str, int]]:
        """(spelling, releases) of the spellings that index ``key``."""
        found = self.memo.get(("spellings", key))
        if found is None:
            found = self._remember(("spellings", key), tuple(self._read_spellings(key)))
        return list(found)

    def _read_spellings(self, key: str) -> list[tuple[str, int]]:
        start = f"{key}{SPELLING_JOIN}"
        out = []
        for term in self.reader.expand_prefix(NAME_SPELLINGS_FIELD, start):
            term = term.decode() if isinstance(term, bytes) else term
            n = self.reader.doc_frequency(NAME_SPELLINGS_FIELD, term)
            out.append((term[len(start):], n))
            if len(out) >= MAX_SPELLINGS:
                break
        return out

    def reached(self, word: str) -> int:
        """How many keys the word has reached so far in this request."""
        found = self.words.get(word)
        return len(found.keys) if found else 0

    def marked_spellings(self, word: str) -> list[str]:
        """The spellings in other releases that the word matched, to be marked."""
        found = self.words.get(word)
        return [s for s, _ in found.others()] if found else []

    def notes(self) -> list[Note]:
        """How the key matched: "Лавров also matched Lavrov", and the spelling
        variants that find more than the typed spelling."""
        if self._notes is not None and self._notes[0] == self._learned:
            return list(self._notes[1])
        out: list[Note] = []
        for found in self.words.values():
            others = found.others()
            if not others:
                continue
            shown = ", ".join(s.capitalize() for s, _ in others[:SHOWN_SPELLINGS])
            out.append(Note(f"{found.word} also matched {shown}",
                            f"{found.word}: найдено и {shown}"))
            typed = found.typed_releases()
            more = [(s, n) for s, n in others if n > typed and script_of(s) ==
                    script_of(found.word.lower())]
            if more:
                listed = "; ".join(f"{s.capitalize()}: {n}" for s, n in more[:SHOWN_SPELLINGS])
                out.append(Note(f"{found.word}: {_releases(typed)}; also spelled {listed}",
                                f"{found.word}: {_releases_ru(typed)}; другие написания: {listed}"))
        self._notes = (self._learned, out)
        return list(out)


def _field_query(fieldname: str, positions: tuple[tuple[str, ...], ...] | None,
                 whole: str | None, several: bool) -> wq.Query:
    """One names field's alternative: the words' keys in sequence, or the whole name's
    key, or the best of both."""
    if positions is None:
        return wq.Term(fieldname, whole)
    parts: list[wq.Query] = []
    for keys in positions:
        terms = [wq.Term(fieldname, k) for k in keys]
        parts.append(terms[0] if len(terms) == 1 else BestOf(terms))
    q = parts[0] if len(parts) == 1 else wq.Sequence(parts)
    if whole and several:
        q = BestOf([q, wq.Term(fieldname, whole)])
    return q


def _same_word(spelling: str, typed: str) -> bool:
    """Whether two lower-case spellings are one word: equal, or Russian forms of
    one lemma."""
    if spelling == typed:
        return True
    if script_of(spelling) == script_of(typed) == "cyrl":
        return not set(russian_lemmas(spelling)).isdisjoint(russian_lemmas(typed))
    return False


def _releases(n: int) -> str:
    return f"{n} release" if n == 1 else f"{n} releases"


def _releases_ru(n: int) -> str:
    if n % 10 == 1 and n % 100 != 11:
        return f"{n} пресс-релиз"
    if n % 10 in (2, 3, 4) and n % 100 not in (12, 13, 14):
        return f"{n} пресс-релиза"
    return f"{n} пресс-релизов"
