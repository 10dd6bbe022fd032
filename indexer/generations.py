"""Generations of the index: their folders, the CURRENT pointer, the clean-up of
a failed writer's debris, and ``rebuild`` (a new generation swapped in atomically).

``Generations`` is a part of ``indexer.store.Store`` (its base class): its
methods use the store's lock, parser and writer.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import time
from collections.abc import Iterable
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage

from indexer.batch import Batch, Summary
from indexer.codec.files import clean_unreferenced
from indexer.faults import crash_point
from indexer.fields import build_schema
from indexer.inputs.sources import find_input_files
from indexer.location import CURRENT, IndexNotFound

GENERATION_PREFIX = "gen-"
GENERATION_PATTERN = re.compile(r"^gen-(\d{6,})$")


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


class Generations:
    """The generation folders of ``Store`` (lock held where a method says so)."""

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

