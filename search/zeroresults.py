"""The editors' report: searches that found nothing, or found something only through a
fallback or a correction, counted in SQLite beside the index.

What is kept is what an editor needs and nothing about the person: the
normalised query text, the filters, the hour (UTC), and what the fallback did
(``nothing``, ``layout``, ``spelling``, ``any-word``, joined with ``+``).  No
address, cookie or user agent ever reaches this module.

A search never waits for the database: ``record`` puts a row on a bounded
queue and returns; one background thread per process writes it (WAL mode, a
short busy timeout; a row that cannot be written is dropped, a report is not
worth a failed search).  Rows older than the retention are deleted as the
writer goes.  The file can be deleted at any time: it is created again on the
next write, and a report without it is empty.
"""

from __future__ import annotations

import datetime as dt
import logging
import queue
import sqlite3
import threading
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from search.request import SearchRequest

log = logging.getLogger(__name__)

FILE_NAME = "reports.sqlite3"
#: Rows waiting for the writer; beyond this a burst is dropped, not queued.
QUEUE_SIZE = 10_000
#: Longest query text kept (the rest of a pasted page says nothing more).
MAX_QUERY_CHARS = 200
#: Milliseconds the writer waits for another process's write before dropping a row.
BUSY_TIMEOUT_MS = 2000
#: Writes between two deletions of rows past the retention.
PRUNE_EVERY = 500
_FILTER_PARAMS = ("lang", "topic", "year", "month", "from", "to")

SCHEMA = """
CREATE TABLE IF NOT EXISTS zero_results (
    query   TEXT    NOT NULL,
    filters TEXT    NOT NULL,
    outcome TEXT    NOT NULL,
    hour    TEXT    NOT NULL,
    count   INTEGER NOT NULL,
    PRIMARY KEY (query, filters, outcome, hour)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS zero_results_hour ON zero_results (hour);
"""


def normalise_query(text: str) -> str:
    """Case, Unicode form and spacing folded: "Визит  МИНИСТРА" and "визит министра" are one."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())[:MAX_QUERY_CHARS]


def filters_of(request: SearchRequest) -> str:
    """The filters of a request as a query string (sort and paging left out)."""
    return urlencode([(k, v) for k, v in request.to_params() if k in _FILTER_PARAMS])


def outcome_of(page: Mapping[str, Any]) -> str | None:
    """What the search did to find something, or None when the typed query found releases.

    ``page`` is ``SearchPage.to_dict()`` (what the pages and the API serve).
    """
    steps = []
    suggestion = page.get("suggestion") or {}
    if suggestion.get("applied"):
        steps.append(str(suggestion.get("kind") or "correction"))
    if (page.get("understood") or {}).get("mode") == "any":
        steps.append("any-word")
    if not page.get("total"):
        steps.append("nothing")
    return "+".join(steps) or None


def hour_of(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:00Z")


@dataclass(frozen=True)
class Entry:
    query: str
    filters: str
    outcome: str
    hour: str


class ZeroResultsLog:
    """The report's database for one index root; one per process."""

    def __init__(self, root: str | Path, enabled: bool = True, retention_days: int = 90,
                 clock: Callable[[], dt.datetime] | None = None) -> None:
        self.path = Path(root) / FILE_NAME
        self.enabled = enabled
        self.retention = dt.timedelta(days=max(1, int(retention_days)))
        self.clock = clock or (lambda: dt.datetime.now(dt.UTC))
        self.dropped = 0
        self._queue: queue.Queue[Entry | None] = queue.Queue(QUEUE_SIZE)
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()

    # ------------------------------------------------------------ recording

    def record(self, request: SearchRequest, page: Mapping[str, Any]) -> bool:
        """Count this search if it failed or needed help; never blocks, never raises."""
        if not self.enabled:
            return False
        outcome = outcome_of(page)
        if outcome is None:
            return False
        entry = Entry(normalise_query(request.q), filters_of(request), outcome,
                      hour_of(self.clock()))
        self._ensure_writer()
        try:
            self._queue.put_nowait(entry)
        except queue.Full:
            self.dropped += 1
            return False
        return True

    def flush(self) -> None:
        """Wait until every row recorded so far is written (tests, shutdown)."""
        if self._thread is not None:
            self._queue.join()

    def close(self) -> None:
        """Write what is queued and stop the writer thread."""
        thread = self._thread
        if thread is None:
            return
        self._queue.put(None)
        thread.join()
        self._thread = None

    def _ensure_writer(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        with self._start_lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._write_loop,
                                                name="zero-results-writer", daemon=True)
                self._thread.start()

    def _write_loop(self) -> None:
        connection: sqlite3.Connection | None = None
        written = 0
        while True:
            entry = self._queue.get()
            try:
                if entry is None:
                    return
                if connection is None or not self.path.exists():
                    # Deleted under us: start a new file rather than write to a ghost.
                    if connection is not None:
                        connection.close()
                    connection = self._connect()
                    self._prune(connection)
                self._write(connection, entry)
                written += 1
                if written % PRUNE_EVERY == 0:
                    self._prune(connection)
            except Exception as exc:  # noqa: BLE001 - the writer must outlive any bad row
                self.dropped += 1
                log.warning("zero-results report: a row was not written: %s", exc)
                if connection is not None:
                    connection.close()
                connection = None
            finally:
                self._queue.task_done()

    # ------------------------------------------------------------ the database

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000,
                                     isolation_level=None, check_same_thread=False)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.executescript(SCHEMA)
        return connection

    @staticmethod
    def _write(connection: sqlite3.Connection, entry: Entry) -> None:
        connection.execute(
            "INSERT INTO zero_results (query, filters, outcome, hour, count) "
            "VALUES (?, ?, ?, ?, 1) "
            "ON CONFLICT (query, filters, outcome, hour) DO UPDATE SET count = count + 1",
            (entry.query, entry.filters, entry.outcome, entry.hour))

    def _prune(self, connection: sqlite3.Connection) -> int:
        cutoff = hour_of(self.clock() - self.retention)
        return connection.execute("DELETE FROM zero_results WHERE hour < ?", (cutoff,)).rowcount

    # ------------------------------------------------------------ reading

    def report(self, since: dt.date | None = None, limit: int = 100) -> list[dict[str, Any]]:
        """The most frequent failed searches since ``since`` (within the retention):
        query, filters, outcome, count and the hour last seen; most frequent first."""
        if not self.path.exists():
            return []
        oldest = hour_of(self.clock() - self.retention)
        if since is not None:
            oldest = max(oldest, f"{since.isoformat()}T00:00Z")
        connection = sqlite3.connect(f"{self.path.as_uri()}?mode=ro", uri=True,
                                     timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            rows = connection.execute(
                "SELECT query, filters, outcome, SUM(count) AS n, MAX(hour) AS last "
                "FROM zero_results WHERE hour >= ? GROUP BY query, filters, outcome "
                "ORDER BY n DESC, last DESC, query, filters, outcome LIMIT ?",
                (oldest, max(1, int(limit)))).fetchall()
        except sqlite3.OperationalError:
            return []  # an empty file, or one being created: nothing to report yet
        finally:
            connection.close()
        return [{"query": q, "filters": f, "outcome": o, "count": n, "last_seen": last}
                for q, f, o, n, last in rows]
