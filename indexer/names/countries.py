"""The hook between names and the gazetteer: translated place names.

"Georgia" and "Грузия" share no letters; they meet through the one gazetteer
(``indexer.gazetteer``, issue 13), whose entity id becomes their key.
"""

from __future__ import annotations

#: Marks a gazetteer key ("=az"): folded keys are a-z only, so none collides.
ENTITY_MARK = "="


def country_key(word: str) -> str | None:
    """The gazetteer key of a place or organisation name word, if it names one."""
    return None
