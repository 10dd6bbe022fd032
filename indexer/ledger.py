"""The ledger: what was fetched from each web source, and the ingest log of every write.

One SQLite file beside the index, ``<index>/ledger.sqlite3`` (WAL mode, so the
web workers read it while a writer adds to it):

* ``seen``: per source and URL, what the last fetch found (ETag,
  Last-Modified, content hash, release id, HTTP status, times).  ``fetch``
  sends conditional requests from it and skips pages whose content did not
  change.
* ``ingest_log``: one row per write to the index: when, which operation
  (``index``, ``sync``, ``rebuild``, ``watch``, ``fetch``, ``ingest``,
  ``delete``), by whom (the command or endpoint) and from which source, with
  the counts and the ids that changed.  ``pressroom history`` and /stats show
  it (docs/ingest-log.md).

The log is a record, not part of the index: a failure to write it never
undoes or breaks a commit; it is logged as a warning and the write stands.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

FILE_NAME = "ledger.sqlite3"
#: Milliseconds a writer waits for another process's write.
BUSY_TIMEOUT_MS = 5000
#: Most ids kept per changed-kind in one log row (a rebuild may write 100,000).
MAX_IDS = 1000

SCHEMA = """
CREATE TABLE IF NOT EXISTS seen (
    source        TEXT NOT NULL,
    url           TEXT NOT NULL,
    etag          TEXT,
    last_modified TEXT,
    content_hash  TEXT,
    release_id    TEXT,
    status        TEXT NOT NULL,
    first_seen    TEXT NOT NULL,
    last_checked  TEXT NOT NULL,
    last_changed  TEXT,
    PRIMARY KEY (source, url)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS ingest_log (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    at        TEXT NOT NULL,
    operation TEXT NOT NULL,
    actor     TEXT NOT NULL,
    origin    TEXT NOT NULL,
    added     INTEGER NOT NULL,
    updated   INTEGER NOT NULL,
    deleted   INTEGER NOT NULL,
    failed    INTEGER NOT NULL,
    changes   TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS ingest_log_at ON ingest_log (at);
"""


def now_text() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


@dataclass
class SeenPage:
    """What the last fetch of one URL of one source found."""

    source: str
    url: str
    etag: str | None = None
    last_modified: str | None = None
    content_hash: str | None = None
    release_id: str | None = None
    status: str = ""
    first_seen: str = ""
    last_checked: str = ""
    last_changed: str | None = None


class Ledger:
    """The ledger file of the index at ``root``; connections are opened per use."""

    def __init__(self, root: str | Path) -> None:
        self.path = Path(root) / FILE_NAME

    @contextlib.contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            conn.executescript(SCHEMA)
            with conn:
                yield conn
        finally:
            conn.close()

    # -- the ingest log --------------------------------------------------------

    def record(self, operation: str, actor: str, origin: str, *, added: Iterable[str] = (),
               updated: Iterable[str] = (), deleted: Iterable[str] = (), failed: int = 0,
               counts: dict[str, int] | None = None) -> None:
        """Add one row to the ingest log.  ``counts`` overrides the lengths of the id
        lists (a rebuild knows how many it deleted, not which)."""
        ids = {"added": sorted(added), "updated": sorted(updated), "deleted": sorted(deleted)}
        numbers = {kind: len(values) for kind, values in ids.items()}
        numbers.update(counts or {})
        changes = {kind: values[:MAX_IDS] for kind, values in ids.items()}
        with self.connect() as conn:
            conn.execute(
                "INSERT INTO ingest_log (at, operation, actor, origin, added, updated, deleted,"
                " failed, changes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (now_text(), operation, actor, origin, numbers["added"], numbers["updated"],
                 numbers["deleted"], failed, json.dumps(changes, ensure_ascii=False)),
            )

    def history(self, since: str | None = None, limit: int | None = None) -> list[dict[str, Any]]:
        """Log rows, oldest first (the newest ``limit`` when given), from ``since`` on
        (an ISO date or time, UTC)."""
        if not self.path.exists():
            return []
        sql = "SELECT * FROM ingest_log"
        args: list[Any] = []
        if since:
            sql += " WHERE at >= ?"
            args.append(since)
        sql += " ORDER BY id DESC"
        if limit is not None:
            sql += " LIMIT ?"
            args.append(limit)
        with self.connect() as conn:
            rows = conn.execute(sql, args).fetchall()
        return [entry_dict(row) for row in reversed(rows)]

    # -- pages seen by fetch ---------------------------------------------------

    def seen(self, source: str, url: str) -> SeenPage | None:
        if not self.path.exists():
            return None
        with self.connect() as conn:
            row = conn.execute("SELECT * FROM seen WHERE source = ? AND url = ?",
                               (source, url)).fetchone()
        return SeenPage(**dict(row)) if row else None

    def remember(self, page: SeenPage) -> None:
        """Store what a fetch found (insert or replace)."""
        now = now_text()
        page.last_checked = now
        page.first_seen = page.first_seen or now
        with self.connect() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO seen (source, url, etag, last_modified, content_hash,"
                " release_id, status, first_seen, last_checked, last_changed)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (page.source, page.url, page.etag, page.last_modified, page.content_hash,
                 page.release_id, page.status, page.first_seen, page.last_checked,
                 page.last_changed),
            )


def entry_dict(row: sqlite3.Row) -> dict[str, Any]:
    """One log row in the documented JSON shape (docs/ingest-log.md)."""
    return {
        "id": row["id"],
        "at": row["at"],
        "operation": row["operation"],
        "actor": row["actor"],
        "origin": row["origin"],
        "added": row["added"],
        "updated": row["updated"],
        "deleted": row["deleted"],
        "failed": row["failed"],
        "changes": json.loads(row["changes"]),
    }


def record_write(root: str | Path, operation: str, actor: str, origin: str,
                 **details: Any) -> None:
    """Log one write; never raises (the commit it describes stands whatever happens here)."""
    try:
        Ledger(root).record(operation, actor, origin, **details)
    except Exception as exc:  # sqlite3, OSError, a full disk: the index write stands
        log.warning("the ingest log could not record a %s (%s by %s): %s",
                    operation, origin or "-", actor, exc)
