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
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import os
import re
import shutil
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage
from whoosh.query import Term
from whoosh.util.filelock import try_for

from indexer.codec.files import clean_unreferenced
from indexer.codec.writer import FastSegmentWriter
from indexer.documents import release_document, release_from_stored
from indexer.faults import crash_point
from indexer.fields import build_schema
from indexer.inputs.sources import Failure, find_input_files, read_releases
from indexer.ledger import record_write
from indexer.location import CURRENT, IndexNotFound, live_index_dir
from indexer.release import Release, ReleaseError
from indexer.settings import setting
from indexer.statistics import read_stats
from indexer.workers import AnalysisPool, Setup, cpu_count

LOCK_FILE = ".write.lock"
GENERATION_PREFIX = "gen-"
GENERATION_PATTERN = re.compile(r"^gen-(\d{6,})$")
#: Whoosh's pool may use this much memory before it spills sorted runs to disk.
WRITER_LIMIT_MB = 256
#: Seconds between attempts to take a busy lock.
LOCK_POLL = 0.05
#: Runs of fewer releases are analyzed in the writer's own process: starting
#: a worker (an interpreter and the dictionaries) takes about a second.
PARALLEL_MIN = 1000


class IndexBusy(Exception):
    """Another process holds the index's write lock."""

    def __init__(self, root: Path) -> None:
        super().__init__(
            f"index is busy: another pressroom process is writing to {root}; "
            "try again when it finishes"
        )
        self.root = root


class IndexUnwritable(Exception):
    """The index cannot be written: nothing of this run was committed, and its
    partly written files are gone.  Searching the index still works."""

    def __init__(self, root: Path, cause: OSError, what: str, advice: str) -> None:
        reason = cause.strerror or str(cause)
        if cause.filename:
            reason += f": {cause.filename}"
        super().__init__(f"{what} ({reason}); nothing was committed; {advice}")
        self.root = root
        self.cause = cause


class DiskFull(IndexUnwritable):
    """No space (or quota) left where the index is written."""

    def __init__(self, root: Path, cause: OSError) -> None:
        super().__init__(root, cause, f"disk full: the index at {root} could not be written",
                         "free some space and run again")


class ReadOnlyIndex(IndexUnwritable):
    """The index folder (or its file system) does not let this process write."""

    def __init__(self, root: Path, cause: OSError) -> None:
        super().__init__(root, cause, f"the index at {root} is read-only for this process",
                         "searching it still works; make the folder writable to change it")


#: errno values of a write that cannot succeed until an operator acts.
DISK_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})
READ_ONLY_ERRNOS = frozenset({errno.EROFS, errno.EACCES, errno.EPERM})


def unwritable(root: Path, exc: OSError) -> IndexUnwritable | None:
    """The typed error of a failed index write, or None for any other OSError."""
    if exc.errno in DISK_FULL_ERRNOS:
        return DiskFull(root, exc)
    if exc.errno in READ_ONLY_ERRNOS:
        return ReadOnlyIndex(root, exc)
    return None


