"""The archive: one long-lived object answering searches over the live index.

Each thread keeps its own Whoosh searcher (Whoosh readers share file
positions, so one searcher is not shared between threads); at the start of
every request it is refreshed when a writer committed, and re-opened when
``CURRENT`` points to a new generation.  The facet tables of a generation are
shared by all threads.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from whoosh import classify, scoring
from whoosh import index as whoosh_index
from whoosh import query as wq

from indexer.analysis import SURFACE_MARK, default_analyzer
from indexer.codec.readers import stored_fields
from indexer.fields import (
    TEXT_LANGUAGES,
    field_lang,
    stored_versions,
    text_fields,
    title_field,
)
from indexer.location import CURRENT, IndexNotFound, live_index_dir
from indexer.statistics import read_stats
from search import facets as fc
from search.deadline import Clock, CostlyGate, Deadline
from search.emptied import emptying_filters
from search.entities import release_entities
from search.evaluation import Evaluator, Matches, Postings
from search.facetkinds import FacetInput, facets_of
from search.highlight import highlight_all, snippet
from search.labels import language_label, topic_label, topic_labels
from search.notes import Note
from search.page import SearchPage, Suggestion, Understood
from search.passage import is_passage, read_passage
from search.querylang import (
    MAX_QUERY_CHARS,
    CompiledQuery,
    ParsedQuery,
    QueryCompiler,
    is_costly,
    parse,
)
from search.request import QueryError, SearchRequest
from search.settings import setting
from search.suggest import Corrections, convert_layout, correct_query

#: Title fields weigh more than bodies (applied as query boosts, see querylang).
#: B=0.5 (less length normalisation than the textbook 0.75) measured best on
#: XQuAD in both languages (docs/relevance.md); K1=1.6 was worse.
WEIGHTING = scoring.BM25F(B=0.5, K1=1.2)
#: Layout suggestions are offered when the typed query finds at most this many.
FEW_HITS = 1
MLT_TERMS = 12
#: Generations whose shared state (facet tables, corrections) is kept.
TABLES_KEPT = 4
#: Files changed this recently may change again within one tick of their
#: timestamps: until then every request checks the index in full.
SETTLE_SECONDS = 1.0


@dataclass
class _ThreadState:
    live_dir: Path
    index: Any
    searcher: Any
    #: What ``CURRENT`` and the generation folder looked like at the last full check.
    stamp: tuple | None = None


@dataclass
class _Context:
    """One request's searcher, tables, compiled queries and their matches."""

    searcher: Any
    table: fc.DocTable
    compiler: QueryCompiler
    deadline: Deadline
    evaluator: Evaluator
    cache: dict = field(default_factory=dict)
    found: dict = field(default_factory=dict)
    #: The reading of the query the page shows (after fallbacks and corrections).
    chosen: _Attempt | None = None

    def compiled(self, parsed: ParsedQuery, langs: tuple[str, ...],
                 mode: str = "all") -> CompiledQuery:
        key = (id(parsed), langs, mode)
        if key not in self.cache:
            self.cache[key] = self.compiler.compile(parsed, langs, mode)
        return self.cache[key]

    def matches(self, compiled: CompiledQuery) -> Matches:
        """Live documents matching and their scores; cut short (recorded on the deadline)
        when time is up."""
        if compiled.query is None:
            table = self.table
            return Matches(table.live, np.zeros(table.size, dtype=np.float64))
        key = id(compiled)
        found = self.found.get(key)
        if found is None:
            evaluator = self.evaluator
            evaluator.cut_short = False
            found = self.found[key] = evaluator.matches(compiled.query)
            if evaluator.cut_short:
                self.deadline.cut("evaluation")
        return found


@dataclass
class _Generation:
    """What the threads share about one index generation."""

    table: fc.DocTable
    corrections: Corrections
    postings: Postings
    present: dict[tuple[str, str], bool] = field(default_factory=dict)
    relaxed: dict[tuple, tuple[str, list[str]]] = field(default_factory=dict)


@dataclass
class _Attempt:
    """One reading of the query and what it matched (before and after filters)."""

    parsed: ParsedQuery
    mode: str
    compiled: CompiledQuery
    matches: Matches
    docs: np.ndarray  # matching, in the languages asked for
    final: np.ndarray  # and passing the filters
    total: int


