"""``FastSegmentWriter``: Whoosh's ``SegmentWriter``, fed chunks of grouped postings.

Documents are numbered in order, so postings grouped per term are already
sorted: instead of sending every posting through Whoosh's sorting pool as a
tuple, it encodes each term's full posting blocks as soon as they fill, keeps
the compressed blocks (on disk past ``limitmb``) and writes every term at
commit.  Terms, positions, frequencies, weights, field lengths, block
boundaries, stored fields and columns are those of Whoosh's ``TEXT.index`` and
``SegmentWriter`` (``tests/indexer/test_fastindex.py`` compares them).

It drives Whoosh 2.7.4's private writer state (the field writer's posting file
and term index, the postings writer's term info): when ``indexer.codec.fast()``
says no, it is Whoosh's own ``SegmentWriter``.

Past 450 lines on purpose: the class is one state machine over the state of
Whoosh's writer it inherits (pending postings, spilled blocks, the commit's
merge of older segments), and its methods read and write that state together;
what stands alone (chunks, blocks, value encodings) lives in the modules beside it.
"""

from __future__ import annotations

import os
import tempfile
from array import array
from collections.abc import Iterable, Iterator
from itertools import groupby
from operator import itemgetter
from typing import Any

from whoosh.codec.whoosh3 import (
    STORED_COLUMN,
    WHOOSH3_HEADER_MAGIC,
    W3Codec,
    W3FieldWriter,
    W3PerDocWriter,
    W3TermInfo,
)
from whoosh.columns import CompressedBytesColumn, PickleColumn, VarBytesColumn
from whoosh.system import pack_int, pack_long, pack_ushort
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import SegmentWriter

from indexer.codec import fast
from indexer.codec.blocks import BlockBatch, _BlockStats, _FieldState, _Term, encode_block
from indexer.codec.chunks import Chunk, ChunkBuilder, FieldPostings
from indexer.codec.termindex import TermIndexBatch
from indexer.codec.values import unpickled_bytes, values_pickled
from indexer.faults import crash_point

#: Documents the writer's own ``add_document`` collects before grouping them
#: into its segment, like a chunk from a worker.
LOCAL_CHUNK = 256
#: Terms whose last blocks go to a worker process together at commit.
TAIL_BATCH = 4000
#: Bytes a pending (not yet encoded) posting is counted for against ``limitmb``.
PENDING_POSTING_BYTES = 64




