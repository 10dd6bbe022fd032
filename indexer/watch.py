"""`pressroom watch`: keep the index mirroring a folder as files come and go.

The core, ``FolderWatch``, knows nothing of threads, signals or real time: it
is given file-system events (``notice``), a clock, and is asked to ``tick``.
A tick looks at every file noticed since the last commit; a file is taken
once two looks find it with the same size and modification time (an editor's
partial write changes one or the other) and, where the platform reports it
(inotify), once the writer has closed it; the batch is committed once no
event came for ``quiet`` seconds and every file in it is stable; so a burst of
hundreds of files is one commit.  A file that never settles goes in after
``max_delay`` seconds without it.  Temporary names (``.*``, ``*~``, ``*.tmp``,
``*.part``, ``.#*``, ``*.swp``) are ignored: their rename to the real name is
the event that counts.

``run`` wires the core to watchdog's observer (inotify and friends; a polling
observer where the platform has no events), ticks it until ``stop`` is set
(SIGTERM, SIGINT) and lets the commit in progress finish.  A batch not yet
committed is abandoned: the full ``sync`` the next start begins with takes it.
The index's write lock is held only while committing, so the API and the
other commands write in between.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from indexer.inputs.sources import INPUT_SUFFIXES
from indexer.store import IndexBusy, Store, Summary

log = logging.getLogger(__name__)

#: Name patterns of editors' and downloaders' temporary files.
TEMP_PREFIXES = (".",)
TEMP_SUFFIXES = ("~", ".tmp", ".part", ".swp", ".crdownload", ".partial")


def is_temporary(path: Path) -> bool:
    name = path.name
    return name.startswith(TEMP_PREFIXES) or name.lower().endswith(TEMP_SUFFIXES)


@dataclass
class Look:
    """A file's size and modification time at the last look (None: not there)."""

    signature: tuple[int, int] | None = None
    looked: bool = False
    #: The last two looks found the same signature.
    stable: bool = False
    #: The last write event of a writer that has not closed the file (native events only).
    open_since: float | None = None


def signature(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns)


class FolderWatch:
    """The deterministic core of `watch` (see the module's docstring)."""

    def __init__(self, store: Store, folder: str | Path, *, quiet: float = 1.0,
                 max_delay: float = 30.0, clock: Callable[[], float] = time.monotonic,
                 report: Callable[[str], None] = print) -> None:
        self.store = store
        self.folder = Path(folder).resolve()
        self.quiet = quiet
        self.max_delay = max_delay
        self.clock = clock
        self.report = report
        self._lock = threading.Lock()
        self._pending: dict[Path, Look] = {}
        self._last_event: float | None = None
        self._first_event: float | None = None
        #: A folder came, went or moved: only a full sync knows what it held.
        self._resync = False
        #: Events taken in and commits made (for logs and tests).
        self.events = 0
        self.commits = 0

    # -- intake ------------------------------------------------------------

    def wanted(self, path: Path) -> bool:
        """A file of the folder the indexer reads (hidden folders are skipped, as in sync)."""
        try:
            rel = path.relative_to(self.folder)
        except ValueError:
            return False
        if any(part.startswith(".") for part in rel.parts[:-1]) or is_temporary(path):
            return False
        return path.suffix.lower() in INPUT_SUFFIXES

    def notice(self, path: str | Path, writing: bool | None = None) -> None:
        """An event about ``path`` (created, changed, moved here or away, deleted).
        ``writing``: True when a writer is known to hold it open (a native
        created/modified event), False when it closed it, None when unknown.
        Thread-safe: the observer's thread calls it."""
        path = Path(os.path.abspath(path))
        if not self.wanted(path):
            return
        with self._lock:
            look = self._pending.get(path)
            opened = look.open_since if look is not None else None
            if writing:
                opened = self.clock()  # the writer's last sign of life
            elif writing is False:
                opened = None
            self._pending[path] = Look(open_since=opened)  # two new looks needed
            self._event()

    def notice_folder(self) -> None:
        """A folder inside was created, moved or deleted: the batch ends in a full sync."""
        with self._lock:
            self._resync = True
            self._event()

    def _event(self) -> None:
        self.events += 1
        now = self.clock()
        self._last_event = now
        if self._first_event is None:
            self._first_event = now

    def pending(self) -> list[Path]:
        with self._lock:
            return sorted(self._pending)

    # -- batching ----------------------------------------------------------

    def start(self) -> Summary:
        """The full sync a watch begins with: what changed while it was down."""
        summary = self.store.sync(self.folder)
        self._logged(summary)
        return summary

    def tick(self) -> Summary | None:
        """Look at the pending files; commit the batch when it is ready."""
        with self._lock:
            if not self._pending and not self._resync:
                return None
            now = self.clock()
            for path, look in self._pending.items():
                now_sig = signature(path)
                # A file still open for writing is not complete, however still it
                # looks; a close event lost for max_delay is taken as given.
                still_open = (look.open_since is not None and now_sig is not None
                              and now - look.open_since < self.max_delay)
                look.stable = look.looked and now_sig == look.signature and not still_open
                look.signature, look.looked = now_sig, True
            quiet = self._last_event is not None and now - self._last_event >= self.quiet
            overdue = self._first_event is not None and now - self._first_event >= self.max_delay
            all_stable = all(look.stable for look in self._pending.values())
            if not (quiet and all_stable) and not overdue:
                return None
            ready = [p for p, look in self._pending.items() if look.stable]
            resync = self._resync
        if resync:
            return self.resync()
        return self.flush(ready)

    def resync(self) -> Summary | None:
        """A full sync of the folder, the batch included (after a folder event)."""
        try:
            summary = self.store.sync(self.folder)
        except IndexBusy as exc:
            self.report(f"busy, will retry: {exc}")
            return None
        with self._lock:
            self._resync = False
            self._pending = {p: look for p, look in self._pending.items()
                             if look.looked and signature(p) != look.signature}
            self._first_event = self.clock() if self._pending else None
        self.commits += 1
        self._logged(summary)
        return summary

    def flush(self, paths: list[Path] | None = None) -> Summary | None:
        """Commit ``paths`` (default: every pending file) in one store update."""
        with self._lock:
            chosen = list(self._pending) if paths is None else list(paths)
        if not chosen:
            return None
        before = {p: signature(p) for p in chosen}
        present = [p for p, sig in before.items() if sig is not None]
        gone = [p for p, sig in before.items() if sig is None]
        try:
            summary = self.store.update_files(present, gone)
        except IndexBusy as exc:
            # Another writer holds the lock longer than LOCK_TIMEOUT: keep the batch.
            self.report(f"busy, will retry: {exc}")
            return None
        with self._lock:
            for path in chosen:
                # A file that changed again during the commit stays pending.
                if path in self._pending and signature(path) == before[path]:
                    del self._pending[path]
            if not self._pending:
                self._first_event = None
            else:
                self._first_event = self.clock()
        self.commits += 1
        self._logged(summary)
        return summary

    def _logged(self, summary: Summary) -> None:
        """Each commit's summary, the line `sync` prints."""
        self.report(summary.report())


