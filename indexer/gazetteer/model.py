"""What the gazetteer knows: entities, and the names that mention them.

A name is a sequence of words, each with the set of lowercased forms that
count as that word in a text (``Word.forms``) and the case it must be written
in there (``Word.case``).  ``indexer.gazetteer.matching`` finds names in texts.
"""

from __future__ import annotations

from dataclasses import dataclass

KINDS = ("country", "org", "person")

#: ``Word.case``: any case; first letter upper-case; exactly as written (abbreviations).
ANY, CAPITALISED, EXACT = "any", "cap", "exact"


@dataclass(frozen=True)
class Entity:
    """A country (ISO 3166 alpha-2 id), an organisation or a person (ascii slug ids)."""

    kind: str
    id: str
    label_en: str
    label_ru: str

    def label(self, lang: str) -> str:
        """The label in ``lang`` ("ru", else English)."""
        return self.label_ru if lang == "ru" else self.label_en

    def __reduce_ex__(self, protocol: int) -> str | tuple:
        # ``IGNORED`` unpickles as itself (matching tells it by identity): a worker
        # process adopts its parent's pickled gazetteer.
        if self.kind == IGNORED_KIND:
            return "IGNORED"
        return object.__reduce_ex__(self, protocol)


#: The kind of ``IGNORED``.
IGNORED_KIND = "ignore"


#: The "entity" of names that mention none (a data file's ``[ignore]`` table).
IGNORED = Entity(IGNORED_KIND, "", "", "")


@dataclass(frozen=True)
class Word:
    """One word of a name: the lowercased forms it may take in a text."""

    text: str
    forms: frozenset[str]
    case: str = ANY


@dataclass(frozen=True)
class Name:
    """One way of mentioning an entity: its words in order."""

    entity: Entity
    words: tuple[Word, ...]
    text: str

    def __len__(self) -> int:
        return len(self.words)