class FastSegmentWriter(SegmentWriter):
    """A ``SegmentWriter`` that groups postings by term and encodes blocks as they fill.

    Documents come from ``add_document`` (analyzed here, ``LOCAL_CHUNK`` at a
    time) or ready-made from ``add_chunk``.  Beyond ``limitmb`` of encoded
    blocks, the blocks move to a temporary file.  Postings of segments that the
    commit merges in come through Whoosh's pool, and join the grouped ones term
    by term.  Schemas with term vectors or separate spelling fields, and other
    codecs, take Whoosh's own path.
    """

    def __init__(self, ix: Any, **kwargs: Any) -> None:
        super().__init__(ix, **kwargs)
        self._limit = self.pool.limit
        self._size = 0
        self._fields: dict[str, _FieldState] = {}
        self._builder: ChunkBuilder | None = None
        self._spill_file: Any = None
        #: Worker processes (``indexer.workers.AnalysisPool``) that encode the
        #: terms' last blocks at commit; None: this process does.
        self.workers: Any = None
        schema = self.schema
        codec = self.codec
        stored = self.perdocwriter._colwriters.get("_stored")
        self._fast = (
            fast() and type(codec) is W3Codec and codec._inlinelimit <= 1
            and type(self.perdocwriter) is W3PerDocWriter
            and type(self.fieldwriter) is W3FieldWriter
            and type(stored) is PickleColumn.Writer
            and type(stored._child) is CompressedBytesColumn.Writer
            and stored._child._level == STORED_COLUMN._child._level
            and not any(schema[name].vector or getattr(schema[name], "spelling", False)
                        or schema[name].separate_spelling() for name in schema.names()))

    @property
    def takes_chunks(self) -> bool:
        """Whether ``add_chunk`` works (the schema and codec allow the fast path)."""
        return self._fast

    def add_document(self, **fields_: Any) -> None:
        if not self._fast:
            super().add_document(**fields_)
            return
        self._check_state()
        builder = self._builder
        if builder is None:
            builder = self._builder = ChunkBuilder(self.schema, self.docnum)
        builder.add(fields_)
        self.docnum += 1
        self._added = True
        if len(builder) >= LOCAL_CHUNK:
            self._flush_builder()

    def add_chunk(self, chunk: Chunk) -> None:
        """Add documents analyzed elsewhere, numbered from the next document number."""
        self._check_state()
        if not self._fast:
            raise ValueError("this writer's schema or codec takes documents one by one")
        self._flush_builder()
        if chunk.start != self.docnum:
            raise ValueError(f"chunk starts at document {chunk.start}, expected {self.docnum}")
        self._apply(chunk)
        self.docnum += chunk.count
        self._added = self._added or bool(chunk.count)

    def add_reader(self, reader: Any) -> None:
        # Documents merged in (by a commit's merge policy) are numbered after
        # ours, whose per-document values must be written first.
        if self._fast:
            self._flush_builder()
        super().add_reader(reader)

    def _flush_builder(self) -> None:
        if self._builder is not None and len(self._builder):
            self._apply(self._builder.build())
        self._builder = None

    def _apply(self, chunk: Chunk) -> None:
        """Write a chunk's per-document values and take in its postings."""
        schema = self.schema
        perdoc = self.perdocwriter
        stored_writer = perdoc._colwriters["_stored"]._child
        states = self._fields
        docnum = chunk.start
        for blob, entries in chunk.docs:
            perdoc.start_doc(docnum)
            for fieldname, length, has_column, column_value in entries:
                fieldobj = schema[fieldname]
                if length:
                    perdoc.add_field(fieldname, fieldobj, None, length)
                    state = states.get(fieldname)
                    if state is None:
                        state = states[fieldname] = self._field_state(fieldname)
                    lengths = state.lengths
                    if len(lengths) < docnum:
                        lengths.frombytes(bytes(lengths.itemsize * (docnum - len(lengths))))
                    lbyte = length_to_byte(length)
                    lengths.append(byte_to_length(lbyte) if lbyte else 0)
                if has_column:
                    perdoc.add_column_value(fieldname, fieldobj.column_type, column_value)
            perdoc.finish_doc()
            if blob is not None:
                # Pickled and compressed already: what CompressedBytesColumn.Writer.add does.
                VarBytesColumn.Writer.add(stored_writer, docnum, blob)
            docnum += 1
        for fieldname, postings in chunk.postings.items():
            state = states.get(fieldname)
            if state is None:
                state = states[fieldname] = self._field_state(fieldname)
            self._take(state, postings)
        if self._size > self._limit:
            self._spill()

    def _field_state(self, fieldname: str) -> _FieldState:
        fieldobj = self.schema[fieldname]
        return _FieldState(lengths=array("I") if fieldobj.scorable else None,
                           fixedsize=fieldobj.format.fixed_value_size())

    def _take(self, state: _FieldState, postings: FieldPostings) -> None:
        """Append a chunk's postings of one field to its terms, encoding full blocks."""
        terms = state.terms
        limit = self.codec._blocklimit
        compression = self.codec._compression
        docnums, weights = postings.docnums, postings.weights
        values, value_lengths = memoryview(postings.values), postings.value_lengths
        start = offset = 0
        pending = 0
        grown = 0
        for tbytes, count in zip(postings.terms, postings.counts, strict=True):
            term = terms.get(tbytes)
            if term is None:
                term = terms[tbytes] = _Term()
            ids = term.ids
            if count == 1:
                ids.append(docnums[start])
                term.weights.append(weights[start])
                size = value_lengths[start]
                term.value_lengths.append(size)
            else:
                end = start + count
                ids.extend(docnums[start:end])
                term.weights.extend(weights[start:end])
                lengths = value_lengths[start:end]
                term.value_lengths.extend(lengths)
                size = sum(lengths)
            term.values += values[offset:offset + size]
            start += count
            offset += size
            pending += count
            if len(ids) > limit:
                # Whoosh writes a full block when the next posting arrives:
                # the last block is written at commit, full or not.
                done = cut_bytes = 0
                while len(ids) - done > limit:
                    cut = done + limit
                    block_ids = ids[done:cut]
                    block_bytes = sum(term.value_lengths[done:cut])
                    body, stats = encode_block(
                        block_ids, term.weights[done:cut],
                        term.values[cut_bytes:cut_bytes + block_bytes],
                        state.lengths_of(block_ids), state.fixedsize, compression)
                    if term.info is None:
                        term.info = W3TermInfo()
                        term.blocks = bytearray()
                    term.info.add_block(stats)
                    term.blocks += pack_int(len(body))
                    term.blocks += body
                    grown += len(body) + 4
                    done, cut_bytes = cut, cut_bytes + block_bytes
                del ids[:done]
                del term.weights[:done]
                del term.value_lengths[:done]
                del term.values[:cut_bytes]
                pending -= done
        self._size += grown + pending * PENDING_POSTING_BYTES

    def _spill(self) -> None:
        """Move the encoded blocks to a temporary file (they are written at commit)."""
        if self._spill_file is None:
            folder = getattr(self._tempstorage, "folder", None)
            if folder:
                os.makedirs(folder, exist_ok=True)
            self._spill_file = tempfile.TemporaryFile(dir=folder or None)
        out = self._spill_file
        offset = out.seek(0, os.SEEK_END)
        pending = 0
        for state in self._fields.values():
            for term in state.terms.values():
                pending += len(term.ids)
                if term.blocks:
                    out.write(term.blocks)
                    if term.spilled is None:
                        term.spilled = []
                    term.spilled.append((offset, len(term.blocks)))
                    offset += len(term.blocks)
                    term.blocks = bytearray()
        out.flush()
        self._size = pending * PENDING_POSTING_BYTES

    def _full_blocks(self, term: _Term) -> Iterator[bytes]:
        """A term's encoded full blocks in order, spilled ones first."""
        if term.spilled:
            fd = self._spill_file.fileno()
            for offset, length in term.spilled:
                yield os.pread(fd, length, offset)
        if term.blocks:
            yield term.blocks

    def _flush_segment(self) -> None:
        if not self._fast:
            super()._flush_segment()
            return
        self._flush_builder()
        self.perdocwriter.close()
        pool = self.pool
        merged: Iterable[tuple] = ()
        lengths_reader = None
        merging = bool(pool.current or pool.runs)
        if merging:
            # Postings of the segments this commit merges in (numbered after ours).
            merged = pool.iter_postings()
            if self.codec.length_stats:
                lengths_reader = self.per_document_reader()
        try:
            if self.workers is not None and not merging:
                self._write_postings_with(self.workers)
            else:
                self._write_postings(merged, lengths_reader)
        finally:
            if lengths_reader is not None:
                lengths_reader.close()
            if self._spill_file is not None:
                self._spill_file.close()
                self._spill_file = None
        self._fields = {}
        self.fieldwriter.close()

    def _our_terms(self) -> Iterator[tuple[tuple[str, bytes], _Term]]:
        for fieldname in sorted(self._fields):
            terms = self._fields[fieldname].terms
            for tbytes in sorted(terms):
                yield (fieldname, tbytes), terms[tbytes]

    def _write_postings(self, merged: Iterable[tuple], lengths_reader: Any) -> None:
        """Write every term of every field in order, joined with the merged postings."""
        fw = self.fieldwriter
        compression = self.codec._compression
        theirs = groupby(merged, key=itemgetter(0, 1))
        out = _PostingsOutput(fw, self.schema)
        for (fieldname, tbytes), term, extra in _join(self._our_terms(), theirs):
            if fieldname != out.field:
                out.start_field(fieldname)
                state = self._fields.get(fieldname) or self._field_state(fieldname)
            if extra is None:
                out.write_term(tbytes, term, self._full_blocks(term), state, compression)
            else:
                out.flush(terms=True)  # Whoosh's own writer adds the next term
                self._write_joined(fw, fieldname, tbytes, term, extra, state, lengths_reader)
                out.reset()
        out.finish_field()

    def _write_postings_with(self, workers: Any) -> None:
        """``_write_postings`` with the terms' last blocks encoded by ``workers``."""
        compression = self.codec._compression
        parts: list[tuple[str, list[bytes]]] = []
        for fieldname in sorted(self._fields):
            names = sorted(self._fields[fieldname].terms)
            parts += [(fieldname, names[i:i + TAIL_BATCH])
                      for i in range(0, len(names), TAIL_BATCH)]

        def batches() -> Iterator[BlockBatch]:
            # Made as the workers take them; each term's last postings are
            # let go once packed.
            for fieldname, part in parts:
                state = self._fields[fieldname]
                batch = BlockBatch(state.fixedsize, compression)
                if state.lengths is not None:
                    batch.lengths = array("I")
                for term in map(state.terms.__getitem__, part):
                    batch.counts.append(len(term.ids))
                    batch.ids.extend(term.ids)
                    batch.weights.extend(term.weights)
                    batch.values += term.values
                    batch.value_lengths.extend(term.value_lengths)
                    if batch.lengths is not None:
                        batch.lengths.extend(state.lengths_of(term.ids))
                    term.release_pending()
                yield batch

        encoded_parts = workers.encode_blocks(batches(), len(parts))
        out = _PostingsOutput(self.fieldwriter, self.schema)
        for (fieldname, part), encoded in zip(parts, encoded_parts, strict=True):
            if fieldname != out.field:
                out.start_field(fieldname)
            terms = self._fields[fieldname].terms
            for tbytes, (body, stats) in zip(part, encoded, strict=True):
                term = terms[tbytes]
                out.write_encoded(tbytes, term, self._full_blocks(term), body,
                                  _BlockStats(*stats))
        out.finish_field()

    def _write_joined(self, fw: W3FieldWriter, fieldname: str, tbytes: bytes,
                      term: _Term | None, extra: Iterable[tuple], state: _FieldState,
                      lengths_reader: Any) -> None:
        """A term with merged postings too: our full blocks, then Whoosh's posting
        writer for the rest (our last block's postings, then the merged ones)."""
        fw.start_term(tbytes)
        pw = fw._postwriter
        if term is not None:
            if term.info is not None:
                postfile = fw._postfile
                postfile.write(WHOOSH3_HEADER_MAGIC)
                for piece in self._full_blocks(term):
                    postfile.write(piece)
                # As if the posting writer had written them itself.
                pw._terminfo = term.info
                pw._blockcount = 1
            lengths = state.lengths
            pickled = values_pickled(self.schema[fieldname])
            offset = 0
            for docnum, weight, size in zip(term.ids, term.weights, term.value_lengths,
                                            strict=True):
                value = bytes(term.values[offset:offset + size])
                offset += size
                length = lengths[docnum] if lengths is not None else 0
                pw.add_posting(docnum, weight, unpickled_bytes(value) if pickled else value,
                               length)
        dfl = lengths_reader.doc_field_length if lengths_reader is not None else None
        for _, _, docnum, weight, value in extra:
            length = dfl(docnum, fieldname) if dfl is not None else 0
            pw.add_posting(docnum, weight, b"" if value is None else value, length)
        fw.finish_term()

    def cancel(self) -> None:
        if self._spill_file is not None:
            self._spill_file.close()
            self._spill_file = None
        super().cancel()

    def _commit_toc(self, segments: Any) -> None:
        crash_point("before_toc")
        super()._commit_toc(segments)
        crash_point("after_toc")