@dataclass
class Summary:
    """What one run did to the index."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    failed: list[Failure] = field(default_factory=list)
    #: Anything the user should know beyond the counts (a refused swap).
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failed

    @property
    def exit_code(self) -> int:
        return 0 if self.ok else 1

    @property
    def written(self) -> int:
        return self.added + self.updated

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["failed"] = [asdict(f) for f in self.failed]
        data["ok"] = self.ok
        return data

    def report(self) -> str:
        """The summary every run ends with: the counts, then one line per failure."""
        lines = [
            f"added {self.added}, updated {self.updated}, unchanged {self.unchanged}, "
            f"deleted {self.deleted}, failed {len(self.failed)}"
        ]
        lines += [f"  FAILED {f.path}: {f.reason}" for f in self.failed]
        lines += [f"  NOTE {note}" for note in self.notes]
        return "\n".join(lines)


class Progress:
    """Progress reporting hooks; this base class stays silent (library use)."""

    def start(self, label: str, total: int) -> None:
        pass

    def advance(self, n: int = 1) -> None:
        pass

    def finish(self) -> None:
        pass


@dataclass
class Batch:
    """Parsed inputs sorted into what must be written and what may be skipped."""

    #: id → release to write (changed or new); last occurrence wins.
    pending: dict[str, Release] = field(default_factory=dict)
    #: ids whose last occurrence equals what the index holds, with the release
    #: only when ``keep_unchanged`` (a rebuild writes them all again).
    unchanged: dict[str, Release | None] = field(default_factory=dict)
    keep_unchanged: bool = False
    #: ids of ``pending`` that are already in the index.
    existing: set[str] = field(default_factory=set)
    failed: list[Failure] = field(default_factory=list)
    #: resolved source path → ids it yielded (successfully parsed files only).
    parsed: dict[str, set[str]] = field(default_factory=dict)
    #: every file seen, parsed or not.
    seen: set[str] = field(default_factory=set)
    #: document numbers of parsed releases found in the index (this run's searcher).
    found: set[int] = field(default_factory=set)

    def summary(self) -> Summary:
        return Summary(
            added=len(self.pending) - len(self.existing),
            updated=len(self.existing),
            unchanged=len(self.unchanged),
            failed=list(self.failed),
        )


def generation_name(number: int) -> str:
    return f"{GENERATION_PREFIX}{number:06d}"


def fsync_path(path: Path) -> None:
    """Flush a file or folder to disk (a folder: its entries, after a rename)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_pointer(root: Path, name: str) -> None:
    """Point CURRENT at ``name`` atomically: write a temporary file, fsync, rename."""
    tmp = root / f"{CURRENT}.tmp-{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as out:
        out.write(name + "\n")
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, root / CURRENT)
    fsync_path(root)


def folder_bytes(folder: Path) -> int:
    total = 0
    for entry in folder.iterdir():
        with contextlib.suppress(OSError):
            if entry.is_file():
                total += entry.stat().st_size
    return total


