"""People of one release: mentions in every version joined into persons, one id each.

Two mentions are one person when their surnames share a script-neutral name
key (``indexer.names.name_keys``: "Лавровым" meets "Lavrov") and their first
names do too.  A person of the known-people file is recognised the same way
from its labels and spellings, or by the gazetteer finding one of them; it
keeps its id and labels.  Any other person takes the release's own labels:
the English version's spelling and the Russian version's nominative, or the
one script's for both when the release has only one; its id is the slug of
the English (else the romanised Russian) "first-last" name.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from indexer.entities.mentions import Mention
from indexer.gazetteer import Entity, Gazetteer
from indexer.names import name_keys

Keys = frozenset[str]


#: Russian case endings tried off a name the dictionary does not know ("Ривзом").
_CASE_ENDINGS = ("ами", "ями", "ому", "ему", "ого", "его", "ыми", "ими", "ом", "ем", "ой",
                 "ей", "ым", "им", "ах", "ях", "ам", "ям", "у", "ю", "а", "я", "е", "ы", "и")
_SKELETON_FOLDS = (("dzh", "j"), ("dj", "j"), ("zh", "j"), ("kh", "h"), ("ch", "c"),
                   ("sh", "s"), ("ts", "c"), ("tz", "c"), ("ck", "k"), ("ph", "f"),
                   ("w", "v"), ("x", "ks"), ("q", "k"), ("z", "s"))


#: Cyrillic letters by their sound, for ``skeletons`` only (not a transliteration).
_CYRILLIC_SOUNDS = str.maketrans({
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ж": "j", "з": "z", "и": "i",
    "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s",
    "т": "t", "у": "u", "ф": "f", "х": "h", "ц": "c", "ч": "c", "ш": "s", "щ": "s", "ъ": "",
    "ы": "y", "ь": "", "э": "e", "ю": "u", "я": "a"})


@lru_cache(maxsize=50_000)
def skeletons(word: str) -> Keys:
    """The consonant skeletons of a name word, for joining the two versions of ONE
    release: "Reeves" and "Ривзом" (r-s), "Weaving" and "Уивинг" (n-g).  Names
    of the West are transcribed by sound into Russian, so their script-neutral keys
    rarely meet; within one release their consonants do.  Too loose for search."""
    lower = word.lower().replace("ё", "е")
    if any("а" <= c <= "я" for c in lower):
        forms = {lower} | {lower[:-len(e)] for e in _CASE_ENDINGS
                           if lower.endswith(e) and len(lower) - len(e) >= 3}
        texts = [f.replace("дж", "j").translate(_CYRILLIC_SOUNDS) for f in forms]
    else:
        texts = [slug(lower).replace("-", "")]
    return frozenset(s for s in map(_skeleton, texts) if s)


#: The letters a skeleton leaves out (v: "W"illiam), and a letter repeated.
_NOT_SKELETON = str.maketrans(dict.fromkeys("aeiouyhv"))
_REPEATED = re.compile(r"(.)\1+", re.DOTALL)


def _skeleton(text: str) -> str:
    for before, after in _SKELETON_FOLDS:
        text = text.replace(before, after)
    # The consonants, each run of one written once (C string work, not a loop).
    consonants = "".join(filter(str.isalpha, text.translate(_NOT_SKELETON)))
    return _REPEATED.sub(r"\1", consonants)


@lru_cache(maxsize=50_000)
def word_keys(word: str) -> Keys:
    """The name keys of one name word; a hyphenated one by each part too."""
    keys = set(name_keys(word))
    if "-" in word:
        for part in word.split("-"):
            keys |= name_keys(part)
    return frozenset(keys)


@dataclass
class Person:
    first: Keys
    last: Keys
    labels: dict[str, str] = field(default_factory=dict)
    #: consonant skeletons of the first name and the surname (``skeletons``)
    first_sound: Keys = frozenset()
    last_sound: Keys = frozenset()
    entity: Entity | None = None
    #: shown in a text with a title, or read as a person by the Russian analysis
    cued: bool = False
    langs: set[str] = field(default_factory=set)

    def meets(self, first: Keys, last: Keys) -> bool:
        # ``isdisjoint``: asked for every person at every mention, and builds no set.
        return not self.last.isdisjoint(last) and (
            not self.first or not first or not self.first.isdisjoint(first))

    def sounds_like(self, first: Keys, last: Keys) -> bool:
        """Both names' consonants agree (a transcribed Western name, in one release)."""
        return not self.last_sound.isdisjoint(last) and not self.first_sound.isdisjoint(first)


