"""Answers: a search request in, a search page out.

The query read (or a pasted passage), its fallbacks (the other keyboard layout,
any of the words, a spelling correction), the ranking of one page of hits and
the facets counted within the request's deadline.  ``Answers`` is a base class
of ``search.archive.Archive``, which owns the searchers it answers with.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from indexer.fields import TEXT_LANGUAGES, field_lang
from search import facets as fc
from search.deadline import Deadline
from search.emptied import EmptiedBy, emptying_filters
from search.evaluation import Matches
from search.facetkinds import FacetInput, facets_of
from search.hits import Hit, read_hit
from search.labels import topic_labels
from search.notes import Note
from search.page import SearchPage, Suggestion, Understood
from search.passage import is_passage, read_passage
from search.query import MAX_QUERY_CHARS, CompiledQuery, ParsedQuery, is_costly, parse
from search.request import SearchRequest
from search.suggest import convert_layout, correct_query

if TYPE_CHECKING:
    from search.archive import _Context

#: Layout suggestions are offered when the typed query finds at most this many.
FEW_HITS = 1


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


@dataclass
class _Attempts:
    """One request's readings of the query: each compiled, matched and filtered."""

    ctx: _Context
    langs: tuple[str, ...]
    has_lang: np.ndarray | None
    filters: fc.FilterSets

    def attempt(self, p: ParsedQuery, mode: str = "all") -> _Attempt:
        ctx = self.ctx
        compiled = ctx.compiled(p, self.langs, mode)
        found = ctx.matches(compiled)
        docs = found.mask if self.has_lang is None else found.mask & self.has_lang
        final = self.filters.apply(docs)
        return _Attempt(p, mode, compiled, found, docs, final, int(np.count_nonzero(final)))

    def in_time(self) -> bool:
        """Whether a fallback or correction may still run (else it is cut)."""
        deadline = self.ctx.deadline
        if deadline.expired():
            deadline.cut("corrections")
            return False
        return True



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



class Answers:
    """How ``Archive`` answers a search request (see the module docstring)."""

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
        analyzer = ctx.compiler.analysis().analyzer
        parsed = (read_passage(ctx.compiler.reader, request.q, analyzer) if passage
                  else parse(request.q))
        notes = list(parsed.notes)
        langs = tuple(dict.fromkeys(field_lang(x) for x in request.langs)) or TEXT_LANGUAGES
        has_lang = table.with_value("languages", request.langs) if request.langs else None
        filters = fc.FilterSets.of(table, request)
        attempts = _Attempts(ctx, langs, has_lang, filters)
        run, suggestion = self._fallbacks(attempts, request, parsed, passage, notes)
        ctx.chosen = run
        notes += [n for n in run.compiled.notes if n not in notes]
        if run.parsed.negative and not run.parsed.positive:
            notes.append(Note(
                "only exclusions given: listing every release without them",
                "заданы только исключения: показаны все релизы без этих слов"))

        emptied = self._emptied(attempts, request, run, notes)
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
        deadline = ctx.deadline
        page.partial = deadline.partial
        page.cut = list(deadline.stages)
        if any(stage != "expansion cap" for stage in deadline.stages):
            page.understood.notes.append(TIME_NOTE)
        return page

    def _fallbacks(self, attempts: _Attempts, request: SearchRequest, parsed: ParsedQuery,
                   passage: bool, notes: list[Note]) -> tuple[_Attempt, Suggestion | None]:
        """The reading of the query the page shows and the suggestion it offers: the typed
        words, else the other keyboard layout, any of the words, a spelling correction
        (``notes`` gets what was done)."""
        ctx, attempt, in_time = attempts.ctx, attempts.attempt, attempts.in_time
        # Corrections look at what the parser read, not at pasted megabytes.
        typed = request.q[:MAX_QUERY_CHARS]
        run = attempt(parsed, "any" if passage else "all")
        suggestion = None
        typed_total = run.total
        deadline = ctx.deadline
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
        return run, suggestion

    @staticmethod
    def _emptied(attempts: _Attempts, request: SearchRequest, run: _Attempt,
                 notes: list[Note]) -> list[EmptiedBy]:
        """The filters that emptied a query matching elsewhere (``notes`` gets them)."""
        ctx = attempts.ctx
        if not run.total and run.parsed.positive and attempts.in_time():
            def everywhere() -> np.ndarray:
                return ctx.matches(ctx.compiled(run.parsed, TEXT_LANGUAGES, run.mode)).mask
            emptied = emptying_filters(request, attempts.filters, run.docs, everywhere)
            notes += [e.note() for e in emptied]
        else:
            emptied = []
        return emptied

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
              request: SearchRequest) -> list[Hit]:
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
        return [read_hit(ctx.searcher, d, score, compiled.terms, lang_scores, request.langs,
                          deadline, request.prefer)
                for d, score in ranked]

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

    # ------------------------------------------------------------ every match

    def all_matches(self, request: SearchRequest,
                    time_limit: float | None = None) -> tuple[Any, np.ndarray, SearchPage]:
        """Every match of ``request`` as document numbers in its sort order (no result
        window), with the searcher to read them and the first page (total, notes)."""
        ctx, page = self._searched(request.replace(page=1, per_page=1), time_limit)
        run = ctx.chosen
        if run is None or not run.total:
            return ctx.searcher, np.zeros(0, dtype=np.int64), page
        if run.compiled.query is None or request.sort != "relevance":
            order = ctx.table.newest_first(run.final, reverse=request.sort != "oldest")
        else:
            docs = np.flatnonzero(run.final)
            order = docs[np.lexsort((docs, -run.matches.scores[docs]))]
        return ctx.searcher, np.asarray(order, dtype=np.int64), page
