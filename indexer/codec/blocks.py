"""Posting blocks as Whoosh 2.7.4's ``W3PostingsWriter`` writes them.

Some encodings differ, all read by Whoosh's own reader: posting blocks are
pickled with protocol 3, which writes the position values as bytes (protocol 2
sends every bytes object through ``codecs.encode``: 5x slower, a third larger
and slower to read back), their values arrive pickled already and are not
memoized; blocks under ``MIN_COMPRESSED`` bytes are stored uncompressed, as
``W3PostingsWriter`` means to for tiny ones (its "< 20 bytes" test is
overwritten by the line after it); and zlib's window is sized to the data.
"""

from __future__ import annotations

import zlib
from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import chain
from operator import sub
from pickle import dumps

from whoosh.codec.whoosh3 import (
    W3TermInfo,
)
from whoosh.util.numeric import length_to_byte

#: Pickle protocol of posting blocks: 3 writes bytes values as bytes.
BLOCK_PROTOCOL = 3
_PROTOCOL_HEAD = bytes((0x80, BLOCK_PROTOCOL))
#: Pickled blocks shorter than this stay uncompressed: zlib saves them a few
#: dozen bytes, for more time than encoding the rest of the block (and a
#: decompression at every read).
MIN_COMPRESSED = 256




@dataclass
class BlockBatch:
    """Last blocks of some terms of one field, to encode in a worker process:
    ``counts[i]`` postings of term i follow those of the terms before it."""

    fixedsize: int | None
    compression: int
    counts: array = field(default_factory=lambda: array("I"))
    ids: array = field(default_factory=lambda: array("I"))
    weights: array = field(default_factory=lambda: array("d"))
    #: the values one after the other (as in ``FieldPostings``), and their lengths
    values: bytearray = field(default_factory=bytearray)
    value_lengths: array = field(default_factory=lambda: array("I"))
    #: the field lengths of the postings' documents; None: the field has none
    lengths: array | None = None


#: An encoded block as it travels back: (block bytes, ``_BlockStats.state()``).
EncodedBlock = tuple[bytes, tuple]


def encode_batch(batch: BlockBatch) -> list[EncodedBlock]:
    """Encode the last block of each term in ``batch`` (in a worker process)."""
    encoded = []
    values = memoryview(batch.values)
    start = offset = 0
    for count in batch.counts:
        end = start + count
        size = sum(batch.value_lengths[start:end])
        lengths = None if batch.lengths is None else batch.lengths[start:end]
        body, stats = encode_block(batch.ids[start:end], batch.weights[start:end],
                                   values[offset:offset + size], lengths, batch.fixedsize,
                                   batch.compression)
        encoded.append((body, stats.state()))
        start, offset = end, offset + size
    return encoded


class _BlockStats:
    """The statistics ``W3TermInfo.add_block`` reads from a posting block."""

    __slots__ = ("_weights", "_count", "_minid", "_maxid", "_minlength", "_maxlength",
                 "_maxweight")

    def __init__(self, weights: Sequence[float], count: int, minid: int, maxid: int,
                 minlength: int | None, maxlength: int, maxweight: float) -> None:
        self._weights = weights
        self._count = count
        self._minid, self._maxid = minid, maxid
        self._minlength, self._maxlength = minlength, maxlength
        self._maxweight = maxweight

    def __len__(self) -> int:
        return self._count

    def state(self) -> tuple:
        """The arguments that make this object again, for another process: the
        weights summed already (``add_block`` needs nothing else of them)."""
        return ((sum(self._weights),), self._count, self._minid, self._maxid,
                self._minlength, self._maxlength, self._maxweight)

    def min_id(self) -> int:
        return self._minid

    def max_id(self) -> int:
        return self._maxid

    def min_length(self) -> int | None:
        return self._minlength

    def max_length(self) -> int:
        return self._maxlength

    def max_weight(self) -> float:
        return self._maxweight