class Store:
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

    def generations(self) -> list[int]:
        """Numbers of the ``gen-NNNNNN`` folders under the root, ascending."""
        if not self.root.is_dir():
            return []
        numbers = []
        for entry in self.root.iterdir():
            m = GENERATION_PATTERN.match(entry.name)
            if m and entry.is_dir():
                numbers.append(int(m.group(1)))
        return sorted(numbers)

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

    def _clean_debris(self) -> None:
        """Remove what a killed or failed writer left behind (lock held).

        None of it is referenced by CURRENT or a TOC: pointer temporaries,
        generation folders newer than the live one (a rebuild that never
        swapped), and in the live folder the writer's pool folder, temporary
        TOCs and segment files no TOC names.
        """
        for entry in self.root.glob(f"{CURRENT}.tmp-*"):
            with contextlib.suppress(OSError):
                entry.unlink()
        try:
            live = self.live_dir()
        except IndexNotFound:
            return
        m = GENERATION_PATTERN.match(live.name)
        if m:
            for number in self.generations():
                if number > int(m.group(1)):
                    shutil.rmtree(self.root / generation_name(number), ignore_errors=True)
        self._clean_leftovers(live)

    @staticmethod
    def _clean_leftovers(folder: Path) -> None:
        """Remove the writer's pool folder, temporary TOCs and unreferenced
        segment files from the index folder ``folder`` (lock held)."""
        for entry in folder.iterdir():
            if entry.is_dir() and entry.name.endswith(".tmp"):
                shutil.rmtree(entry, ignore_errors=True)
            elif re.match(r"^_\w+_\d+\.toc\.[\d.]+$", entry.name):
                with contextlib.suppress(OSError):
                    entry.unlink()
        storage = FileStorage(str(folder))
        clean_unreferenced(storage)

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
                writer.add_document(**release_document(release, self.tag, now=now))
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

    def sync(self, folder: str | Path) -> Summary:
        """Mirror ``folder``: add new, update changed, delete what left the folder.

        Releases of files that exist but fail to parse are kept; releases of
        sources outside ``folder`` are never touched.
        """
        started = time.monotonic()
        folder = Path(folder).resolve()
        files = list(find_input_files([folder]))
        return self._sync_run(started, files,
                              lambda searcher, batch: self._vanished(searcher, folder, batch))

    def _sync_run(self, started: float, files: list[Path],
                  vanished: Callable[[Any, Batch], set[str]]) -> Summary:
        """Parse ``files``, delete what ``vanished`` names, commit and log a sync."""
        with self._writing():
            ix = self._open_or_create()
            batch = Batch()
            with ix.searcher() as searcher:
                self._parse(files, batch, searcher)
                delete_ids = vanished(searcher, batch)
            crash_point("parsed")
            self._commit(ix, batch, delete_ids)
        summary = batch.summary()
        summary.deleted = len(delete_ids)
        summary.seconds = time.monotonic() - started
        self._log("sync", summary, batch, delete_ids)
        return summary

    @staticmethod
    def _vanished(searcher, folder: Path, batch: Batch) -> set[str]:
        """Ids of indexed releases from ``folder`` that its files no longer hold."""
        prefix = str(folder).rstrip(os.sep) + os.sep
        gone: set[str] = set()
        for raw in searcher.reader().lexicon("source"):
            source = raw.decode("utf-8")
            if not source.startswith(prefix):
                continue
            if source in batch.seen and source not in batch.parsed:
                continue  # still there but unreadable now: keep what we had
            keep = batch.parsed.get(source, set())
            for docnum in searcher.docs_for_query(Term("source", source)):
                if docnum in batch.found:
                    continue  # a release this run parsed: it stays
                rid = searcher.stored_fields(docnum)["id"]
                if rid not in keep and rid not in batch.pending and rid not in batch.unchanged:
                    gone.add(rid)
        return gone

    def rebuild(self, paths: Iterable[str | Path]) -> Summary:
        """Build a complete new generation from ``paths`` and make it the live one.

        Readers holding the previous generation keep working: it stays on disk
        until the following rebuild.  Counts compare with the previous
        generation.  When no input yields a release but some fail, the live
        index is left as it was rather than replaced by an empty one.
        """
        started = time.monotonic()
        files = list(find_input_files(Path(p) for p in paths))
        with self._writing():
            self.root.mkdir(parents=True, exist_ok=True)
            try:
                previous: Path | None = self.live_dir()
            except IndexNotFound:
                previous = None
            self._remove_stale_generations(keep={previous})
            # Parse against the previous generation for the counts; every
            # release is written to the new one whatever its state.
            batch = Batch(keep_unchanged=True)
            old_ix = whoosh_index.open_dir(str(previous)) if previous else None
            old_count = 0
            if old_ix is not None:
                with old_ix.searcher() as searcher:
                    old_count = searcher.doc_count()
                    self._parse(files, batch, searcher)
            else:
                self._parse(files, batch, None)
            if old_ix is not None:
                old_ix.close()
            crash_point("parsed")
            summary = batch.summary()
            summary.deleted = old_count - len(batch.existing) - len(batch.unchanged)
            if not batch.pending and not batch.unchanged and batch.failed:
                summary.deleted = 0
                summary.notes.append("no input could be parsed; the live index was not replaced")
                summary.seconds = time.monotonic() - started
                return summary
            new = self._write_generation(batch)
            crash_point("before_swap")
            write_pointer(self.root, new.name)
            crash_point("after_swap")
            self._remove_stale_generations(keep={new, previous})
        summary.seconds = time.monotonic() - started
        # A rebuild writes a whole new generation: logged even when nothing differs.
        self._log("rebuild", summary, batch, counts={"deleted": summary.deleted}, always=True)
        return summary

    def _write_generation(self, batch: Batch) -> Path:
        numbers = self.generations()
        folder = self.root / generation_name((numbers[-1] if numbers else 0) + 1)
        folder.mkdir()
        ix = whoosh_index.create_in(str(folder), build_schema())
        writer = self._writer(ix)
        try:
            releases = [*batch.pending.values(), *filter(None, batch.unchanged.values())]
            with self._analysis_pool(writer, len(releases)) as workers:
                self._write_documents(writer, releases, workers)
                # One segment: the new generation is read-only until the next
                # incremental run, and searches are fastest on a single segment.
                writer.commit(optimize=True)
        except BaseException:
            self._abandon(writer)
            shutil.rmtree(folder, ignore_errors=True)
            raise
        ix.close()
        for entry in folder.iterdir():
            if entry.is_file():
                fsync_path(entry)
        fsync_path(folder)
        return folder

    def _remove_stale_generations(self, keep: set[Path | None]) -> None:
        """Delete generation folders and pointer temporaries not in ``keep`` (lock held)."""
        keep_names = {p.name for p in keep if p is not None}
        for number in self.generations():
            name = generation_name(number)
            if name not in keep_names:
                shutil.rmtree(self.root / name, ignore_errors=True)
        for entry in self.root.glob(f"{CURRENT}.tmp-*"):
            with contextlib.suppress(OSError):
                entry.unlink()

    def retag(self) -> Summary:
        """Re-tag every stored release with the current taxonomy, sources unread.

        Only documents whose topics change are rewritten; topics given by the
        source stay as they are.
        """
        started = time.monotonic()
        summary = Summary()
        with self._writing():
            ix = self._open_live(self.live_dir())
            batch = Batch()
            stored_docs: dict[str, dict[str, Any]] = {}
            with ix.searcher() as searcher:
                for docnum, stored in searcher.reader().iter_docs():
                    try:
                        release = release_from_stored(stored)
                    except (ReleaseError, KeyError, ValueError) as exc:
                        summary.failed.append(Failure(str(stored.get("id", docnum)), str(exc)))
                        continue
                    topics = release.topics or self.tag(release)
                    if ",".join(topics) == stored.get("topics", ""):
                        summary.unchanged += 1
                        continue
                    batch.pending[release.id] = release
                    stored_docs[release.id] = stored
            summary.updated = len(batch.pending)
            crash_point("parsed")
            if batch.pending:
                self._commit_retag(ix, batch, stored_docs)
        summary.seconds = time.monotonic() - started
        return summary

    def _commit_retag(self, ix, batch: Batch, stored_docs: dict[str, dict[str, Any]]) -> None:
        writer = self._writer(ix)
        try:
            self._delete(writer, batch.pending)
            self.progress.start("re-tagging", len(batch.pending))
            for rid, release in batch.pending.items():
                doc = release_document(release, self.tag)
                # Keep the fingerprint of the source: a rebuilt release may
                # not hash alike, and the next `index` run must skip it.
                for name in ("content_hash", "source", "indexed_at"):
                    doc[name] = stored_docs[rid].get(name, doc[name])
                writer.add_document(**doc)
                self.progress.advance()
                crash_point("retag")
            self.progress.finish()
            writer.commit()
        except BaseException:
            self._abandon(writer)
            raise

    def stats(self) -> dict[str, Any]:
        """Counts by language, year and topic, and the live generation's size and age:
        the shape /api/stats serves (``indexer.statistics``)."""
        folder = self.live_dir()
        with whoosh_index.open_dir(str(folder)).searcher() as searcher:
            return read_stats(searcher, folder)

    # -- issue 16: targeted updates, deletion, the ingest log ------------------

    def update_files(self, files: Iterable[str | Path], gone: Iterable[str | Path] = ()
                     ) -> Summary:
        """What ``sync`` does, for the given files only (``watch``): parse ``files``,
        drop the releases a file no longer holds, and every release of the ``gone``
        files.  Other files of the folder are not read."""
        started = time.monotonic()
        files = [Path(f) for f in files]
        sources = {str(f.resolve()) for f in files} | {str(Path(g).resolve()) for g in gone}
        return self._sync_run(started, files, lambda searcher, batch: self._vanished_from(
            searcher, sources, batch))

    @staticmethod
    def _vanished_from(searcher, sources: set[str], batch: Batch) -> set[str]:
        """Ids of indexed releases of ``sources`` that those files no longer hold."""
        gone: set[str] = set()
        for source in sources:
            if source in batch.seen and source not in batch.parsed:
                continue  # still there but unreadable now: keep what we had
            keep = batch.parsed.get(source, set())
            for docnum in searcher.docs_for_query(Term("source", source)):
                if docnum in batch.found:
                    continue
                rid = searcher.stored_fields(docnum)["id"]
                if rid not in keep and rid not in batch.pending and rid not in batch.unchanged:
                    gone.add(rid)
        return gone

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
