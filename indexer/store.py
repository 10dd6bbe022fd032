"""The index on disk: the single writer, incremental updates, sync and rebuild.

Layout (see docs/architecture.md and ``indexer.location``): ``<root>/CURRENT``
names the live ``gen-NNNNNN`` folder, a Whoosh index.  ``index``, ``sync``,
``retag`` and the ingest endpoint update the live generation in place with one
Whoosh commit per run; ``rebuild`` writes a complete new generation and swaps
CURRENT atomically.

Safety rests on three things:

* One writer at a time: an ``fcntl.flock`` on ``<root>/.write.lock``.  The
  kernel drops it when its process dies, so a killed run never blocks the next
  one.  Whoosh's own ``WRITELOCK`` (taken as well) is also an flock in 2.7.4
  (``whoosh.util.filelock.FcntlLock``), so a stale WRITELOCK *file* is harmless.
* Whoosh commits write the new segment files first and then the new TOC under
  a temporary name renamed into place, so a run killed at any point leaves the
  previous commit readable.  Its leftovers (the writer's ``MAIN.tmp`` folder,
  temporary TOCs, unreferenced segment files, a generation never swapped in)
  are ignored by readers and removed by the next writer before it writes.
  tests/indexer/test_crash.py kills runs at each named crash point (``indexer.faults``).
* A run's inputs are all parsed before anything is written, and each file's
  releases go in all together or not at all.

A write the disk refuses (full, read-only) removes what it wrote at once and
ends as ``DiskFull`` or ``ReadOnlyIndex`` (both ``IndexUnwritable``), which the
command line and the web error handler map to an exit code and a status.

The store's parts live beside it: ``indexer.storeerrors`` (the typed errors),
``indexer.batch`` (a run's batch, summary and progress), ``indexer.generations``
(generation folders, debris clean-up, rebuild), ``indexer.syncing`` (sync) and
``indexer.retagging`` (retag).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import os
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.util.filelock import try_for

from indexer.batch import Batch, Progress, Summary
from indexer.codec.writer import FastSegmentWriter
from indexer.documents import release_document
from indexer.faults import crash_point
from indexer.fields import build_schema
from indexer.generations import Generations, generation_name, write_pointer
from indexer.inputs.sources import Failure, find_input_files, read_releases
from indexer.ledger import record_write
from indexer.location import IndexNotFound, live_index_dir
from indexer.release import Release, ReleaseError
from indexer.retagging import Retagging
from indexer.settings import setting
from indexer.statistics import read_stats
from indexer.storeerrors import DiskFull, IndexBusy, IndexUnwritable, ReadOnlyIndex, unwritable
from indexer.syncing import Syncing
from indexer.workers import AnalysisPool, Setup, cpu_count

# Callers import the errors and a run's summary from here.
__all__ = ["DiskFull", "IndexBusy", "IndexUnwritable", "Progress", "ReadOnlyIndex", "Store",
           "Summary"]

LOCK_FILE = ".write.lock"
#: Whoosh's pool may use this much memory before it spills sorted runs to disk.
WRITER_LIMIT_MB = 256
#: Seconds between attempts to take a busy lock.
LOCK_POLL = 0.05
#: Runs of fewer releases are analyzed in the writer's own process: starting
#: a worker (an interpreter and the dictionaries) takes about a second.
PARALLEL_MIN = 1000


class Store(Generations, Syncing, Retagging):
    """The index at ``root``, for writing (and for its statistics)."""

    #: Who writes (a command or endpoint) and from where (a folder, a web source, an
    #: address), for the ingest log (indexer/ledger.py); callers set them.
    actor: str = "library"
    origin: str = ""

    def __init__(self, root: str | Path, lock_timeout: float | None = None, taxonomy=None,
                 progress: Progress | None = None) -> None:
        self.root = Path(root)
        self.lock_timeout = setting("LOCK_TIMEOUT") if lock_timeout is None else lock_timeout
        self._taxonomy = taxonomy
        self.progress = progress or Progress()

    # The taxonomy loads on first use: stats() and sync() of unchanged files
    # never need it.
    @property
    def taxonomy(self):
        if self._taxonomy is None:
            from indexer.topics import Taxonomy

            self._taxonomy = Taxonomy.load()
        return self._taxonomy

    def tag(self, release: Release) -> list[str]:
        return self.taxonomy.tag(release)

    # -- locking -----------------------------------------------------------

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the index's single-writer lock, waiting up to ``lock_timeout``."""
        self.root.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.root / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            deadline = time.monotonic() + self.lock_timeout
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except OSError as exc:
                    if exc.errno not in (errno.EAGAIN, errno.EACCES):
                        raise
                if time.monotonic() >= deadline:
                    raise IndexBusy(self.root)
                time.sleep(LOCK_POLL)
            # The holder's pid, for a person wondering who is writing.
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
            try:
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    @contextlib.contextmanager
    def _writing(self) -> Iterator[None]:
        """Hold the lock for a write; a write the disk refuses clears its debris
        and becomes a ``DiskFull`` or ``ReadOnlyIndex``."""
        try:
            with self.locked():
                try:
                    yield
                except OSError:
                    self._clean_debris()  # the lock is still ours
                    raise
        except OSError as exc:
            failure = unwritable(self.root, exc)
            if failure is None:
                raise
            raise failure from exc

    # -- generations -------------------------------------------------------

    def live_dir(self) -> Path:
        return live_index_dir(self.root)

    def _open_or_create(self) -> whoosh_index.FileIndex:
        """The live index, created as gen-000001 if there is none (lock held)."""
        try:
            folder = self.live_dir()
        except IndexNotFound:
            folder = self.root / generation_name(1)
            folder.mkdir(parents=True, exist_ok=True)
            ix = whoosh_index.create_in(str(folder), build_schema())
            write_pointer(self.root, folder.name)
            return ix
        return self._open_live(folder)

    def _open_live(self, folder: Path) -> whoosh_index.FileIndex:
        """The live index for writing, the debris of earlier failed runs cleared
        first: on a nearly full disk, it may be what stands in the way."""
        self._clean_debris()
        return whoosh_index.open_dir(str(folder))

    def _writer(self, ix):
        # Whoosh's lock taken here, not by the writer: a writer whose files
        # cannot be created (a read-only folder) fails in its constructor, and
        # would keep the lock for as long as this process lives (a web server).
        lock = ix.lock("WRITELOCK")
        if not try_for(lock.acquire, timeout=self.lock_timeout, delay=LOCK_POLL):
            raise IndexBusy(self.root)
        try:
            # Whoosh's SegmentWriter, minus its per-posting sort (indexer/codec/writer.py).
            writer = FastSegmentWriter(ix, _lk=False, limitmb=WRITER_LIMIT_MB)
        except BaseException:
            lock.release()
            raise
        writer.writelock = lock  # released by the writer's commit or cancel
        crash_point("writer_open")
        return writer

    @staticmethod
    def _abandon(writer) -> None:
        """Cancel a writer after a failure, making sure Whoosh's lock is released."""
        try:
            if not writer.is_closed:
                writer.cancel()
        except Exception:  # the original error matters, not this one
            pass
        lock = getattr(writer, "writelock", None)
        if lock is not None and getattr(lock, "fd", None) is not None:
            with contextlib.suppress(Exception):
                lock.release()

    def _commit(self, ix, batch: Batch, delete_ids: Iterable[str] = (),
                optimize: bool = False, point: str = "documents") -> None:
        """Write the batch with one writer and one commit; nothing to do, no commit.

        ``point``: the crash point (``indexer.faults``) reached after each document.
        """
        doomed = {i for i in delete_ids if i not in batch.pending} | batch.existing
        if not batch.pending and not doomed:
            return
        writer = self._writer(ix)
        try:
            releases = list(batch.pending.values())
            with self._analysis_pool(writer, len(releases)) as workers:
                self._delete(writer, doomed)
                self._write_documents(writer, releases, workers, point)
                writer.commit(optimize=optimize)
        except BaseException:
            self._abandon(writer)
            raise

    @staticmethod
    def _delete(writer, ids: Iterable[str]) -> None:
        # One searcher for all deletions: writer.update_document() would open
        # a new one per document, which dominates small updates of big indexes.
        ids = list(ids)
        if not ids:
            return
        with writer.searcher() as searcher:
            for release_id in ids:
                writer.delete_by_term("id", release_id, searcher=searcher)

    def _write_documents(self, writer, releases: list[Release],
                         workers: AnalysisPool | None = None, point: str = "documents") -> None:
        """Add documents (their old versions, if any, are deleted already)."""
        self.progress.start("indexing", len(releases))
        if workers is not None:
            # Analysis in worker processes, chunk by chunk, in order; the
            # writer stays here (indexer/workers.py).
            for chunk in workers.chunks(releases, start=writer.docnum):
                writer.add_chunk(chunk)
                self.progress.advance(chunk.count)
                crash_point(point)
        else:
            now = dt.datetime.now(dt.UTC)
            for release in releases:
                writer.add_document(**release_document(release, self.tag, now=now,
                                                      schema=writer.schema))
                self.progress.advance()
                crash_point(point)
        self.progress.finish()

    @contextlib.contextmanager
    def _analysis_pool(self, writer, count: int) -> Iterator[AnalysisPool | None]:
        """Worker processes to analyze ``count`` releases with, and to encode the
        commit's posting blocks; None when this process does it all."""
        wanted = setting("INDEX_WORKERS") or cpu_count()
        if (count < PARALLEL_MIN or wanted < 2 or not getattr(writer, "takes_chunks", False)
                or type(self).tag is not Store.tag):  # a custom tagger stays here
            yield None
            return
        setup = Setup(writer.schema, self._taxonomy, dt.datetime.now(dt.UTC))
        with AnalysisPool(setup, wanted) as workers:
            writer.workers = workers
            try:
                yield workers
            finally:
                writer.workers = None

    # -- reading inputs ----------------------------------------------------

    def _parse(self, files: list[Path], batch: Batch, searcher) -> None:
        """Parse every file, sorting its releases into ``batch`` (all or none per file)."""
        self.progress.start("parsing", len(files))
        for path in files:
            resolved = path.resolve()
            batch.seen.add(str(resolved))
            try:
                releases = read_releases(resolved)
            except ReleaseError as exc:
                batch.failed.append(Failure(str(path), str(exc) or "unreadable"))
            except MemoryError:
                batch.failed.append(Failure(str(path), "too large to parse in memory"))
            except Exception as exc:  # a parser bug must not stop the batch
                reason = f"cannot parse: {type(exc).__name__}: {exc}"
                batch.failed.append(Failure(str(path), reason))
            else:
                for release in releases:
                    release.source = str(resolved)
                batch.parsed[str(resolved)] = {r.id for r in releases}
                self._sort(releases, batch, searcher)
            self.progress.advance()
        self.progress.finish()

    @staticmethod
    def _stored_state(searcher, release_id: str) -> tuple[int, str, str] | None:
        """(document number, content hash, source) of the indexed release, if any."""
        if searcher is None:
            return None
        docnum = searcher.document_number(id=release_id)
        if docnum is None:
            return None
        stored = searcher.stored_fields(docnum)
        return docnum, stored.get("content_hash", ""), stored.get("source", "")

    def _sort(self, releases: Iterable[Release], batch: Batch, searcher) -> None:
        for release in releases:
            rid = release.id
            state = self._stored_state(searcher, rid)
            # Later occurrences win: forget whatever an earlier one decided.
            batch.pending.pop(rid, None)
            batch.unchanged.pop(rid, None)
            batch.existing.discard(rid)
            if state is not None:
                batch.found.add(state[0])
            # The source counts as content: sync deletes by source, so a
            # release that moved to another file must be rewritten.
            if state is not None and state[1:] == (release.content_hash, release.source):
                batch.unchanged[rid] = release if batch.keep_unchanged else None
            else:
                batch.pending[rid] = release
                if state is not None:
                    batch.existing.add(rid)

    # -- public operations -------------------------------------------------

    def index_paths(self, paths: Iterable[str | Path]) -> Summary:
        """Add new and changed releases from files and folders; skip unchanged ones."""
        files = list(find_input_files(Path(p) for p in paths))
        return self._update(lambda batch, searcher: self._parse(files, batch, searcher),
                            operation="index")

    def add_releases(self, releases: list[Release]) -> Summary:
        """Add or update already-parsed releases (the ingest endpoint)."""
        return self._update(lambda batch, searcher: self._sort(releases, batch, searcher),
                            point="ingest", operation="ingest")

    def _update(self, fill: Callable[[Batch, Any], None], point: str = "documents",
                operation: str = "index") -> Summary:
        """One incremental run: ``fill`` sorts inputs into the batch, then one commit."""
        started = time.monotonic()
        with self._writing():
            ix = self._open_or_create()
            batch = Batch()
            with ix.searcher() as searcher:
                fill(batch, searcher)
            crash_point("parsed")
            self._commit(ix, batch, point=point)
        summary = batch.summary()
        summary.seconds = time.monotonic() - started
        self._log(operation, summary, batch)
        return summary

    def stats(self) -> dict[str, Any]:
        """Counts by language, year and topic, and the live generation's size and age:
        the shape /api/stats serves (``indexer.statistics``)."""
        folder = self.live_dir()
        with whoosh_index.open_dir(str(folder)).searcher() as searcher:
            return read_stats(searcher, folder)

    # -- issue 16: targeted updates, deletion, the ingest log ------------------

    def delete(self, ids: Iterable[str]) -> Summary:
        """Delete releases by id in one commit.  Ids the index does not hold are
        listed in the summary's notes as ``not found: ID`` (deleting twice is
        harmless: the second run finds nothing to do)."""
        started = time.monotonic()
        wanted = list(dict.fromkeys(ids))
        summary = Summary()
        self.live_dir()  # no index: IndexNotFound before the lock creates its folder
        with self._writing():
            ix = self._open_live(self.live_dir())
            with ix.searcher() as searcher:
                found = {rid for rid in wanted if searcher.document_number(id=rid) is not None}
            crash_point("parsed")
            if found:
                self._commit(ix, Batch(), found)
        summary.deleted = len(found)
        summary.notes = [f"not found: {rid}" for rid in wanted if rid not in found]
        summary.seconds = time.monotonic() - started
        self._log("delete", summary, Batch(), found)
        return summary

    def _log(self, operation: str, summary: Summary, batch: Batch,
             deleted: Iterable[str] = (), counts: dict[str, int] | None = None,
             always: bool = False) -> None:
        """Record a write in the ingest log; a run that changed nothing and failed
        nothing is not a write.  Never raises (``ledger.record_write``)."""
        if not (always or summary.written or summary.deleted or summary.failed):
            return
        added = [rid for rid in batch.pending if rid not in batch.existing]
        record_write(self.root, operation, self.actor, self.origin, added=added,
                     updated=batch.existing, deleted=deleted, failed=len(summary.failed),
                     counts=counts)
