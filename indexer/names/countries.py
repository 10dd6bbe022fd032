"""The hook between names and the gazetteer: translated place names.

"Georgia" and "Грузия" share no letters; they meet through the one gazetteer
(``indexer.gazetteer``, issue 13): a word naming a country or an international
organisation gets the entity's id as a key of its own ("=ge"), beside its
folded keys, and so does a name of several words ("United States" = "США"),
at the position of its first word.  People are left to the folded keys: a single word ("Aliyev")
names no one person.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from indexer.analysis import script_of
from indexer.gazetteer import load_gazetteer
from indexer.names.keys import russian_lemmas
from indexer.names.romanising import KEPT

#: Marks a gazetteer key ("=az"): folded keys are a-z only, so none collides.
ENTITY_MARK = "="
#: The gazetteer's kinds that are translated rather than transliterated.
TRANSLATED = ("country", "org")
def country_key(word: str) -> str | None:
    """The gazetteer key of a word naming a country or an organisation, if any:
    "Azerbaijan", "Азербайджане", "Azerbaijani" → "=az"; "ОБСЕ" → "=osce"."""
    return _country_key(word, load_gazetteer())


@lru_cache(maxsize=KEPT)
def _country_key(word: str, gazetteer: Any) -> str | None:
    """``country_key`` in one gazetteer (an edited one is a new object: its own answers)."""
    lower = word.lower().replace("ё", "е")
    kind = script_of(lower)
    if kind == "latn":
        spellings: tuple[str, ...] = (lower,)
        lang = "en"
    elif kind == "cyrl":
        spellings = (*russian_lemmas(lower), lower)
        lang = "ru"
    else:
        return None
    if kind == "latn" and word.isupper():
        # Abbreviations keep their case in the gazetteer: "US" is not "us".
        found = gazetteer.find(word, "en")
        if len(found) == 1 and found[0][:2] == (0, len(word)) and \
                found[0][2].kind in TRANSLATED:
            return ENTITY_MARK + found[0][2].id.lower()
    for spelling in spellings:
        entity = gazetteer.entity_of_word(spelling, lang)
        if entity is not None and entity.kind in TRANSLATED:
            return ENTITY_MARK + entity.id.lower()
    return None


def phrase_keys(span: str) -> tuple[tuple[int, str], ...]:
    """(offset, gazetteer key) of each country or organisation named by two words or
    more within ``span``, a run of adjacent names: "South Africa", "Соединенных
    Штатах", "Южно-Африканской Республике"."""
    return phrase_keys_in(span, load_gazetteer())


@lru_cache(maxsize=KEPT)
def phrase_keys_in(span: str, gazetteer: Any) -> tuple[tuple[int, str], ...]:
    """``phrase_keys`` in one gazetteer (``load_gazetteer()``, asked once per text)."""
    out = []
    for start, end, entity in gazetteer.find(span, "en"):
        if entity.kind in TRANSLATED and any(not ch.isalnum() for ch in span[start:end]):
            out.append((start, ENTITY_MARK + entity.id.lower()))
    return tuple(out)
