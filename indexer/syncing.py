"""``sync`` and ``update_files``: mirror a folder (or some of its files) into
the live generation, deleting the releases that left it.

``Syncing`` is a part of ``indexer.store.Store`` (its base class): its methods
use the store's lock, parser and commit.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from whoosh.query import Term

from indexer.batch import Batch, Summary
from indexer.faults import crash_point
from indexer.inputs.sources import find_input_files


class Syncing:
    """The sync runs of ``Store``."""

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