def mention_keys(mention: Mention) -> tuple[Keys, Keys]:
    words = [w for w in mention.words if w[:1].isupper()]
    return (word_keys(words[0]) if len(words) > 1 else frozenset()), word_keys(words[-1])


@lru_cache(maxsize=8)
def _known_keys(gazetteer: Gazetteer) -> list[tuple[Keys, Keys, Entity]]:
    """(first-name keys, surname keys, person) of every spelling in the people file."""
    known = []
    for name in gazetteer.names:
        if name.entity.kind != "person":
            continue
        words = [w.text for w in name.words if w.text[:1].isupper()]
        if len(words) >= 2:
            known.append((word_keys(words[0]), word_keys(words[-1]), name.entity))
    return known


@lru_cache(maxsize=8)
def _known_by_surname(gazetteer: Gazetteer) -> dict[str, list[int]]:
    """The positions in ``_known_keys`` of each surname key."""
    positions: dict[str, list[int]] = {}
    for i, (_, known_last, _) in enumerate(_known_keys(gazetteer)):
        for key in known_last:
            positions.setdefault(key, []).append(i)
    return positions


#: Names looked up in the people file: the same people recur from release to release.
KEPT_LOOKUPS = 20_000


@lru_cache(maxsize=KEPT_LOOKUPS)
def known_person(gazetteer: Gazetteer, first: Keys, last: Keys) -> Entity | None:
    """The first spelling in the people file whose surname and first name meet these."""
    by_surname = _known_by_surname(gazetteer)
    known = _known_keys(gazetteer)
    # Only the spellings sharing a surname key, in the file's order.
    for i in sorted({i for key in last for i in by_surname.get(key, ())}):
        known_first, _, entity = known[i]
        if not first or known_first & first:
            return entity
    return None


class Persons:
    """The persons of one release, built mention by mention."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer
        self.persons: list[Person] = []

    def add(self, mention: Mention, entity: Entity | None = None) -> Person:
        first, last = mention_keys(mention)
        words = [w for w in mention.words if w[:1].isupper()]
        first_sound = skeletons(words[0]) if len(words) > 1 else frozenset()
        last_sound = skeletons(words[-1])
        entity = entity or known_person(self.gazetteer, first, last)
        person = next((p for p in self.persons
                       if (entity is not None and p.entity == entity)
                       or (p.meets(first, last) and (p.entity is None or entity is None))), None)
        if person is None and entity is None:
            # Another language's spelling of a name written by its sound.
            person = next((p for p in self.persons if mention.lang not in p.labels
                           and p.sounds_like(first_sound, last_sound)), None)
        if person is None:
            person = Person(first, last)
            self.persons.append(person)
        person.first |= first
        person.last |= last
        person.first_sound |= first_sound
        person.last_sound |= last_sound
        person.entity = person.entity or entity
        person.cued = person.cued or mention.cued
        person.langs.add(mention.lang)
        # The shortest spelling: the nominative of a name the dictionary lacks
        # ("Киану Ривз", not "Киану Ривзом").
        known_label = person.labels.get(mention.lang)
        if known_label is None or len(mention.label) < len(known_label):
            person.labels[mention.lang] = mention.label
        return person

    def add_known(self, entity: Entity) -> None:
        """A known person the gazetteer found by one of its spellings."""
        if not any(p.entity == entity for p in self.persons):
            self.persons.append(Person(frozenset(), frozenset(), entity=entity, cued=True))

    def accepted(self) -> list[Person]:
        """Persons with evidence: known, cued, or named in two languages."""
        return [p for p in self.persons if p.entity is not None or p.cued or len(p.langs) > 1]


def person_id(person: Person) -> str:
    if person.entity is not None:
        return person.entity.id
    label = person.labels.get("en") or romanised(person.labels.get("ru", ""))
    return slug(label) or "person"


def person_labels(person: Person) -> dict[str, str]:
    if person.entity is not None:
        en, ru = person.entity.label_en, person.entity.label_ru
        # The release's own spellings win over the file's where it has both.
        if "en" in person.labels and "ru" in person.labels:
            en, ru = person.labels["en"], person.labels["ru"]
        return {"en": en, "ru": ru}
    only = next(iter(person.labels.values()), "")
    return {"en": person.labels.get("en", only), "ru": person.labels.get("ru", only)}


@lru_cache(maxsize=KEPT_LOOKUPS)
def romanised(text: str) -> str:
    if not text:
        return ""
    import iuliia

    return iuliia.WIKIPEDIA.translate(text)


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text.replace("ə", "a").replace("Ə", "A")
                                       .replace("ı", "i")).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