def make_observer(watch: FolderWatch, polling: bool = False, interval: float = 1.0):
    """A started watchdog observer feeding ``watch``; polling when asked or when the
    platform's native observer cannot start."""
    from watchdog.events import FileSystemEventHandler
    from watchdog.observers import Observer
    from watchdog.observers.polling import PollingObserver

    class Handler(FileSystemEventHandler):
        def on_any_event(self, event) -> None:
            if event.event_type in ("opened", "closed_no_write"):
                return
            if event.is_directory:
                if event.event_type in ("moved", "deleted", "created"):
                    watch.notice_folder()
                return
            if event.event_type in ("moved", "deleted"):
                watch.notice(event.src_path, writing=False)
                if event.event_type == "moved":
                    watch.notice(event.dest_path, writing=False)
                return
            # Only inotify reports closes; elsewhere "open" would never end.
            writing = event.event_type != "closed" if closes_reported else None
            watch.notice(event.src_path, writing=writing)

    observer = PollingObserver(timeout=interval) if polling else Observer()
    closes_reported = type(observer).__name__ == "InotifyObserver"
    handler = Handler()
    observer.schedule(handler, str(watch.folder), recursive=True)
    try:
        observer.start()
    except OSError as exc:  # e.g. the inotify watch limit reached
        log.warning("native file events unavailable (%s); polling instead", exc)
        closes_reported = False
        observer = PollingObserver(timeout=interval)
        observer.schedule(handler, str(watch.folder), recursive=True)
        observer.start()
    return observer


def run(watch: FolderWatch, stop: threading.Event, interval: float = 0.2,
        polling: bool = False) -> None:
    """Watch until ``stop`` is set: a full sync first, then a tick every ``interval``."""
    watch.start()
    observer = make_observer(watch, polling=polling)
    try:
        watch.report(f"watching {watch.folder}")
        while not stop.is_set():
            watch.tick()
            stop.wait(interval)
    finally:
        observer.stop()
        observer.join()
    left = len(watch.pending())
    if left:
        watch.report(f"stopped; {left} pending file(s) left for the next start's sync")
    else:
        watch.report("stopped")


@contextlib.contextmanager
def stop_on_signals() -> Iterator[threading.Event]:
    """An event SIGTERM and SIGINT set (instead of ending the process), so that a
    commit in progress finishes; the previous handlers come back afterwards."""
    stop = threading.Event()

    def handler(signum, frame) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield stop
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
