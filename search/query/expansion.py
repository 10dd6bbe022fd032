"""Wildcard and fuzzy words: the terms each stands for in one field, within the
request's share of ``EXPANDED_TERMS`` and its deadline (a base class of
``QueryCompiler``)."""

from __future__ import annotations

from indexer.analysis import SURFACE_MARK
from search.notes import Note
from search.query.parser import MAX_FUZZY
from search.query.tree import Atom, ParsedQuery
from search.suggest import MAX_WORD

PREFIX_EXPANSIONS = 200
FUZZY_EXPANSIONS = 50
#: Terms all the wildcard and fuzzy words of one request may expand to, over every
#: field: each (word, field) gets an even share (at most the per-word caps above).
#: 60 wildcards over six fields would otherwise read 72,000 terms' postings.
EXPANDED_TERMS = 4_000
#: A query with this many wildcard or fuzzy words is costly (see ``CostlyGate``).
COSTLY_EXPANSIONS = 3


def fold_plain(text: str) -> str:
    return text.lower().replace("ı", "i").replace("i̇", "i")


def expanding_atoms(parsed: ParsedQuery) -> list[Atom]:
    return [a for g in parsed.groups for a in g.atoms if a.prefix or a.fuzzy]


def is_costly(parsed: ParsedQuery) -> bool:
    """Whether the query's wildcard and fuzzy words make it a costly search."""
    return len(expanding_atoms(parsed)) >= COSTLY_EXPANSIONS


class Expansion:
    """How ``QueryCompiler`` expands wildcard and fuzzy words (see the module docstring)."""

    def _share_out(self, parsed: ParsedQuery, field_langs: tuple[str, ...]) -> None:
        """Each (wildcard or fuzzy word, field) of ``parsed`` gets an even share of the
        request's expansions left."""
        slots = sum(len(self._fields(a, field_langs)) for a in expanding_atoms(parsed))
        left = EXPANDED_TERMS - self._expanded_total
        self._share = max(1, left // slots) if slots else PREFIX_EXPANSIONS

    def _expansion(self, fieldname: str, atom: Atom, plain: bool, notes) -> list[str]:
        """The terms a wildcard or fuzzy word stands for in one field, within this
        request's share of ``EXPANDED_TERMS`` and its deadline."""
        key = (atom.prefix, atom.fuzzy, fieldname, atom.text)
        known = self._expanded.get(key)
        if known is not None:
            found, said = known
            notes.extend(n for n in said if n not in notes)
            return found
        before = len(notes)
        left = max(0, EXPANDED_TERMS - self._expanded_total)
        full = PREFIX_EXPANSIONS if atom.prefix else FUZZY_EXPANSIONS
        cap = min(full, self._share, left)
        # One term more than the share tells whether the share cut the word.
        wanted = full if cap == full else cap + 1
        if atom.prefix:
            found = self._expand_prefix(fieldname, atom.text, plain, notes, wanted)
        else:
            found = self._expand_fuzzy(fieldname, atom, plain, notes, wanted)
        if len(found) > cap:
            # The request's total, not the word's own cap, stopped it.
            found = found[:cap]
            self.deadline.cut("expansion cap")
            note = Note(
                f"the query's wildcard and fuzzy words match too many words: at most "
                f"{EXPANDED_TERMS} were used in all, {cap} for {atom.render()}",
                f"под * и ~ этого запроса подходит слишком много слов: всего использовано "
                f"не больше {EXPANDED_TERMS}, для {atom.render()} — {cap}")
            self._cap_note = self._cap_note or note
        self._expanded_total += len(found)
        self._expanded[key] = (found, notes[before:])
        return found

    def _expand_prefix(self, fieldname: str, text: str, plain: bool, notes,
                       cap: int = PREFIX_EXPANSIONS) -> list[str]:
        prefix = fold_plain(text) if plain else text.lower().replace("ё", "е")
        found: list[str] = []
        capped = False
        deadline = self.deadline
        # Lemma/stem terms first, then surface forms ("=negotiations" for
        # "negotiation*", whose stem "negoti" is shorter than the prefix).
        starts = [prefix] if plain else [prefix, SURFACE_MARK + prefix]
        for start in starts:
            for t in self.reader.expand_prefix(fieldname, start):
                if deadline.expired():
                    deadline.cut("expansion")
                    return found
                t = t.decode() if isinstance(t, bytes) else t
                if len(found) >= cap:
                    capped = True
                    break
                found.append(t)
        if capped and cap == PREFIX_EXPANSIONS:
            note = Note(
                f"{text}* matches many words; only the first {PREFIX_EXPANSIONS} were used",
                f"под {text}* подходит много слов; использованы первые {PREFIX_EXPANSIONS}")
            if note not in notes:
                notes.append(note)
        return found

    def _expand_fuzzy(self, fieldname: str, atom: Atom, plain: bool, notes,
                      cap: int = FUZZY_EXPANSIONS) -> list[str]:
        word = atom.text.lower().replace("ё", "е")
        if len(word) > MAX_WORD:
            notes.append(Note(
                f"{atom.text[:20]}…~: too long for a fuzzy search; searched as a word",
                f"{atom.text[:20]}…~: слишком длинно для нечёткого поиска; найдено как слово"))
            return [t for pos in self._analyzed_positions(word, False)[:1] for t in pos]
        # Two edits on a four-letter word match half the vocabulary.
        longest = 0 if len(word) <= 2 else 1 if len(word) <= 4 else MAX_FUZZY
        dist = min(atom.fuzzy if atom.fuzzy > 0 else (2 if len(word) >= 6 else 1), longest)
        if dist == 0:
            return [t for pos in self._analyzed_positions(word, False)[:1] for t in pos
                    if self._exists(fieldname, t)]
        if plain:
            seeds = [fold_plain(atom.text)]
        else:
            seeds = [word] + [t for pos in self._analyzed_positions(word, False)[:1] for t in pos]
        found: list[str] = []
        deadline = self.deadline
        for seed in dict.fromkeys(seeds):
            skip = 2 if seed.startswith(SURFACE_MARK) else 1
            for t in self.reader.terms_within(fieldname, seed, dist, prefix=skip):
                if deadline.expired():
                    deadline.cut("expansion")
                    return found[:cap]
                t = t.decode() if isinstance(t, bytes) else t
                if t not in found:
                    found.append(t)
                if len(found) >= cap:
                    break
        return found[:cap]
