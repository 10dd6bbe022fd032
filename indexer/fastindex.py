"""Fast indexing of the analyzed text fields.

Whoosh indexes a TEXT field by running the analyzer's token generator chain
and collecting ``token.pos`` per term (``whoosh.formats.Positions``).  With
six filters per token, most of an indexing run goes into that chain, though
every filter but the stop filter's renumbering and the compound splitter's
position offset works on one word at a time.

``BilingualText`` therefore analyzes each distinct word once, by running the
field's own analyzer on the word alone, caches the result (the terms at each
position relative to the word, or "stopped"), and replays that per occurrence
with the two cross-word rules applied.  Terms, positions, frequencies, weights
and the encoded posting values are exactly those of ``TEXT.index``
(``tests/test_fastindex.py`` checks it).  Queries and the highlighter still
call the analyzer itself.

Whoosh pickles the schema into every index: the import path
``indexer.fastindex.BilingualText`` is public API.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator
from pickle import dumps
from typing import Any

from whoosh import fields, formats
from whoosh.analysis import (
    CompositeAnalyzer,
    LowercaseFilter,
    RegexTokenizer,
    StopFilter,
)
from whoosh.codec.whoosh3 import W3PostingsWriter
from whoosh.system import pack_uint
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import SegmentWriter

from indexer.analysis import (
    CACHE_SIZE,
    BilingualMorphFilter,
    CompoundSplitFilter,
    NormalizeFilter,
    PlainFoldFilter,
    YoFoldFilter,
)

#: Filters known to work on each token alone (apart from the renumbering of a
#: StopFilter and the offsets of CompoundSplitFilter, which ``index`` replays).
_PER_TOKEN_FILTERS = (
    LowercaseFilter,
    NormalizeFilter,
    StopFilter,  # includes YoAwareStopFilter
    CompoundSplitFilter,
    BilingualMorphFilter,
    PlainFoldFilter,
    YoFoldFilter,
)

#: Cache entry of a stopped word.
_STOPPED: tuple = ()


def _plan(analyzer: Any) -> tuple[Any, bool] | None:
    """(tokenizer regex, renumber) when ``analyzer`` can take the fast path, else None."""
    if not isinstance(analyzer, CompositeAnalyzer):
        return None
    items = analyzer.items
    if not items or type(items[0]) is not RegexTokenizer or items[0].gaps:
        return None
    renumber = False
    split_seen = False
    for item in items[1:]:
        if type(item) not in _PER_TOKEN_FILTERS and not isinstance(item, StopFilter):
            return None
        if isinstance(item, StopFilter):
            # A stop filter after the splitter would renumber the parts.
            if split_seen:
                return None
            renumber = renumber or item.renumber
        if isinstance(item, CompoundSplitFilter):
            split_seen = True
    return items[0].expression, renumber


def encode_positions(poslist: list[int]) -> bytes:
    """``whoosh.formats.Positions.encode``, a little faster."""
    base = 0
    deltas = []
    for pos in poslist:
        deltas.append(pos - base)
        base = pos
    return pack_uint(len(deltas)) + dumps(deltas, 2)


class BilingualText(fields.TEXT):
    """A ``whoosh.fields.TEXT`` whose ``index`` analyzes each distinct word once."""

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state.pop("_word_cache", None)
        state.pop("_fast_plan", None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    def _word_entry(self, word: str) -> tuple:
        """The terms of one token: ((relative position, term), ...), or _STOPPED."""
        emitted = [(t.pos, t.text) for t in self.analyzer(word, positions=True, mode="index")]
        return tuple(emitted) if emitted else _STOPPED

    def index(self, value: Any, **kwargs: Any) -> Iterator[tuple[bytes, int, float, bytes]]:
        plan = self.__dict__.get("_fast_plan")
        if plan is None:
            plan = self._fast_plan = _plan(self.analyzer) or False
        fmt = self.format
        if (not plan or not isinstance(value, str) or type(fmt) is not formats.Positions
                or kwargs.get("mode", "index") != "index"):
            yield from super().index(value, **kwargs)
            return
        expression, renumber = plan
        cache = self.__dict__.get("_word_cache")
        if cache is None or len(cache) > CACHE_SIZE:
            cache = self._word_cache = {}
        entry_for = self._word_entry
        poses: dict[str, list[int]] = {}
        last = None  # position of the last kept word (the stop filter's renumbering)
        offset = 0  # extra positions taken by the parts of compounds so far
        for i, match in enumerate(expression.finditer(value)):
            word = match.group()
            entry = cache.get(word)
            if entry is None:
                entry = cache[word] = entry_for(word)
            if entry is _STOPPED:
                continue
            if renumber:
                last = i if last is None else last + 1
                at = last + offset
            else:
                at = i + offset
            top = 0
            for rel, term in entry:
                plist = poses.get(term)
                if plist is None:
                    poses[term] = [at + rel]
                else:
                    plist.append(at + rel)
                if rel > top:
                    top = rel
            offset += top
        fb = fmt.field_boost
        for term, plist in poses.items():
            n = len(plist)
            yield term.encode("utf-8"), n, float(n) * fb, encode_positions(plist)


def _fill_blocks(pw: W3PostingsWriter, docnums: array, weights: list[float],
                 values: list[bytes | None], lengths: dict[int, int | None]) -> None:
    """What ``pw.add_posting`` does per posting, a block at a time (Whoosh 2.7.4)."""
    limit = pw._blocklimit
    for start in range(0, len(docnums), limit):
        if start:
            pw._write_block()  # writes the full block and starts a new one
        end = start + limit
        chunk = weights[start:end]
        pw._ids = docnums[start:end]
        pw._weights = array("f", chunk)
        pw._values = [v for v in values[start:end] if v]
        pw._maxweight = max(0, max(chunk))
        found = [n for n in map(lengths.get, pw._ids) if n]
        pw._minlength = min(found) if found else None
        pw._maxlength = max(found) if found else 0


# --- the writer -------------------------------------------------------------------------


class FastSegmentWriter(SegmentWriter):
    """A ``SegmentWriter`` that groups new postings by term in memory.

    Whoosh's writer sends every posting through a sorting pool as a tuple and,
    at commit, looks each posting's field length up in the length column just
    written.  Documents are numbered in order, so postings grouped per field
    and term are already sorted: this writer keeps them so, remembers the
    lengths it stores, and writes the segment without the sort and lookups.
    The files written are the same.

    Beyond ``limitmb`` of buffered postings, or when the commit merges other
    segments in (their postings come through the pool), it hands everything to
    Whoosh's pool and commits the stock way.
    """

    def __init__(self, ix: Any, **kwargs: Any) -> None:
        super().__init__(ix, **kwargs)
        self._limit = kwargs.get("limitmb", 128) * 1024 * 1024
        self._size = 0
        #: fieldname → term bytes → [docnums, weights, values]
        self._grouped: dict[str, dict[bytes, list[list]]] = {}
        #: fieldname → docnum → field length as the length column returns it
        self._doclengths: dict[str, dict[int, int | None]] = {}
        self._spilled = False
        schema = self.schema
        self._fast = not any(
            schema[name].vector or schema[name].separate_spelling() for name in schema.names())

    def add_document(self, **fields_: Any) -> None:
        if not self._fast:
            super().add_document(**fields_)
            return
        self._check_state()
        perdocwriter = self.perdocwriter
        schema = self.schema
        docnum = self.docnum
        grouped = self._grouped
        docboost = self._doc_boost(fields_)
        fieldnames = sorted([name for name in fields_ if not name.startswith("_")])
        self._check_fields(schema, fieldnames)

        perdocwriter.start_doc(docnum)
        size = 0
        for fieldname in fieldnames:
            value = fields_.get(fieldname)
            if value is None:
                continue
            field = schema[fieldname]
            length = 0
            if field.indexed:
                fieldboost = self._field_boost(fields_, fieldname, docboost)
                scorable = field.scorable
                terms = grouped.get(fieldname)
                if terms is None:
                    terms = grouped[fieldname] = {}
                for tbytes, freq, weight, vbytes in field.index(value):
                    weight *= fieldboost
                    if scorable:
                        length += freq
                    postings = terms.get(tbytes)
                    if postings is None:
                        terms[tbytes] = [array("I", (docnum,)), [weight], [vbytes]]
                        size += 120 + len(tbytes) + len(vbytes or b"")
                    else:
                        postings[0].append(docnum)
                        postings[1].append(weight)
                        postings[2].append(vbytes)
                        size += 50 + len(vbytes or b"")
                if length:
                    lbyte = length_to_byte(length)
                    self._doclengths.setdefault(fieldname, {})[docnum] = (
                        byte_to_length(lbyte) if lbyte else None)

            customval = fields_.get(f"_stored_{fieldname}", value)
            perdocwriter.add_field(fieldname, field, customval if field.stored else None, length)
            column = field.column_type
            if column and customval is not None:
                perdocwriter.add_column_value(fieldname, column, field.to_column_value(customval))

        perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1
        self._size += size
        if self._size > self._limit:
            self._spill()

    def _spill(self) -> None:
        """Move the grouped postings into Whoosh's pool (which sorts and spills runs)."""
        add = self.pool.add
        for fieldname in sorted(self._grouped):
            terms = self._grouped[fieldname]
            for tbytes in sorted(terms):
                docnums, weights, values = terms[tbytes]
                for docnum, weight, vbytes in zip(docnums, weights, values, strict=True):
                    add((fieldname, tbytes, docnum, weight, vbytes))
        self._grouped = {}
        self._size = 0
        self._spilled = True

    def _flush_segment(self) -> None:
        pool = self.pool
        if self._spilled or pool.current or pool.runs:
            self._spill()
            super()._flush_segment()
            return
        self.perdocwriter.close()
        fw = self.fieldwriter
        schema = self.schema
        for fieldname in sorted(self._grouped):
            terms = self._grouped[fieldname]
            if not terms:
                continue
            lengths = self._doclengths.get(fieldname, {})
            fw.start_field(fieldname, schema[fieldname])
            pw = fw._postwriter
            blocks = type(pw) is W3PostingsWriter and not pw._byteids
            add = fw.add
            for tbytes in sorted(terms):
                docnums, weights, values = terms[tbytes]
                fw.start_term(tbytes)
                if blocks:
                    _fill_blocks(pw, docnums, weights, values, lengths)
                else:
                    for docnum, weight, vbytes in zip(docnums, weights, values, strict=True):
                        add(docnum, weight, b"" if vbytes is None else vbytes,
                            lengths.get(docnum, 0))
                fw.finish_term()
            fw.finish_field()
        self._grouped = {}
        fw.close()
