"""The user query language: text → syntax tree → Whoosh query objects.

Syntax: plain words (all must match), ``"exact phrase"``, ``OR`` between
words or phrases, ``NOT word`` / ``-word``, ``prefix*``, ``fuzzy~`` /
``fuzzy~2``, and ``title:`` / ``body:`` in front of a word or phrase.
Nothing a user types is an error: whatever cannot be read as syntax is read
literally or dropped, and a note says so.

Whoosh's own query parser is not used: it raises or misreads on operator soup,
and it knows nothing of lemma alternatives at one position.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from whoosh import query as wq

from indexer.analysis import SURFACE_MARK, TOKEN_PATTERN, PlainAnalyzer, default_analyzer
from indexer.fields import OTHER, SCOPES, field_name
from search.deadline import Deadline
from search.matching import BestOf
from search.names import NameAlternatives
from search.notes import Note
from search.phrasemarks import MarkTerms
from search.request import MAX_QUERY_CHARS, clean_text
from search.stopwords import drop_stop_words
from search.suggest import MAX_WORD, Corrections

#: Most words/phrases read from one query; more are dropped with a note.
MAX_CLAUSES = 64
MIN_PREFIX = 3
PREFIX_EXPANSIONS = 200
FUZZY_EXPANSIONS = 50
#: Terms all the wildcard and fuzzy words of one request may expand to, over every
#: field: each (word, field) gets an even share (at most the per-word caps above).
#: 60 wildcards over six fields would otherwise read 72,000 terms' postings.
EXPANDED_TERMS = 4_000
#: A query with this many wildcard or fuzzy words is costly (see ``CostlyGate``).
COSTLY_EXPANSIONS = 3
MAX_FUZZY = 2
#: Weight of the exact surface form beside the lemma (measured on XQuAD, see
#: docs/relevance.md: with DisjunctionMax, 0.5 gives the best MRR@10 in both
#: languages; larger boosts let rare surface terms dominate).
SURFACE_BOOST = 0.5
#: (field, term) presence answers kept per index generation.
PRESENT_KEPT = 500_000
#: Widenings of unknown words kept per index generation (each walks the vocabulary).
RELAXED_KEPT = 50_000
TITLE_BOOST = 2.0
NUMBER_BOOST = 3.0
#: Shortest word that is relaxed to a shared prefix when it matches nothing.
MIN_RELAX_WORD = 7
MIN_RELAX_PREFIX = 5
RELAX_EXPANSIONS = 20
MAX_RELAXED_QUERY_WORDS = 6
#: Query words and phrases whose analysis is remembered (it depends on the text alone).
ANALYZED_KEPT = 20_000

PAREN_NOTE = Note("parentheses are ignored: OR joins the two words or phrases next to it",
                  "скобки не учитываются: OR связывает соседние слова или фразы")
_FIELD_PREFIX = re.compile(r"^(title|body):(.*)$", re.IGNORECASE | re.DOTALL)
_FUZZY_SUFFIX = re.compile(r"~(\d*)$")
_plain_analyzer = PlainAnalyzer()


# ---------------------------------------------------------------- syntax tree

@dataclass
class Atom:
    """One word or phrase of the query."""

    text: str
    phrase: bool = False
    scope: str | None = None  # "title", "body" or None (both)
    prefix: bool = False
    fuzzy: int = 0

    def render(self) -> str:
        core = f'"{self.text}"' if self.phrase else self.text
        if self.prefix:
            core += "*"
        if self.fuzzy:
            core += f"~{self.fuzzy}" if self.fuzzy > 0 else "~"
        return f"{self.scope}:{core}" if self.scope else core


@dataclass
class Group:
    """Atoms joined by OR; a negated group excludes what it matches."""

    atoms: list[Atom]
    negated: bool = False

    def render(self) -> str:
        inner = " OR ".join(a.render() for a in self.atoms)
        if len(self.atoms) > 1:
            inner = f"({inner})"
        return f"NOT {inner}" if self.negated else inner


@dataclass
class ParsedQuery:
    groups: list[Group] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)

    @property
    def positive(self) -> list[Group]:
        return [g for g in self.groups if not g.negated]

    @property
    def negative(self) -> list[Group]:
        return [g for g in self.groups if g.negated]

    @property
    def is_empty(self) -> bool:
        return not self.groups

    def render(self, mode: str = "all") -> str:
        joiner = " AND " if mode == "all" else " OR "
        pos = joiner.join(g.render() for g in self.positive)
        neg = " ".join(g.render() for g in self.negative)
        return " ".join(p for p in (pos, neg) if p)

    def words(self) -> list[str]:
        """The plain words and phrase words, for suggestions."""
        out = []
        for g in self.groups:
            for a in g.atoms:
                out += [m.group() for m in TOKEN_PATTERN.finditer(a.text)]
        return out


# ---------------------------------------------------------------- parsing

def _has_word(text: str) -> bool:
    return TOKEN_PATTERN.search(text) is not None


def _lex(text: str, notes: list[Note]) -> list[tuple[str, str, str | None]]:
    """Split into ("word"|"phrase", text, scope-of-phrase) tokens."""
    tokens: list[tuple[str, str, str | None]] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        if ch in "()":
            if PAREN_NOTE not in notes:
                notes.append(PAREN_NOTE)
            i += 1
            continue
        if ch == '"':
            end = text.find('"', i + 1)
            if end < 0:
                notes.append(Note(
                    "unbalanced quote ignored: the words after it are read as words",
                    "непарная кавычка пропущена: слова после неё прочитаны как слова"))
                i += 1
                continue
            tokens.append(("phrase", text[i + 1:end], None))
            i = end + 1
            continue
        j = i
        while j < n and not text[j].isspace() and text[j] not in '"()':
            j += 1
        word = text[i:j]
        i = j
        # title:"phrase" and -title:"phrase"
        m = _FIELD_PREFIX.match(word.lstrip("-"))
        if m and not m.group(2) and i < n and text[i] == '"':
            end = text.find('"', i + 1)
            if end > 0:
                neg = "-" if word.startswith("-") else ""
                tokens.append(("phrase", text[i + 1:end], f"{neg}{m.group(1).lower()}"))
                i = end + 1
                continue
        tokens.append(("word", word, None))
    return tokens


def parse(text: str) -> ParsedQuery:
    """Read a user query; never raises."""
    parsed = ParsedQuery()
    notes = parsed.notes
    text = clean_text(text)
    if len(text) > MAX_QUERY_CHARS:
        text = text[:MAX_QUERY_CHARS]
        notes.append(Note(f"the query was cut to its first {MAX_QUERY_CHARS} characters",
                          f"запрос обрезан до первых {MAX_QUERY_CHARS} символов"))
    items: list[Atom | str] = []  # atoms, "OR", "NOT"
    negate_next = False
    for kind, raw, scope in _lex(text, notes):
        if kind == "phrase":
            negated = negate_next
            negate_next = False
            if scope and scope.startswith("-"):
                negated, scope = True, scope[1:]
            if not _has_word(raw):
                notes.append(Note(f'empty phrase "{raw}" ignored',
                                  f"пустая фраза «{raw}» пропущена"))
                continue
            atom = Atom(text=" ".join(raw.split()), phrase=True, scope=scope)
            items.append(("NOT", atom) if negated else atom)  # type: ignore[arg-type]
            continue
        if raw == "OR":
            items.append("OR")
            continue
        if raw == "AND":
            continue
        if raw == "NOT":
            negate_next = True
            continue
        word = raw
        negated = negate_next
        negate_next = False
        if word.startswith(("-", "+")) and len(word) > 1 and word.lstrip("-+"):
            negated = negated or word.startswith("-")
            word = word.lstrip("-+")
        scope = None
        m = _FIELD_PREFIX.match(word)
        if m:
            scope, word = m.group(1).lower(), m.group(2)
            if not word:
                notes.append(Note(f"{scope}: without a word after it is ignored",
                                  f"{scope}: без слова после него не учитывается"))
                continue
        fuzzy = 0
        prefix = False
        fm = _FUZZY_SUFFIX.search(word)
        if fm and fm.start() > 0:
            want = int(fm.group(1)) if fm.group(1) else 0
            word = word[:fm.start()]
            if want > MAX_FUZZY:
                notes.append(Note(
                    f"fuzzy distance {want} is more than {MAX_FUZZY}; used {MAX_FUZZY}",
                    f"допуск {want} больше {MAX_FUZZY}; использован {MAX_FUZZY}"))
                want = MAX_FUZZY
            fuzzy = want or -1  # -1: distance chosen by word length
        elif word.endswith("*") and len(word) > 1:
            core = word.rstrip("*")
            letters = "".join(ch for ch in core if ch.isalnum())
            if len(letters) < MIN_PREFIX:
                notes.append(Note(
                    f"{word}: a prefix needs at least {MIN_PREFIX} letters; "
                    f"searched {core!r} as a word",
                    f"{word}: для поиска по началу слова нужно не меньше {MIN_PREFIX} букв; "
                    f"«{core}» найдено как слово"))
                word = core
            else:
                word, prefix = core, True
        if not _has_word(word):
            if raw.strip():
                notes.append(Note(f"{raw!r} has no letters or digits and was ignored",
                                  f"«{raw}» не содержит букв и цифр и пропущено"))
            continue
        if (prefix or fuzzy) and len(TOKEN_PATTERN.findall(word)) > 1:
            notes.append(Note(
                f"{raw}: * and ~ apply to a single word; searched {word!r} as words",
                f"{raw}: * и ~ применяются к одному слову; «{word}» найдено как слова"))
            prefix, fuzzy = False, 0
        atom = Atom(text=word, scope=scope, prefix=prefix, fuzzy=fuzzy)
        items.append(("NOT", atom) if negated else atom)  # type: ignore[arg-type]
    if negate_next:
        notes.append(Note("NOT at the end of the query is ignored",
                          "NOT в конце запроса не учитывается"))
    _group(items, parsed)
    drop_stop_words(parsed)
    return parsed


def _group(items: list, parsed: ParsedQuery) -> None:
    notes = parsed.notes
    groups = parsed.groups
    pending_or = False
    dangling = False
    count = 0
    for item in items:
        if item == "OR":
            if pending_or or not groups or groups[-1].negated:
                dangling = True
            pending_or = True
            continue
        negated = isinstance(item, tuple)
        atom = item[1] if negated else item
        count += 1
        if count > MAX_CLAUSES:
            continue
        if any(g.negated == negated and len(g.atoms) == 1 and g.atoms[0] == atom
               for g in groups):
            pending_or = False
            continue  # a repeated word adds nothing but matcher work
        if pending_or and groups and not groups[-1].negated and not negated:
            if atom not in groups[-1].atoms:
                groups[-1].atoms.append(atom)
        else:
            if pending_or:
                dangling = True
            groups.append(Group([atom], negated=negated))
        pending_or = False
    if pending_or:
        dangling = True
    if dangling:
        notes.append(Note("an OR without a word on both sides is ignored",
                          "OR без слов с обеих сторон не учитывается"))
    if count > MAX_CLAUSES:
        notes.append(Note(
            f"the query has {count} words or phrases; only the first {MAX_CLAUSES} were used",
            f"в запросе {count} слов и фраз; использованы первые {MAX_CLAUSES}"))


# ---------------------------------------------------------------- compiling

def positions_of(text: str, analyzer) -> list[list[str]]:
    """The analyzer's terms for ``text`` grouped by position, in order."""
    by_pos: dict[int, list[str]] = defaultdict(list)
    for t in analyzer(text, positions=True, mode="query"):
        if t.text not in by_pos[t.pos]:
            by_pos[t.pos].append(t.text)
    return [by_pos[p] for p in sorted(by_pos)]


