"""A segment's term index (Whoosh's ``OrderedHashWriter``), written a field at a time.

Whoosh adds one term at a time: two ``tell()`` calls and three writes on the
file each, a fifth of a commit's time in the writer process.  ``TermIndexBatch``
keeps a field's terms and writes them in one piece, computing their offsets
instead of asking the file: the same bytes, the same hash buckets and the same
position index (``tests/indexer/test_fastindex.py`` compares whole segments).
"""

from __future__ import annotations

import struct
from typing import Any

#: ``whoosh.filedb.filetables._lengths``: a record's key and value lengths.
_LENGTHS = struct.Struct("!ii")


class TermIndexBatch:
    """Terms for one ``OrderedHashWriter``, written together by ``flush``."""

    def __init__(self, writer: Any) -> None:
        self.writer = writer
        self.items: list[tuple[bytes, bytes]] = []

    def add(self, key: bytes, value: bytes) -> None:
        self.items.append((key, value))

    def flush(self) -> None:
        """What ``OrderedHashWriter.add`` writes and records for each term, in order."""
        if not self.items:
            return
        writer = self.writer
        dbfile = writer.dbfile
        start = dbfile.tell()
        last = writer.lastkey
        hashfn = writer.hashfn
        buckets = writer.buckets
        positions = writer.index
        pack = _LENGTHS.pack
        out = bytearray()
        for key, value in self.items:
            if key <= last:
                raise ValueError(f"Keys must increase: {last!r}..{key!r}")
            pos = start + len(out)
            positions.append(pos)
            h = hashfn(key)
            buckets[h & 255].append((h, pos))
            out += pack(len(key), len(value))
            out += key
            out += value
            last = key
        dbfile.write(bytes(out))
        writer.lastkey = last
        self.items = []
