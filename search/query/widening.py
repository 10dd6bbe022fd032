"""Unknown words widened to the vocabulary words sharing a long prefix (a base
class of ``QueryCompiler``)."""

from __future__ import annotations

import math

from indexer.fields import OTHER, SCOPES, field_name
from search.suggest import MAX_WORD

#: Widenings of unknown words kept per index generation (each walks the vocabulary).
RELAXED_KEPT = 50_000
#: Shortest word that is relaxed to a shared prefix when it matches nothing.
MIN_RELAX_WORD = 7
MIN_RELAX_PREFIX = 5
RELAX_EXPANSIONS = 20


class Widening:
    """How ``QueryCompiler`` widens a word found nowhere (see the module docstring)."""

    def _relax(self, word: str, own_terms: list[str], field_langs) -> tuple[str, list[str]]:
        """Terms of vocabulary words sharing a long prefix with a word found nowhere.

        The stemmer leaves derivations apart ("relationship" vs "relations");
        a word no release contains is widened to its longest prefix that does
        occur, rather than finding nothing.
        """
        if not MIN_RELAX_WORD <= len(word) <= MAX_WORD or not word.isalpha():
            return "", []
        key = (word, field_langs)
        if key in self._relaxed:
            return self._relaxed[key]
        if len(self._relaxed) > RELAXED_KEPT:
            self._relaxed.clear()
        reader = self.reader
        fields = [field_name(s, lang) for lang in field_langs if lang != OTHER for s in SCOPES]
        if (not fields or any(self._exists(f, t) for f in fields for t in own_terms)
                or self.corrections.word(reader, word)):
            # Found as it is, or a typo: spelling suggestions handle typos.
            self._relaxed[key] = ("", [])
            return self._relaxed[key]
        shortest = max(MIN_RELAX_PREFIX, math.ceil(len(word) * 0.6))
        found: list[str] = []
        length = 0
        for length in range(len(word) - 1, shortest - 1, -1):
            if self.deadline.expired():
                # Not remembered: with time, the next request widens it.
                self.deadline.cut("expansion")
                return "", []
            found = []
            for w in reader.expand_prefix("words", word[:length]):
                found.append(w.decode() if isinstance(w, bytes) else w)
                if len(found) >= RELAX_EXPANSIONS:
                    break
            if found:
                break
        out: list[str] = []
        for w in found:
            for t in self._analyzed_positions(w, False)[:1]:
                out += [x for x in t if x not in out]
        if not any(self._exists(f, t) for f in fields for t in out):
            out = []  # the vocabulary word is in another language's fields only
        self._relaxed[key] = (word[:length], out)
        return self._relaxed[key]
