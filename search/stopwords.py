"""Stop words in a typed query: never required, never silently fatal.

The analyzers leave stop words ("of", "the", "с", "и") out of the index, so a
plain word that analyses to nothing can match no release.  Required beside
other words, it made every query with one find nothing and fall back to
"any of the words".  Here such words are dropped from the required words;
a query of stop words alone keeps them and says why it finds nothing.
Phrases are untouched: the analyzer keeps the order of their other words.
"""

from __future__ import annotations

from indexer.analysis import default_analyzer
from indexer.words import word_cache
from search.notes import Note


def is_stop_word(atom) -> bool:
    """Whether a plain (unquoted, non-wildcard) word has no index term at all."""
    if atom.phrase or atom.prefix or atom.fuzzy:
        return False
    # Through the one word cache: every search parses its query, and running the
    # analyzer chain on each word was a tenth of the parse.
    return not word_cache(default_analyzer()).emitted(atom.text)


def drop_stop_words(parsed) -> None:
    """Remove the positive groups made only of stop words, in place.

    If nothing else is asked for, the groups stay (they find what they can,
    usually nothing) and a note explains.
    """
    positive = [g for g in parsed.groups if not g.negated]
    stopped = [g for g in positive if all(is_stop_word(a) for a in g.atoms)]
    if not stopped:
        return
    if len(stopped) < len(positive):
        parsed.groups = [g for g in parsed.groups if not any(g is s for s in stopped)]
        return
    words = ", ".join(a.text for g in stopped for a in g.atoms)
    parsed.notes.append(Note(
        f"{words}: too common to search for (such words are not indexed); "
        f"add a more specific word",
        f"{words}: слишком частые слова, по ним не ищут (они не индексируются); "
        f"добавьте более точное слово"))
