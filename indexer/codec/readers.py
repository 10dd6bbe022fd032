"""Fast readers of Whoosh 2.7.4's files: postings, occurrences, lengths, stored fields.

The search side decodes each term's postings once per index generation into
arrays (``search.evaluation``); here they are read a block at a time straight
from ``W3LeafMatcher``'s decoded blocks, a field's lengths from its length
column's bytes, and a document's stored fields from its segment.  When
``indexer.codec.fast()`` says no, or an object is not of the kind expected,
each reader walks Whoosh's public matcher and reader API instead: same answers,
more Python per posting.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from whoosh import matching
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher
from whoosh.util.numeric import byte_to_length

from indexer.codec import fast

#: byte → field length, as ``whoosh.util.numeric.byte_to_length`` decodes it.
_LENGTH_OF_BYTE = np.array([byte_to_length(b) for b in range(256)], dtype=np.float64)


def field_lengths(searcher: Any, fieldname: str, size: int) -> np.ndarray:
    """Every document's length in ``fieldname`` (global document numbers), as Whoosh
    stores it: one byte per document, decoded by ``byte_to_length``."""
    out = np.ones(size, dtype=np.float64)  # Whoosh's default where a segment has no lengths
    for sub, offset in searcher.leaf_searchers():
        reader = sub.reader()
        count = reader.doc_count_all()
        column = None
        perdoc = getattr(reader, "_perdoc", None) if fast() else None
        if perdoc is not None and hasattr(perdoc, "_cached_reader"):
            column = perdoc._cached_reader(f"_{fieldname}_len", LENGTHS_COLUMN)
        if column is not None and hasattr(column, "_dbfile") and column._fixedlen == 1:
            stored = min(column._count, count)
            raw = np.zeros(count, dtype=np.uint8)
            if stored:
                raw[:stored] = np.frombuffer(
                    column._dbfile.get(column._basepos, stored), dtype=np.uint8)
            out[offset:offset + count] = _LENGTH_OF_BYTE[raw]
        else:
            for docnum in range(count):
                out[offset + docnum] = reader.doc_field_length(docnum, fieldname, 1) or 0
    return out


def postings_of(searcher: Any, fieldname: str, text: bytes) -> tuple[np.ndarray, np.ndarray]:
    """All postings of a term across segments: global docnums and weights (deleted kept)."""
    id_parts: list[np.ndarray] = []
    weight_parts: list[np.ndarray] = []
    for sub, offset in searcher.leaf_searchers():
        reader = sub.reader()
        if (fieldname, text) not in reader:
            continue
        matcher = _unfiltered_postings(reader, fieldname, text)
        if fast() and type(matcher) is W3LeafMatcher and not matcher._byteids:
            ids, weights = _read_blocks(matcher)
        else:
            ids, weights = _read_generic(matcher)
        id_parts.append((ids + offset).astype(np.int32))
        weight_parts.append(weights)
    if not id_parts:
        return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float64)
    return np.concatenate(id_parts), np.concatenate(weight_parts)


def _unfiltered_postings(reader: Any, fieldname: str, text: bytes) -> Any:
    """A segment's postings of a term without the deletions filter: the live mask does
    its work.  The filter may already have stepped its child past leading deleted
    documents, which is harmless."""
    matcher = reader.postings(fieldname, text)
    while isinstance(matcher, matching.WrappingMatcher):
        matcher = matcher.child
    return matcher


def _read_blocks(matcher: W3LeafMatcher) -> tuple[np.ndarray, np.ndarray]:
    """A block at a time: the delta-coded ids and the weights array of each (Whoosh 2.7.4)."""
    ids: list[np.ndarray] = []
    weights: list[np.ndarray] = []
    while matcher.is_active():
        matcher._read_data()
        data = matcher._data
        ids.append(np.cumsum(np.asarray(data[0], dtype=np.int64)))
        raw = data[1]
        count = matcher._blocklength
        if raw is None:
            weights.append(np.ones(count, dtype=np.float64))
        elif isinstance(raw, float):
            weights.append(np.full(count, np.float32(raw), dtype=np.float64))
        else:
            weights.append(np.asarray(raw, dtype=np.float32).astype(np.float64))
        if matcher._lastblock:
            break
        matcher._next_block()
    if not ids:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
    return np.concatenate(ids), np.concatenate(weights)


def occurrences_of(searcher: Any, fieldname: str, text: bytes
                   ) -> tuple[np.ndarray, np.ndarray]:
    """Every occurrence of a term across segments: (global docnum, position) arrays."""
    fmt = searcher.schema[fieldname].format
    docs: list[int] = []
    positions: list[int] = []
    for sub, offset in searcher.leaf_searchers():
        reader = sub.reader()
        if (fieldname, text) not in reader:
            continue
        matcher = _unfiltered_postings(reader, fieldname, text)
        while matcher.is_active():
            found = fmt.decode_positions(matcher.value())
            docs.extend([matcher.id() + offset] * len(found))
            positions.extend(found)
            matcher.next()
    return np.asarray(docs, dtype=np.int32), np.asarray(positions, dtype=np.int32)


def _read_generic(matcher: Any) -> tuple[np.ndarray, np.ndarray]:
    ids: list[int] = []
    weights: list[float] = []
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        matcher.next()
    return np.asarray(ids, dtype=np.int64), np.asarray(weights, dtype=np.float64)


def stored_fields(searcher: Any, docnum: int) -> dict[str, Any]:
    """A document's stored fields, read from its segment.

    ``Searcher.stored_fields`` also checks each field against the schema, for
    indexes whose schema lost fields; a third of its cost per hit, and a
    generation's schema never changes.
    """
    if not fast():
        return searcher.stored_fields(docnum)
    reader = searcher.reader()
    if reader.is_atomic():
        leaf, local = reader, docnum
    else:
        segment, local = reader._segment_and_docnum(docnum)
        leaf = reader.readers[segment]
    perdoc = getattr(leaf, "_perdoc", None)
    if perdoc is None or leaf.is_closed:
        return searcher.stored_fields(docnum)
    return perdoc.stored_fields(local)


def per_field_b(weighting: Any) -> dict[str, float]:
    """``whoosh.scoring.BM25F``'s per-field B values (``<field>_B=`` arguments), which
    it keeps privately; none for other weightings."""
    return dict(getattr(weighting, "_field_B", {}))
