"""Whoosh 2.7.4's encodings of posting values, written faster: positions, pickled bytes.

``encode_positions`` is ``whoosh.formats.Positions.encode``; the ``pickled_*``
functions write values as pickle protocol 3 puts them into a posting block,
so blocks are joined from ready bytes (``indexer.codec.blocks``).
"""

from __future__ import annotations

from itertools import chain
from operator import sub
from pickle import dumps
from typing import Any

from whoosh.system import pack_uint, pack_uint_le

#: Encoded single positions: most terms occur once in a field.
_SINGLE_POSITIONS: dict[int, bytes] = {}


def encode_positions(poslist: list[int]) -> bytes:
    """``whoosh.formats.Positions.encode``, faster."""
    if len(poslist) == 1:
        pos = poslist[0]
        value = _SINGLE_POSITIONS.get(pos)
        if value is None:
            value = pack_uint(1) + dumps([pos], 2)
            if len(_SINGLE_POSITIONS) < 1 << 16:
                _SINGLE_POSITIONS[pos] = value
        return value
    deltas = list(map(sub, poslist, chain((0,), poslist)))
    return pack_uint(len(deltas)) + dumps(deltas, 2)


def pickled_bytes(value: bytes) -> bytes:
    """``value`` as pickle protocol 3 writes a bytes object, unmemoized; nothing
    for an empty value, which Whoosh leaves out of a block's values too."""
    n = len(value)
    if not n:
        return b""
    return (b"C" + bytes((n,)) if n < 256 else b"B" + pack_uint_le(n)) + value


def unpickled_bytes(pickled: bytes) -> bytes:
    """The bytes object ``pickled_bytes`` wrote."""
    if not pickled:
        return b""
    return pickled[2:] if pickled[0] == ord("C") else pickled[5:]


def values_pickled(fieldobj: Any) -> bool:
    """Whether a field's posting values travel as ``pickled_bytes``: those of
    formats without a fixed value size, which blocks keep as a tuple."""
    size = fieldobj.format.fixed_value_size()
    return size is None or size < 0


#: ``pickled_bytes(encode_positions([pos]))`` by position.
_SINGLE_PICKLED: dict[int, bytes] = {}


#: ``pickle.dumps(i, 2)`` without header and STOP, for the small ints that
#: most position deltas are.
_INT_OPS = [dumps(i, 2)[2:-1] for i in range(4096)]
#: ``pickle.dumps([...], 2)`` of a list of 2 to 1000 items: the list, MARK,
#: the items, APPENDS, STOP.
_LIST_HEAD, _LIST_TAIL = b"\x80\x02]q\x00(", b"e."


def pickled_positions(poslist: list[int]) -> bytes:
    """``pickled_bytes(encode_positions(poslist))``, the ints pickled from a table."""
    n = len(poslist)
    if n == 1:
        pos = poslist[0]
        value = _SINGLE_PICKLED.get(pos)
        if value is None:
            value = pickled_bytes(encode_positions(poslist))
            if len(_SINGLE_PICKLED) < 1 << 16:
                _SINGLE_PICKLED[pos] = value
        return value
    if n <= 1000:
        try:
            # Positions are sorted: the deltas index the table from 0 up.
            items = b"".join(map(_INT_OPS.__getitem__, map(sub, poslist, chain((0,), poslist))))
        except IndexError:  # a delta beyond the table
            pass
        else:
            return pickled_bytes(b"".join((pack_uint(n), _LIST_HEAD, items, _LIST_TAIL)))
    return pickled_bytes(encode_positions(poslist))