TIME_NOTE = Note(
    "the search ran out of time: the results and counts may be incomplete",
    "поиск не уложился во время: результаты и счётчики могут быть неполными")
BUSY_NOTE = Note(
    "the server is busy with other searches of many wildcard or fuzzy words: this one was "
    "not run; try again in a moment",
    "сервер занят другими запросами со множеством * и ~: этот запрос не выполнен; "
    "повторите его чуть позже")
#: Share of its time limit a costly search may wait for a slot before it is turned away:
#: a waiting request holds a server thread that ordinary searches need.
GATE_WAIT = 0.1

LAYOUT_REASON = ("typed on the other keyboard layout", "набрано в другой раскладке клавиатуры")
SPELLING_REASON = ("spelling corrected", "исправлена опечатка")


def _showing_instead(typed: str, shown: str, reason: tuple[str, str]) -> Note:
    return Note(
        f"nothing matched {typed!r}; showing results for {shown!r} ({reason[0]})",
        f"по запросу «{typed}» ничего не найдено; показаны результаты для «{shown}» "
        f"({reason[1]})")


def top_scores(mask: np.ndarray, scores: np.ndarray, limit: int) -> list[tuple[int, float]]:
    """The ``limit`` best (docnum, score) within ``mask``: higher score first, then
    lower docnum, as Whoosh's collector orders ties."""
    docs = np.flatnonzero(mask)
    if not len(docs) or limit <= 0:
        return []
    values = scores[docs]
    if len(docs) > limit:
        # Everything scoring at least the limit-th best, ties at the edge included.
        edge = np.partition(values, len(values) - limit)[len(values) - limit]
        keep = values >= edge
        docs, values = docs[keep], values[keep]
    order = np.lexsort((docs, -values))[:limit]
    return list(zip(docs[order].tolist(), values[order].tolist(), strict=True))


