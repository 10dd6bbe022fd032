"""The parsed query → Whoosh query objects over chosen fields of one index.

Each word's terms at one position are alternatives (``BestOf``), phrases are
sequences, terms absent from a field are pruned; wildcard and fuzzy words are
expanded (``search.query.expansion``) and unknown words widened
(``search.query.widening``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from whoosh import query as wq

from indexer.analysis import SURFACE_MARK, TOKEN_PATTERN, PlainAnalyzer, default_analyzer
from indexer.fields import OTHER, SCOPES, field_name
from indexer.words import WordAnalysis, word_cache
from search.deadline import Deadline
from search.matching import BestOf
from search.names import NameAlternatives
from search.notes import Note
from search.phrasemarks import MarkTerms
from search.query.expansion import PREFIX_EXPANSIONS, Expansion
from search.query.tree import Atom, Group, ParsedQuery
from search.query.widening import Widening
from search.suggest import Corrections

#: Weight of the exact surface form beside the lemma (measured on XQuAD, see
#: docs/relevance.md: with DisjunctionMax, 0.5 gives the best MRR@10 in both
#: languages; larger boosts let rare surface terms dominate).
SURFACE_BOOST = 0.5
#: (field, term) presence answers kept per index generation.
PRESENT_KEPT = 500_000
TITLE_BOOST = 2.0
NUMBER_BOOST = 3.0
MAX_RELAXED_QUERY_WORDS = 6
#: The analyzer of an index without fields for other languages.
_PLAIN_ANALYZER = PlainAnalyzer()


def _term(fieldname: str, text: str) -> wq.Term:
    return wq.Term(fieldname, text, boost=SURFACE_BOOST if text.startswith(SURFACE_MARK) else 1.0)


def _alternatives(fieldname: str, terms: Iterable[str]) -> wq.Query:
    """One word's terms (lemmas and surface form) at one position.

    The best of them counts (``BestOf``), not their sum: an ambiguous word must not score
    once per lemma, and the rarer surface term must not swamp the lemma.  The
    tie-break still lifts an exact-form match above a lemma-only one.
    """
    qs = [_term(fieldname, t) for t in terms]
    return qs[0] if len(qs) == 1 else BestOf(qs)


def _sequence(fieldname: str, positions: list[list[str]]) -> wq.Query:
    parts = [_alternatives(fieldname, terms) for terms in positions]
    return parts[0] if len(parts) == 1 else wq.Sequence(parts)


def _boosted(q: wq.Query, fieldname: str) -> wq.Query:
    """``q`` (built for this field alone) weighted for its field.  Set in place:
    Whoosh's ``with_boost`` deep-copies the tree."""
    if fieldname.startswith("title_"):
        q.boost *= TITLE_BOOST
    return q


@dataclass
class CompiledQuery:
    query: wq.Query | None  # None: no words, list everything
    #: field → terms that count as matched (for highlighting and the hit's language)
    terms: dict[str, set[str]]
    notes: list[Note]