def _join(ours: Iterator[tuple[Any, _Term]], theirs: Iterator[tuple[Any, Iterable[tuple]]],
          ) -> Iterator[tuple[Any, _Term | None, Iterable[tuple] | None]]:
    """Merge two key-sorted streams: (key, our term or None, their postings or None)."""
    a = next(ours, None)
    b = next(theirs, None)
    while a is not None or b is not None:
        if b is None or (a is not None and a[0] < b[0]):
            yield a[0], a[1], None
            a = next(ours, None)
        elif a is None or b[0] < a[0]:
            yield b[0], None, b[1]
            b = next(theirs, None)
        else:
            yield a[0], a[1], b[1]
            a, b = next(ours, None), next(theirs, None)


_TERMINFO = W3TermInfo._struct


def _single_block_info(stats: _BlockStats, offset: int, length: int) -> bytes:
    """What ``W3TermInfo.to_bytes`` gives for a term of one block, after
    ``add_block(stats)`` and ``set_extent(offset, length)`` on a new one."""
    minlength = stats._minlength
    return (_TERMINFO.pack(False, sum(stats._weights), stats._count,
                           0 if minlength is None else length_to_byte(minlength),
                           length_to_byte(max(0, stats._maxlength)),
                           max(0, stats._maxweight), stats._minid, stats._maxid)
            + pack_long(offset) + pack_int(length))


