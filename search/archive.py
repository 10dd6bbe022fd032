"""The archive: one long-lived object answering searches over the live index.

Each thread keeps its own Whoosh searcher (Whoosh readers share file
positions, so one searcher is not shared between threads); at the start of
every request it is refreshed when a writer committed, and re-opened when
``CURRENT`` points to a new generation.  The facet tables of a generation are
shared by all threads.

This module is the lifecycle only: searchers per thread, generations, retries.
What a request is answered with lives in ``search.answers`` (request → page)
and ``search.releases`` (one release, more like this, stats), the two base
classes of ``Archive``.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from whoosh import index as whoosh_index
from whoosh import scoring

from indexer.location import CURRENT, IndexNotFound, live_index_dir
from search import facets as fc
from search.answers import Answers
from search.deadline import Clock, CostlyGate, Deadline
from search.evaluation import Evaluator, Matches, Postings
from search.page import SearchPage
from search.query import CompiledQuery, ParsedQuery, QueryCompiler
from search.releases import Releases
from search.request import QueryError, SearchRequest
from search.settings import setting
from search.suggest import Corrections

if TYPE_CHECKING:
    from search.answers import _Attempt

#: Title fields weigh more than bodies (applied as query boosts, see search.query.compiler).
#: B=0.5 (less length normalisation than the textbook 0.75) measured best on
#: XQuAD in both languages (docs/relevance.md); K1=1.6 was worse.
WEIGHTING = scoring.BM25F(B=0.5, K1=1.2)
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


class Archive(Answers, Releases):
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
                                 shared.relaxed, deadline,
                                 shared.table.memo.setdefault("names", {}))
        evaluator = Evaluator(searcher, shared.postings, shared.table.live, deadline.expired)
        return _Context(searcher, shared.table, compiler, deadline, evaluator)

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

    def _searched(self, request: SearchRequest,
                  time_limit: float | None) -> tuple[_Context, SearchPage]:
        """``request`` answered in a context of its own, kept for what it matched; as in
        ``search``, one retry on a moved index."""
        ctx = self._context(time_limit)
        try:
            page = self._search(ctx, request)
        except (IndexNotFound, QueryError):
            raise
        except Exception:
            if not self._index_moved():  # as in search(): one retry on a moved index
                raise
            self._local.state = None
            ctx = self._context(time_limit)
            page = self._search(ctx, request)
        return ctx, page