def deflate(data: bytes, level: int) -> bytes:
    """``zlib.compress(data, level)`` with a window no larger than ``data``.

    Setting up zlib's default 32 KB window costs more than compressing a
    small block; a window as long as the data finds the same matches, and
    ``zlib.decompress`` reads any window size.
    """
    packer = zlib.compressobj(level, zlib.DEFLATED, max(9, min(15, len(data).bit_length())))
    return packer.compress(data) + packer.flush()


def encode_block(ids: array, weights: array, values: bytes | bytearray | memoryview,
                 lengths: Sequence[int] | None, fixedsize: int | None,
                 compression: int) -> tuple[bytes, _BlockStats]:
    """One posting block as ``W3PostingsWriter._write_block`` writes it, minus the
    length prefix: (block info + data, its statistics for the term info).

    ``weights`` are the postings' weights as given (Whoosh keeps their maximum
    unrounded and the rest as float32); ``values`` the postings' values one
    after the other (each as ``pickled_bytes`` gives it when the field's values
    have no fixed size); ``lengths`` the field lengths of the postings'
    documents as the length column returns them (0: none), None for a field
    without lengths.
    """
    n = len(ids)
    wf = array("f", weights)
    if lengths is None:
        minlength, maxlength = None, 0
    else:
        found = list(filter(None, lengths))
        minlength, maxlength = (min(found), max(found)) if found else (None, 0)
    maxweight = max(0, max(weights))
    if wf.count(1.0) == n:
        mini_weights = None
    elif wf.count(wf[0]) == n:
        mini_weights = wf[0]
    else:
        mini_weights = tuple(wf)
    mini_ids = tuple(map(sub, ids, chain((0,), ids)))
    if fixedsize is None or fixedsize < 0:
        # The tuple (ids, weights, values) as a pickle: the objects dumps()
        # would give, with the values pickled already (MARK, the values,
        # TUPLE; then TUPLE3 of the three and STOP).
        data = b"".join((_PROTOCOL_HEAD, dumps(mini_ids, BLOCK_PROTOCOL)[2:-1],
                         dumps(mini_weights, BLOCK_PROTOCOL)[2:-1], b"(", values, b"t\x87."))
    else:
        # Fixed-size values are stored joined; no value at all for size 0.
        mini_values = bytes(values) if fixedsize else None
        data = dumps((mini_ids, mini_weights, mini_values), BLOCK_PROTOCOL)
    comp = compression if len(data) >= MIN_COMPRESSED else 0
    if comp:
        data = deflate(data, comp)
    info = dumps((n, ids[-1], maxweight, comp, length_to_byte(minlength),
                  length_to_byte(maxlength)), 2)
    return info + data, _BlockStats(wf, n, ids[0], ids[-1], minlength, maxlength, maxweight)


class _Term:
    """A term's postings in the segment being written: its full blocks, encoded
    (in memory, or spilled to disk), and the postings of its last block."""

    __slots__ = ("blocks", "ids", "info", "spilled", "value_lengths", "values", "weights")

    def __init__(self) -> None:
        self.ids = array("I")
        self.weights = array("d")
        self.values = bytearray()
        self.value_lengths = array("I")
        #: full blocks, each with its length prefix, not spilled yet
        self.blocks: bytearray | None = None
        #: (offset, length) of earlier full blocks in the spill file
        self.spilled: list[tuple[int, int]] | None = None
        #: statistics of the full blocks (None until the first)
        self.info: W3TermInfo | None = None

    def release_pending(self) -> None:
        """Let go of the last block's postings, encoded elsewhere (at commit)."""
        self.ids = self.weights = self.value_lengths = self.values = None


@dataclass
class _FieldState:
    """What encoding one field's blocks needs."""

    terms: dict[bytes, _Term] = field(default_factory=dict)
    #: docnum → field length as the length column returns it; None: not scorable
    lengths: array | None = None
    fixedsize: int | None = None

    def lengths_of(self, ids: array) -> array | None:
        """The field lengths of the documents ``ids``."""
        return None if self.lengths is None else array("I", map(self.lengths.__getitem__, ids))