@lru_cache(maxsize=ANALYZED_KEPT)
def _analyzed_positions(text: str, plain: bool) -> tuple[tuple[str, ...], ...]:
    """``positions_of`` with the bilingual analyzer, or the plain one's terms, remembered:
    morphological analysis was a tenth of a results page, and typed words repeat."""
    if plain:
        return tuple((tok.text,) for tok in _plain_analyzer(text, mode="query"))
    return tuple(tuple(terms) for terms in positions_of(text, default_analyzer()))


def fold_plain(text: str) -> str:
    return text.lower().replace("ı", "i").replace("i̇", "i")


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


def expanding_atoms(parsed: ParsedQuery) -> list[Atom]:
    return [a for g in parsed.groups for a in g.atoms if a.prefix or a.fuzzy]


def is_costly(parsed: ParsedQuery) -> bool:
    """Whether the query's wildcard and fuzzy words make it a costly search."""
    return len(expanding_atoms(parsed)) >= COSTLY_EXPANSIONS


@dataclass
class CompiledQuery:
    query: wq.Query | None  # None: no words, list everything
    #: field → terms that count as matched (for highlighting and the hit's language)
    terms: dict[str, set[str]]
    notes: list[Note]


class QueryCompiler:
    """Turns a parsed query into a Whoosh query over chosen fields of one index."""

    def __init__(self, reader, corrections: Corrections | None = None,
                 present: dict[tuple[str, str], bool] | None = None,
                 relaxed: dict[tuple, tuple[str, list[str]]] | None = None,
                 deadline: Deadline | None = None) -> None:
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
        # Names across scripts (issue 12): the name-key alternative of each word.
        self.names = NameAlternatives(reader, self._exists)

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
        slots = sum(len(self._fields(a, field_langs)) for a in expanding_atoms(parsed))
        left = EXPANDED_TERMS - self._expanded_total
        self._share = max(1, left // slots) if slots else PREFIX_EXPANSIONS
        self.names.prepare([a for g in parsed.positive for a in g.atoms])  # issue 12
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
        notes += [n for n in self.names.notes() if n not in notes]  # issue 12
        if self._cap_note is not None:
            notes.append(self._cap_note)
        return CompiledQuery(top, dict(terms), notes)

    def _group(self, group: Group, field_langs, terms, notes) -> wq.Query:
        qs = [self._atom(a, field_langs, terms, notes) for a in group.atoms]
        return qs[0] if len(qs) == 1 else wq.Or(qs)

    def _fields(self, atom: Atom, field_langs) -> list[str]:
        scopes = (atom.scope,) if atom.scope else SCOPES
        return [field_name(scope, lang) for lang in field_langs for scope in scopes]

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
        """Names across scripts (issue 12, search/names.py): the word's or phrase's
        name-key alternative, and the other spellings it reached marked as matched."""
        q = self.names.query(atom, field_langs)
        if q is None:
            return
        per_field.append(q)
        if terms is None:
            return
        words = TOKEN_PATTERN.findall(atom.text)
        for fieldname in self._fields(atom, field_langs):
            plain = fieldname.endswith(f"_{OTHER}")
            positions = [sorted({t for s in self.names.marked_spellings(w)
                                 for pos in _analyzed_positions(s, plain) for t in pos})
                         for w in words]
            if all(positions):
                terms[fieldname].add_atom(positions, atom.phrase)

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
        positions = [list(terms) for terms in _analyzed_positions(text, plain)]
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
            for t in _analyzed_positions(w, False)[:1]:
                out += [x for x in t if x not in out]
        if not any(self._exists(f, t) for f in fields for t in out):
            out = []  # the vocabulary word is in another language's fields only
        self._relaxed[key] = (word[:length], out)
        return self._relaxed[key]

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
            return [t for pos in _analyzed_positions(word, False)[:1] for t in pos]
        # Two edits on a four-letter word match half the vocabulary.
        longest = 0 if len(word) <= 2 else 1 if len(word) <= 4 else MAX_FUZZY
        dist = min(atom.fuzzy if atom.fuzzy > 0 else (2 if len(word) >= 6 else 1), longest)
        if dist == 0:
            return [t for pos in _analyzed_positions(word, False)[:1] for t in pos
                    if self._exists(fieldname, t)]
        if plain:
            seeds = [fold_plain(atom.text)]
        else:
            seeds = [word] + [t for pos in _analyzed_positions(word, False)[:1] for t in pos]
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