class Archive:
    def __init__(self, root: str | Path, time_limit: float | None = None,
                 clock: Clock = time.monotonic, costly_searches: int | None = None) -> None:
        self.root = Path(root)
        self.time_limit = float(time_limit if time_limit is not None
                                else setting("QUERY_TIME_LIMIT"))
        #: Where every request's deadline is read (a fake one in tests).
        self.clock = clock
        self.gate = CostlyGate(setting("COSTLY_SEARCHES") if costly_searches is None
                               else costly_searches)
        self._local = threading.local()
        self._lock = threading.Lock()
        self._generations: dict[tuple[str, int], _Generation] = {}
        self._building: dict[tuple[str, int], threading.Lock] = {}
        self._states: list[_ThreadState] = []
        self._current = self.root / CURRENT

    # ------------------------------------------------------------ lifecycle

    def _open(self) -> _ThreadState:
        state: _ThreadState | None = getattr(self._local, "state", None)
        if state is None:
            return self._reopen(None)
        # A commit adds files to the generation folder and a rebuild replaces
        # CURRENT: when neither changed since the last full check (two stats),
        # the searcher is current without reading CURRENT or listing the folder.
        stamp = self._stamp(state.live_dir)
        if stamp is not None and stamp == state.stamp:
            return state
        opened = self._reopen(state)
        if opened is state:
            opened.stamp = stamp  # taken before the check: a later write changes it
        return opened

    def _stamp(self, live_dir: Path) -> tuple | None:
        """Identity and times of ``CURRENT`` and ``live_dir``; None while they may still
        change unseen (modified within SETTLE_SECONDS) or cannot be read."""
        try:
            current = os.stat(self._current)
            folder = os.stat(live_dir)
        except OSError:
            return None
        if time.time_ns() - max(current.st_mtime_ns, folder.st_mtime_ns) < SETTLE_SECONDS * 1e9:
            return None
        return (current.st_ino, current.st_mtime_ns, current.st_size,
                folder.st_ino, folder.st_mtime_ns)

    def _reopen(self, state: _ThreadState | None) -> _ThreadState:
        """The thread's searcher brought up to date: refreshed after a commit, opened
        anew on another generation."""
        if state is not None and self._still_current(state):
            return self._refreshed(state)
        live = live_index_dir(self.root)
        if state is not None and state.live_dir == live:
            return self._refreshed(state)
        index = whoosh_index.open_dir(str(live))
        fresh = _ThreadState(live, index, index.searcher(weighting=WEIGHTING))
        if state is not None:
            self._close_state(state)
        self._local.state = fresh
        with self._lock:
            self._states.append(fresh)
        return fresh

    @staticmethod
    def _refreshed(state: _ThreadState) -> _ThreadState:
        if not state.searcher.up_to_date():
            state.searcher = state.searcher.refresh()
        return state

    def _index_moved(self) -> bool:
        """Whether the thread's searcher no longer reads the latest commit of ``CURRENT``."""
        state: _ThreadState | None = getattr(self._local, "state", None)
        if state is None or not self._still_current(state):
            return True
        try:
            return state.index.latest_generation() != state.searcher.reader().generation()
        except Exception:  # noqa: BLE001 - an unreadable table of contents: it moved
            return True

    def _still_current(self, state: _ThreadState) -> bool:
        """Whether ``CURRENT`` still names the thread's generation (one small read;
        ``live_index_dir`` would open the index to validate it on every request)."""
        try:
            name = self._current.read_text(encoding="utf-8").strip()
        except OSError:
            return False
        return bool(name) and state.live_dir == self.root / name and state.live_dir.is_dir()

    def _close_state(self, state: _ThreadState) -> None:
        with self._lock:
            if state in self._states:
                self._states.remove(state)
        try:
            state.searcher.close()
        except Exception:  # noqa: BLE001 - closing a half-gone reader must not fail a request
            pass

    def _acquire(self) -> tuple[Any, _Generation]:
        """The thread's fresh searcher and what its generation shares; one retry on a
        concurrent commit."""
        for attempt in (1, 2):
            try:
                state = self._open()
                return state.searcher, self._generation(state)
            except (IndexNotFound, QueryError):
                raise
            except Exception:
                # A writer swapped or merged files under us: start over once.
                stale = getattr(self._local, "state", None)
                if stale is not None:
                    self._close_state(stale)
                    self._local.state = None
                if attempt == 2:
                    raise
                time.sleep(0.05)
        raise AssertionError("unreachable")

    def _generation(self, state: _ThreadState) -> _Generation:
        key = (str(state.live_dir), state.searcher.reader().generation())
        shared = self._generations.get(key)
        if shared is not None:
            return shared
        with self._lock:
            building = self._building.setdefault(key, threading.Lock())
        # After a commit every thread arrives at once: one builds, the others
        # wait for its tables instead of building copies of their own.
        with building:
            shared = self._generations.get(key)
            if shared is None:
                shared = _Generation(fc.DocTable.build(state.searcher), Corrections(),
                                     Postings(state.searcher, WEIGHTING))
                with self._lock:
                    self._generations[key] = shared
                    while len(self._generations) > TABLES_KEPT:
                        self._generations.pop(next(iter(self._generations)))
                    self._building.pop(key, None)
        return shared

    def version(self) -> tuple[str, int]:
        """What identifies the index state a search would see now (generation folder and
        commit); a cache of pages keyed on it can never serve a stale page."""
        state = self._acquire_state()
        return (str(state.live_dir), state.searcher.reader().generation())

    def _acquire_state(self) -> _ThreadState:
        self._acquire()
        return self._local.state

    def close(self) -> None:
        with self._lock:
            states = list(self._states)
        for state in states:
            self._close_state(state)
        self._local.state = None

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _context(self, time_limit: float | None) -> _Context:
        limit = self.time_limit if time_limit is None else time_limit
        return self._context_until(Deadline.after(limit, self.clock))

    def _context_until(self, deadline: Deadline) -> _Context:
        searcher, shared = self._acquire()
        compiler = QueryCompiler(searcher.reader(), shared.corrections, shared.present,
                                 shared.relaxed, deadline)
        evaluator = Evaluator(searcher, shared.postings, shared.table.live, deadline.expired)
        return _Context(searcher, shared.table, compiler, deadline, evaluator)

    # ------------------------------------------------------------ search

    def search(self, request: SearchRequest, time_limit: float | None = None) -> SearchPage:
        """Answer one request.  Raises QueryError or IndexNotFound, nothing else on user input."""
        started = time.perf_counter()
        limit = self.time_limit if time_limit is None else time_limit
        # One deadline for the whole request, the retry below included.
        deadline = Deadline.after(limit, self.clock)
        costly = is_costly(parse(request.q))
        with self.gate.admit(costly, min(deadline.remaining(), limit * GATE_WAIT)) as admitted:
            if admitted:
                page = self._search_until(deadline, request)
            else:
                page = self._busy(request)
        page.took_ms = (time.perf_counter() - started) * 1000
        return page

    def _search_until(self, deadline: Deadline, request: SearchRequest) -> SearchPage:
        try:
            return self._search(self._context_until(deadline), request)
        except (IndexNotFound, QueryError):
            raise
        except Exception:
            # A commit merged segments or a rebuild swapped generations under
            # the request (files gone, readers of the old segments): retry once
            # on a fresh searcher.  Anything else is a bug and is raised.
            if not self._index_moved():
                raise
            self._local.state = None
            deadline.stages.clear()
            return self._search(self._context_until(deadline), request)

    @staticmethod
    def _busy(request: SearchRequest) -> SearchPage:
        """The page of a costly search turned away: other costly searches held every
        slot for longer than it may wait."""
        parsed = parse(request.q)
        notes = [*parsed.notes, BUSY_NOTE]
        return SearchPage(request=request, partial=True, cut=["busy"],
                          facets_timed_out=[f.name for f in facets_of(request)],
                          understood=Understood(parsed.render(), "all", notes))

    def _search(self, ctx: _Context, request: SearchRequest) -> SearchPage:
        table = ctx.table
        passage = is_passage(request.q)
        parsed = (read_passage(ctx.compiler.reader, request.q, default_analyzer()) if passage
                  else parse(request.q))
        # Corrections look at what the parser read, not at pasted megabytes.
        typed = request.q[:MAX_QUERY_CHARS]
        notes = list(parsed.notes)
        langs = tuple(dict.fromkeys(field_lang(x) for x in request.langs)) or TEXT_LANGUAGES
        has_lang = table.with_value("languages", request.langs) if request.langs else None
        filters = fc.FilterSets.of(table, request)

        def attempt(p: ParsedQuery, mode: str = "all") -> _Attempt:
            compiled = ctx.compiled(p, langs, mode)
            found = ctx.matches(compiled)
            docs = found.mask if has_lang is None else found.mask & has_lang
            final = filters.apply(docs)
            return _Attempt(p, mode, compiled, found, docs, final, int(np.count_nonzero(final)))

        run = attempt(parsed, "any" if passage else "all")
        suggestion = None
        typed_total = run.total
        deadline = ctx.deadline

        def in_time() -> bool:
            """Whether a fallback or correction may still run (else it is cut)."""
            if deadline.expired():
                deadline.cut("corrections")
                return False
            return True

        converted = (convert_layout(typed) if parsed.positive and typed_total <= FEW_HITS
                     and not passage and in_time() else None)
        if converted:
            other = attempt(parse(converted))
            if other.total > typed_total:
                applied = typed_total == 0
                suggestion = Suggestion(converted, "layout", applied, other.total)
                if applied:
                    notes.append(_showing_instead(request.q, converted, LAYOUT_REASON))
                    run = other
                    notes += run.parsed.notes
        if not run.total and len(run.parsed.positive) > 1 and in_time():
            fallback = attempt(run.parsed, "any")
            if fallback.total:
                run = fallback
                notes.append(Note(
                    "no release contains all the words; showing releases with any of them",
                    "ни в одном пресс-релизе нет всех слов; показаны релизы с любым из них"))
        corrected = None
        if suggestion is None and run.parsed.positive and not passage and in_time():
            corrected = correct_query(ctx.compiler.reader, typed, ctx.compiler.corrections,
                                      deadline.expired)
            if corrected is None:
                in_time()  # the clock may have stopped it: then it is recorded as cut
        if corrected:
            other = attempt(parse(corrected))
            if other.total > typed_total:
                # Only a query that finds nothing at all is replaced; otherwise
                # the user's words stand and the correction is offered.
                applied = not run.total
                suggestion = Suggestion(corrected, "spelling", applied, other.total)
                if applied:
                    notes.append(_showing_instead(request.q, corrected, SPELLING_REASON))
                    run = other
                    notes += run.parsed.notes
        ctx.chosen = run
        notes += [n for n in run.compiled.notes if n not in notes]
        if run.parsed.negative and not run.parsed.positive:
            notes.append(Note(
                "only exclusions given: listing every release without them",
                "заданы только исключения: показаны все релизы без этих слов"))

        if not run.total and run.parsed.positive and in_time():
            def everywhere() -> np.ndarray:
                return ctx.matches(ctx.compiled(run.parsed, TEXT_LANGUAGES, run.mode)).mask
            emptied = emptying_filters(request, filters, run.docs, everywhere)
            notes += [e.note() for e in emptied]
        else:
            emptied = []
        page = SearchPage(request=request, total=run.total, suggestion=suggestion,
                          understood=Understood(run.parsed.render(run.mode), run.mode, notes),
                          emptied_by=emptied)
        if run.total and request.page > page.pages:
            notes.append(Note(
                f"page {request.page} is past the end: the last page is {page.pages}",
                f"страница {request.page} за концом выдачи: последняя — {page.pages}"))
        ranked = self._rank(ctx, run, request)
        page.hits = self._hits(ctx, ranked, run.parsed, run.compiled, run.mode, langs, request)
        page.facets, page.facets_timed_out = self._facets(
            ctx, run.parsed, run.mode, run.docs, filters, request)
        page.partial = deadline.partial
        page.cut = list(deadline.stages)
        if any(stage != "expansion cap" for stage in deadline.stages):
            page.understood.notes.append(TIME_NOTE)
        return page

    def _rank(self, ctx: _Context, run: _Attempt,
              request: SearchRequest) -> list[tuple[int, float | None]]:
        start = (request.page - 1) * request.per_page
        end = start + request.per_page
        if not run.total or start >= run.total:
            return []
        if run.compiled.query is None or request.sort != "relevance":
            order = ctx.table.newest_first(run.final, reverse=request.sort != "oldest")
            return [(int(d), None) for d in order[start:end]]
        return [(int(d), float(s)) for d, s in top_scores(run.final, run.matches.scores, end)
                ][start:end]

    # ------------------------------------------------------------ hits

    def _hits(self, ctx: _Context, ranked, parsed, compiled, mode, langs,
              request: SearchRequest) -> list[dict[str, Any]]:
        if not ranked:
            return []
        lang_scores: dict[str, dict[int, float]] = {}
        deadline = ctx.deadline
        if compiled.query is not None:
            # Only to choose each hit's language: past the deadline the preferred
            # order chooses (the hits themselves are already ranked).
            for lang in langs:
                if deadline.expired():
                    deadline.cut("hits")
                    lang_scores.clear()
                    break
                per_lang = ctx.compiled(parsed, (lang,), mode)
                if per_lang.query is None:
                    continue
                found = ctx.matches(per_lang)
                lang_scores[lang] = {d: float(found.scores[d]) for d, _ in ranked
                                     if found.mask[d]}
        return [self._hit(ctx.searcher, d, score, compiled.terms, lang_scores, request.langs,
                          deadline, request.prefer)
                for d, score in ranked]

    def _hit(self, searcher, docnum: int, score: float | None, terms: dict[str, set[str]],
             lang_scores: dict[str, dict[int, float]], preferred: Iterable[str],
             deadline: Deadline | None = None, prefer: str | None = None) -> dict[str, Any]:
        stored = stored_fields(searcher, docnum)
        languages = [x for x in stored.get("languages", "").split(",") if x]
        titles = {lang: stored.get(title_field(lang), "") for lang in languages}
        order = list(dict.fromkeys([*preferred, "en", "ru"]))

        def rank(lang: str) -> tuple:
            best = lang_scores.get(field_lang(lang), {}).get(docnum, 0.0)
            # A version the query matched first (its words are marked there); among
            # those (or all, browsing), the interface language's.
            return (best <= 0 < max_best, lang != prefer, -best,
                    order.index(lang) if lang in order else len(order))

        max_best = max((lang_scores.get(field_lang(x), {}).get(docnum, 0.0) for x in languages),
                       default=0.0)
        shown = min(languages, key=rank) if languages else "en"
        title_name, body_name = text_fields(shown)
        schema = searcher.schema
        title = stored.get(title_name, "")
        return {
            "id": stored.get("id", ""),
            "number": stored.get("number", ""),
            "date": stored.get("date", ""),
            "languages": languages,
            "topics": [x for x in stored.get("topics", "").split(",") if x],
            "title": highlight_all(title, schema[title_name].analyzer,
                                   terms.get(title_name, set()), deadline),
            "snippet": snippet(stored.get(body_name, ""), schema[body_name].analyzer,
                               terms.get(body_name, set()), deadline=deadline),
            "lang": shown,
            "titles": titles,
            "other_languages": [x for x in languages if x != shown],
            "score": round(score, 3) if score is not None else None,
            "url": stored.get("url", ""),
        }

    # ------------------------------------------------------------ facets

    def _facets(self, ctx: _Context, parsed, mode, qdocs, filters, request):
        """The facets counted in time, and the names of those that were not (which
        marks the page partial: Datasette's ``facets_timed_out``)."""
        out: dict[str, list[dict[str, Any]]] = {}
        timed_out: list[str] = []
        data = FacetInput(ctx.table, filters, qdocs, request, topic_labels(),
                          searcher=ctx.searcher)
        for facet in facets_of(request):
            if ctx.deadline.expired():
                timed_out.append(facet.name)
                continue
            if facet.needs_language_docs and data.language_docs is None:
                data.language_docs = self._language_docs(ctx, parsed, mode)
                if data.language_docs is None:
                    timed_out.append(facet.name)
                    continue
            out[facet.name] = facet.count(data)
        if timed_out:
            ctx.deadline.cut("facets")
        return out, timed_out

    def _language_docs(self, ctx: _Context, parsed, mode) -> dict[str, np.ndarray] | None:
        """Per language code: releases matching the query in that language's fields."""
        table = ctx.table
        out: dict[str, np.ndarray] = {}
        stages = list(ctx.deadline.stages)
        for code, has in table.postings.get("languages", {}).items():
            compiled = ctx.compiled(parsed, (field_lang(code),), mode)
            out[code] = ctx.matches(compiled).mask & has
            if ctx.deadline.stages != stages:
                # The facet, not the results, pays for running out of time.
                ctx.deadline.stages[:] = stages
                return None
        return out

    # ------------------------------------------------------------ other views

    def _docnum(self, searcher, release_id: str) -> int | None:
        if not isinstance(release_id, str) or not release_id:
            return None
        return searcher.document_number(id=release_id)

    def release(self, release_id: str, highlight: str | None = None) -> dict[str, Any] | None:
        """A full release, every language version, matched forms of ``highlight`` marked."""
        ctx = self._context(None)
        searcher = ctx.searcher
        docnum = self._docnum(searcher, release_id)
        if docnum is None:
            return None
        stored = searcher.stored_fields(docnum)
        terms: dict[str, set[str]] = {}
        if highlight:
            terms = ctx.compiled(parse(highlight), TEXT_LANGUAGES).terms
        schema = searcher.schema
        versions = []
        for lang, title, body in stored_versions(stored):
            title_name, body_name = text_fields(lang)
            analyzer = schema[body_name].analyzer
            paragraphs = [p.strip() for p in body.replace("\r\n", "\n").split("\n") if p.strip()]
            # Plain text for programs; the marked-up twins (escaped HTML) for pages.
            versions.append({
                "lang": lang,
                "label": language_label(lang),
                "title": title,
                "paragraphs": paragraphs,
                "title_html": highlight_all(title, schema[title_name].analyzer,
                                            terms.get(title_name, set()), ctx.deadline),
                "paragraphs_html": [highlight_all(p, analyzer, terms.get(body_name, set()),
                                                  ctx.deadline)
                                    for p in paragraphs],
            })
        return {
            "id": stored.get("id", ""),
            "number": stored.get("number", ""),
            "date": stored.get("date", ""),
            "url": stored.get("url", ""),
            "topics": [{"value": t, "label": topic_label(t)}
                       for t in stored.get("topics", "").split(",") if t],
            "languages": [v["lang"] for v in versions],
            "versions": versions,
            "source": stored.get("source", ""),
            "indexed_at": stored.get("indexed_at", ""),
            "entities": release_entities(stored),
        }

    def more_like_this(self, release_id: str, limit: int = 5,
                       prefer: str | None = None) -> list[dict[str, Any]]:
        """Releases sharing the most distinctive terms of the given one (itself excluded)."""
        ctx = self._context(None)
        searcher = ctx.searcher
        docnum = self._docnum(searcher, release_id)
        if docnum is None:
            return []
        stored = searcher.stored_fields(docnum)
        reader = searcher.reader()
        clauses: list[wq.Query] = []
        for flang in TEXT_LANGUAGES:
            for kind in ("title", "body"):
                name = f"{kind}_{flang}"
                text = stored.get(name)
                if not text:
                    continue
                expander = classify.Expander(reader, name)
                expander.add_text(text)
                for term, weight in expander.expanded_terms(MLT_TERMS * 2):
                    if not term.startswith(SURFACE_MARK) and not term.isdigit():
                        clauses.append(wq.Term(name, term, boost=max(weight, 0.01)))
        if not clauses:
            return []
        results = searcher.search(wq.Or(clauses), mask={docnum}, limit=max(1, min(limit, 50)))
        return [self._hit(searcher, hit.docnum, hit.score, {}, {}, (), prefer=prefer)
                for hit in results]

    def facet_table(self) -> tuple[Any, fc.DocTable]:
        """The searcher and facet table of the live generation (entity pages count on it)."""
        ctx = self._context(None)
        return ctx.searcher, ctx.table

    def release_count(self) -> int:
        """Live releases in the index a search would see now (health checks)."""
        _, shared = self._acquire()
        return int(np.count_nonzero(shared.table.live))

    def stats(self) -> dict[str, Any]:
        """Numbers for the /stats page: releases, languages, years, topics, freshness, size."""
        ctx = self._context(None)
        table = ctx.table
        labels = topic_labels()
        label_of = {"languages": language_label, "year": fc.year_label,
                    "topics": lambda v: topic_label(v, labels)}
        return read_stats(
            ctx.searcher, live_index_dir(self.root),
            count=lambda name: dict(fc.count_values(table, name, table.live)),
            label=lambda name, value: label_of[name](value))

    def all_matches(self, request: SearchRequest,
                    time_limit: float | None = None) -> tuple[Any, np.ndarray, SearchPage]:
        """Every match of ``request`` as document numbers in its sort order (no result
        window), with the searcher to read them and the first page (total, notes)."""
        ctx = self._context(time_limit)
        try:
            page = self._search(ctx, request.replace(page=1, per_page=1))
        except (IndexNotFound, QueryError):
            raise
        except Exception:
            if not self._index_moved():  # as in search(): one retry on a moved index
                raise
            self._local.state = None
            ctx = self._context(time_limit)
            page = self._search(ctx, request.replace(page=1, per_page=1))
        run = ctx.chosen
        if run is None or not run.total:
            return ctx.searcher, np.zeros(0, dtype=np.int64), page
        if run.compiled.query is None or request.sort != "relevance":
            order = ctx.table.newest_first(run.final, reverse=request.sort != "oldest")
        else:
            docs = np.flatnonzero(run.final)
            order = docs[np.lexsort((docs, -run.matches.scores[docs]))]
        return ctx.searcher, np.asarray(order, dtype=np.int64), page

    def topic_labels(self) -> dict[str, dict[str, str]]:
        """Labels of the taxonomy's topics and of every topic found in the index."""
        labels = topic_labels()
        ctx = self._context(None)
        for slug in ctx.table.postings.get("topics", {}):
            if slug not in labels:
                labels[slug] = topic_label(slug)
        return labels