class QueryCompiler(Expansion, Widening):
    """Turns a parsed query into a Whoosh query over chosen fields of one index."""

    def __init__(self, reader, corrections: Corrections | None = None,
                 present: dict[tuple[str, str], bool] | None = None,
                 relaxed: dict[tuple, tuple[str, list[str]]] | None = None,
                 deadline: Deadline | None = None, names_memo: dict | None = None) -> None:
        self.reader = reader
        self.deadline = deadline or Deadline.never()
        #: Expansions of this request: (kind, field, word) → terms.  The per-language
        #: twins of a query reuse the main query's, and they count once against the cap.
        self._expanded: dict[tuple, tuple[list[str], list[Note]]] = {}
        self._expanded_total = 0
        self._share = PREFIX_EXPANSIONS
        #: Set once the request's total cut a word: every compiled query carries it.
        self._cap_note: Note | None = None
        self.corrections = corrections or Corrections()
        #: (field, term) → in the index; may be shared by the compilers of one generation.
        self._present: dict[tuple[str, str], bool] = {} if present is None else present
        #: (word, field languages) → widened terms; may be shared like ``present``.
        self._relaxed: dict[tuple, tuple[str, list[str]]] = {} if relaxed is None else relaxed
        self._analyzed: dict[tuple, tuple[list[list[str]], Note | None]] = {}
        self._may_relax = True
        #: plain? → the word cache of the index's own analyzer (see ``analysis``).
        self._analyses: dict[bool, WordAnalysis] = {}
        #: (scope, field languages) → the field names an atom is searched in.
        self._field_names: dict[tuple, list[str]] = {}
        #: Names across scripts: the name-key alternative of each word (search/names.py).
        self.names = NameAlternatives(reader, self._exists, names_memo)
        #: (word, plain?) → (keys reached, the terms marked): see ``_marked_terms``.
        self._marks: dict[tuple[str, bool], tuple[int, list[str]]] = {}

    def compile(self, parsed: ParsedQuery, field_langs: Iterable[str],
                mode: str = "all") -> CompiledQuery:
        """``field_langs``: field languages searched ("en", "ru", "other")."""
        field_langs = tuple(field_langs)
        terms: dict[str, set[str]] = defaultdict(MarkTerms)
        notes: list[Note] = []
        # Widening unknown words helps a short typed query; in a pasted
        # sentence the other words carry it, and each widening costs an
        # edit-distance walk of the vocabulary.
        self._may_relax = sum(len(g.atoms) for g in parsed.positive) <= MAX_RELAXED_QUERY_WORDS
        self._share_out(parsed, field_langs)
        self.names.prepare([a for g in parsed.positive for a in g.atoms])
        positives = [self._group(g, field_langs, terms, notes) for g in parsed.positive]
        negatives = [self._group(g, field_langs, None, notes) for g in parsed.negative]
        if parsed.positive:
            if mode == "all":
                top: wq.Query = positives[0] if len(positives) == 1 else wq.And(positives)
            else:
                top = positives[0] if len(positives) == 1 else wq.Or(positives)
        elif parsed.negative:
            top = wq.Every()
        else:
            return CompiledQuery(None, {}, notes)
        if negatives:
            top = wq.AndNot(top, negatives[0] if len(negatives) == 1 else wq.Or(negatives))
        notes += [n for n in self.names.notes() if n not in notes]
        if self._cap_note is not None:
            notes.append(self._cap_note)
        return CompiledQuery(top, dict(terms), notes)

    def _group(self, group: Group, field_langs, terms, notes) -> wq.Query:
        qs = [self._atom(a, field_langs, terms, notes) for a in group.atoms]
        return qs[0] if len(qs) == 1 else wq.Or(qs)

    def _fields(self, atom: Atom, field_langs) -> list[str]:
        # Asked for every atom of every compiled twin: the names are remembered.
        key = (atom.scope, field_langs)
        found = self._field_names.get(key)
        if found is None:
            scopes = (atom.scope,) if atom.scope else SCOPES
            found = self._field_names[key] = [field_name(scope, lang) for lang in field_langs
                                              for scope in scopes]
        return found

    def _atom(self, atom: Atom, field_langs, terms, notes) -> wq.Query:
        per_field: list[wq.Query] = []
        for fieldname in self._fields(atom, field_langs):
            plain = fieldname.endswith(f"_{OTHER}")
            if atom.prefix or atom.fuzzy:
                found = self._expansion(fieldname, atom, plain, notes)
                q = wq.Or([wq.Term(fieldname, t) for t in found]) if found else None
                positions = [found]
            else:
                positions = self._positions(atom.text, plain, field_langs,
                                            None if atom.phrase else notes)
                present = [[t for t in pos if self._exists(fieldname, t)] for pos in positions]
                # A position no term of which is in this field cannot match here;
                # pruning absent terms keeps matcher trees of long queries small.
                q = _sequence(fieldname, present) if present and all(present) else None
            if q is None:
                continue
            per_field.append(_boosted(q, fieldname))
            if terms is not None:
                terms[fieldname].add_atom(positions, atom.phrase)
        if not atom.phrase and not atom.scope and any(ch.isdigit() for ch in atom.text):
            per_field.append(wq.Term("number", atom.text.strip(), boost=NUMBER_BOOST))
        if not (atom.prefix or atom.fuzzy or atom.scope):
            self._name_alternative(atom, field_langs, terms, per_field)
        if not per_field:
            return wq.NullQuery
        return per_field[0] if len(per_field) == 1 else wq.Or(per_field)

    def _name_alternative(self, atom: Atom, field_langs, terms, per_field: list) -> None:
        """The word's or phrase's name-key alternative (search/names.py), and the
        other spellings it reached marked as matched."""
        q = self.names.query(atom, field_langs)
        if q is None:
            return
        if per_field:
            # The best of the text fields and the key, not their sum: a release with
            # the typed form also has its key, and adding both counted the name twice
            # against the other words (XQuAD en 0.959 → 0.962, en→ru 0.837 → 0.851;
            # docs/names.md).
            text = per_field[0] if len(per_field) == 1 else wq.Or(list(per_field))
            per_field[:] = [BestOf([text, q])]
        else:
            per_field.append(q)
        if terms is None:
            return
        words = TOKEN_PATTERN.findall(atom.text)
        # The marks depend on the field only through its analyzer: made once for each.
        by_analyzer: dict[bool, list[list[str]]] = {}
        for fieldname in self._fields(atom, field_langs):
            plain = fieldname.endswith(f"_{OTHER}")
            positions = by_analyzer.get(plain)
            if positions is None:
                positions = by_analyzer[plain] = [self._marked_terms(w, plain) for w in words]
            if all(positions):
                terms[fieldname].add_atom(positions, atom.phrase)

    def _marked_terms(self, word: str, plain: bool) -> list[str]:
        """The terms of the other spellings a word reached, for the marks.  Each
        compiled twin asks again: remembered for as many keys as the word has
        reached (keys are only added)."""
        reached = self.names.reached(word)
        key = (word, plain)
        found = self._marks.get(key)
        if found is None or found[0] != reached:
            terms = sorted({t for s in self.names.marked_spellings(word)
                            for pos in self._analyzed_positions(s, plain) for t in pos})
            found = self._marks[key] = (reached, terms)
        return found[1]
    def _exists(self, fieldname: str, term: str) -> bool:
        key = (fieldname, term)
        found = self._present.get(key)
        if found is None:
            if len(self._present) > PRESENT_KEPT:
                self._present.clear()  # a bound against floods of made-up words
            found = self._present[key] = self.reader.doc_frequency(fieldname, term) > 0
        return found

    def _positions(self, text: str, plain: bool, field_langs,
                   notes: list[Note] | None) -> list[list[str]]:
        """Terms by position; ``notes`` is None where a word must not be relaxed (phrases).

        The same atom is read once per field searched: the analysis is remembered.
        """
        key = (text, plain, field_langs, notes is None, self._may_relax)
        found = self._analyzed.get(key)
        if found is None:
            found = self._analyzed[key] = self._analyze(text, plain, field_langs, notes is None)
        positions, note = found
        if note is not None and notes is not None and note not in notes:
            notes.append(note)
        return positions

    def _analyze(self, text: str, plain: bool, field_langs,
                 literal: bool) -> tuple[list[list[str]], Note | None]:
        positions = [list(terms) for terms in self._analyzed_positions(text, plain)]
        if plain:
            return positions, None
        words = TOKEN_PATTERN.findall(text)
        if not literal and self._may_relax and len(positions) == 1 and len(words) == 1:
            word = words[0].lower().replace("ё", "е")
            prefix, relaxed = self._relax(word, positions[0], field_langs)
            if relaxed:
                note = Note(
                    f"no release contains {word!r}; searched words beginning with {prefix!r}",
                    f"слова «{word}» нет ни в одном пресс-релизе; найдены слова на «{prefix}»")
                return [positions[0] + [t for t in relaxed if t not in positions[0]]], note
        return positions, None

    def analysis(self, plain: bool = False) -> WordAnalysis:
        """The one word cache of the analyzer stored in the index: the plain one of
        the other languages' fields, or the bilingual one."""
        analysis = self._analyses.get(plain)
        if analysis is None:
            name = field_name("body", OTHER if plain else "en")
            schema = self.reader.schema
            analyzer = (schema[name].analyzer if name in schema
                        else _PLAIN_ANALYZER if plain else default_analyzer())
            analysis = self._analyses[plain] = word_cache(analyzer)
        return analysis

    def _analyzed_positions(self, text: str, plain: bool) -> list[list[str]]:
        """The bilingual analyzer's terms of ``text`` by position, or each of the plain
        one's terms alone; each distinct word analyzed once (morphological analysis
        was a tenth of a results page, and typed words repeat)."""
        if plain:
            return [[term] for term in self.analysis(True).emitted(text)]
        return self.analysis(False).positions(text)