class _PostingsOutput:
    """Buffered writes of whole terms to a field writer's postings file, a field at a time."""

    FLUSH_BYTES = 1 << 20

    def __init__(self, fw: W3FieldWriter, schema: Any) -> None:
        self.fw = fw
        self.schema = schema
        self.buffer = bytearray()
        self.terms = TermIndexBatch(fw._tindex)
        #: The field being written (None: between fields).
        self.field: str | None = None
        self.base = 0

    def start_field(self, fieldname: str) -> None:
        self.finish_field()
        self.fw.start_field(fieldname, self.schema[fieldname])
        self.field = fieldname
        self.reset()

    def finish_field(self) -> None:
        if self.field is not None:
            self.flush(terms=True)
            self.fw.finish_field()
            self.field = None
            crash_point("mid_postings")

    def reset(self) -> None:
        self.base = self.fw._postfile.tell()

    def flush(self, terms: bool = False) -> None:
        """Write the buffered postings, and with ``terms`` the buffered term index entries."""
        if self.buffer:
            self.fw._postfile.write(bytes(self.buffer))
            self.base += len(self.buffer)
            self.buffer = bytearray()
        if terms:
            self.terms.flush()

    def write_term(self, tbytes: bytes, term: _Term, full_blocks: Iterable[bytes],
                   state: _FieldState, compression: int) -> None:
        """What ``start_term``, ``add`` per posting and ``finish_term`` write."""
        body, stats = encode_block(term.ids, term.weights, term.values,
                                   state.lengths_of(term.ids), state.fixedsize, compression)
        self.write_encoded(tbytes, term, full_blocks, body, stats)

    def write_encoded(self, tbytes: bytes, term: _Term, full_blocks: Iterable[bytes],
                      body: bytes, stats: _BlockStats) -> None:
        """``write_term`` with the last block encoded already."""
        fw = self.fw
        buffer = self.buffer
        start = self.base + len(buffer)
        buffer += WHOOSH3_HEADER_MAGIC
        for piece in full_blocks:
            buffer += piece
        buffer += pack_int(-len(body))  # negative: the term's last block
        buffer += body
        length = self.base + len(buffer) - start
        info = term.info
        if info is None:
            infobytes = _single_block_info(stats, start, length)
        else:
            info.add_block(stats)
            info.set_extent(start, length)
            infobytes = info.to_bytes()
        self.terms.add(pack_ushort(fw._fieldid) + tbytes, infobytes)
        if len(buffer) >= self.FLUSH_BYTES:
            self.flush()
