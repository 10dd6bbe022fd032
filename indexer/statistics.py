"""What the index holds, in the one shape `pressroom stats --json` and /api/stats share.

The reader lives on the indexer side (``search`` imports ``indexer``, never the
other way) and is used by ``indexer.store.Store.stats`` and
``search.archive.Archive.stats``.  Values come as lists of ``{"value", "label",
"count"}`` (years newest first, languages and topics by count, then value);
``generation`` is the live generation's folder name (``gen-000001``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from indexer.codec.readers import postings_of

#: How many live documents carry each value of a field (values at 0 left out).
Counter = Callable[[str], dict[str, int]]
#: A value's label in both interface languages, given its field.
Labeller = Callable[[str, str], dict[str, str]]

#: Stats key → the indexed field counted for it.
COUNTED_FIELDS = {"languages": "languages", "years": "year", "topics": "topics"}


def plain_label(fieldname: str, value: str) -> dict[str, str]:
    return {"en": value, "ru": value}


def read_stats(searcher: Any, folder: Path, count: Counter | None = None,
               label: Labeller = plain_label) -> dict[str, Any]:
    """Releases by language, year and topic, and the size and age of ``folder`` (the live
    generation ``searcher`` reads).  ``count``: a faster counter the caller already holds
    (the archive's facet tables); by default the postings are read."""
    count = count or _posting_counter(searcher)
    out: dict[str, Any] = {"releases": searcher.doc_count()}
    for key, fieldname in COUNTED_FIELDS.items():
        counts = count(fieldname)
        if key == "years":
            values = sorted(counts, reverse=True)
        else:
            values = sorted(counts, key=lambda v: (-counts[v], v))
        out[key] = [{"value": v, "label": label(fieldname, v), "count": counts[v]}
                    for v in values]
    files = []
    for entry in folder.iterdir():
        with contextlib.suppress(OSError):
            if entry.is_file():
                files.append(entry.stat())
    mtime = max((f.st_mtime for f in files), default=None)
    out["last_update"] = (dt.datetime.fromtimestamp(mtime, dt.UTC).isoformat(timespec="seconds")
                          if mtime else None)
    out["index_bytes"] = sum(f.st_size for f in files)
    out["generation"] = folder.name
    return out


def _posting_counter(searcher: Any) -> Counter:
    reader = searcher.reader()
    live = np.zeros(reader.doc_count_all(), dtype=bool)
    live[list(reader.all_doc_ids())] = True

    def count(fieldname: str) -> dict[str, int]:
        found = {}
        for raw in reader.lexicon(fieldname):
            n = int(np.count_nonzero(live[postings_of(searcher, fieldname, raw)[0]]))
            if n:
                found[raw.decode() if isinstance(raw, bytes) else raw] = n
        return found

    return count
