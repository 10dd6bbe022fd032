"""Fast indexing: what Whoosh would index, computed with less Python per token.

Three parts, each checked against Whoosh's own code by ``tests/test_fastindex.py``:

* ``BilingualText``, a ``whoosh.fields.TEXT`` whose ``index`` analyzes each
  distinct word once.  Whoosh runs the analyzer's chain of six filters on every
  token, though every filter but the stop filter's renumbering and the compound
  splitter's position offset works on one word at a time.  This field runs its
  own analyzer on each new word alone, remembers the terms at each position
  relative to the word (or that it is a stop word), and replays that per
  occurrence with the two cross-word rules applied.
* ``ChunkBuilder``, which turns Whoosh documents (``add_document`` keywords)
  into a ``Chunk``: postings grouped by field and term, field lengths, column
  values and the compressed stored fields of consecutive documents.  It runs in
  the writer's process or, for large runs, in worker processes
  (``indexer.workers``).
* ``FastSegmentWriter``, a ``SegmentWriter`` that takes chunks.  Documents are
  numbered in order, so postings grouped per term are already sorted: instead
  of sending every posting through Whoosh's sorting pool as a tuple, it encodes
  each term's full posting blocks as soon as they fill, keeps the compressed
  blocks (on disk past ``limitmb``) and writes every term at commit.

Terms, positions, frequencies, weights, field lengths, block boundaries, stored
fields and columns are those of Whoosh's ``TEXT.index`` and ``SegmentWriter``.
Some encodings differ, all read by Whoosh's own reader: posting blocks are
pickled with protocol 3, which writes the position values as bytes (protocol 2
sends every bytes object through ``codecs.encode``: 5x slower, a third larger
and slower to read back), their values arrive pickled already and are not
memoized; blocks under ``MIN_COMPRESSED`` bytes are stored uncompressed, as
``W3PostingsWriter`` means to for tiny ones (its "< 20 bytes" test is
overwritten by the line after it); and zlib's window is sized to the data.

Whoosh pickles the schema into every index: the import path
``indexer.fastindex.BilingualText`` is public API.
"""

from __future__ import annotations

import os
import tempfile
import threading
import zlib
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from itertools import chain, groupby
from operator import itemgetter, sub
from pickle import dumps
from typing import Any

from whoosh import fields, formats
from whoosh.analysis import (
    CompositeAnalyzer,
    IDTokenizer,
    LowercaseFilter,
    RegexTokenizer,
    StopFilter,
)
from whoosh.codec.whoosh3 import (
    STORED_COLUMN,
    WHOOSH3_HEADER_MAGIC,
    W3Codec,
    W3FieldWriter,
    W3PerDocWriter,
    W3TermInfo,
)
from whoosh.columns import CompressedBytesColumn, PickleColumn, VarBytesColumn
from whoosh.fields import UnknownFieldError
from whoosh.system import pack_int, pack_long, pack_uint, pack_uint_le, pack_ushort
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import SegmentWriter

from indexer.analysis import (
    CACHE_SIZE,
    RECENT_TEXTS,
    TOKEN_PATTERN,
    BilingualMorphFilter,
    CompoundSplitFilter,
    NormalizeFilter,
    PlainFoldFilter,
    YoFoldFilter,
    tokenize,
)
from indexer.faults import crash_point

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

#: Pickle protocol of posting blocks: 3 writes bytes values as bytes.
BLOCK_PROTOCOL = 3
_PROTOCOL_HEAD = bytes((0x80, BLOCK_PROTOCOL))
#: Pickled blocks shorter than this stay uncompressed: zlib saves them a few
#: dozen bytes, for more time than encoding the rest of the block (and a
#: decompression at every read).
MIN_COMPRESSED = 256
#: Documents the writer's own ``add_document`` collects before grouping them
#: into its segment, like a chunk from a worker.
LOCAL_CHUNK = 256
#: Terms whose last blocks go to a worker process together at commit.
TAIL_BATCH = 4000
#: Bytes a pending (not yet encoded) posting is counted for against ``limitmb``.
PENDING_POSTING_BYTES = 64

_FIRST = itemgetter(0)


def _plan(analyzer: Any) -> tuple[Callable[[str], Sequence[str]], bool] | None:
    """(tokenizing function, renumber) when ``analyzer`` can take the fast path, else None."""
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
    expression = items[0].expression
    if (expression.pattern, expression.flags) == (TOKEN_PATTERN.pattern, TOKEN_PATTERN.flags):
        # The topic tagger and the vocabulary field tokenize the same texts.
        return tokenize, renumber
    return partial(_tokens, expression), renumber


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


def _tokens(expression: Any, value: str) -> list[str]:
    """The tokenizer's matches, as ``RegexTokenizer`` (gaps=False) yields them."""
    if expression.groups:
        return [m.group() for m in expression.finditer(value)]
    return expression.findall(value)


class WordAnalysis:
    """An analyzer's results word by word, replayed over whole texts.

    Shared by every field (and the topic tagger) whose analyzer is equal:
    see ``word_analysis``.
    """

    #: Texts whose term positions are remembered: the tagger and the text
    #: fields analyze the same title and body.
    RECENT = RECENT_TEXTS

    def __init__(self, analyzer: Any, tokens_of: Callable[[str], Sequence[str]],
                 renumber: bool) -> None:
        self.analyzer = analyzer
        self.tokens_of = tokens_of
        self.renumber = renumber
        self._reset()
        self.recent: dict[str, dict[str, list[int]]] = {}
        # Writers in threads (the ingest endpoint) share the caches.
        self._lock = threading.Lock()

    def _reset(self) -> None:
        #: word → ((position relative to the word, term), ...) in emission order
        self.entries: dict[str, tuple[tuple[int, str], ...]] = {}
        #: words the analyzer drops (stop words)
        self.stopped: set[str] = set()
        #: words taking more than one position (compounds) → the extra positions
        self.spans: dict[str, int] = {}

    def _learn(self, word: str) -> None:
        emitted = tuple((t.pos, t.text) for t in self.analyzer(word, positions=True, mode="index"))
        if not emitted:
            self.stopped.add(word)
            return
        self.entries[word] = emitted
        extra = max(rel for rel, _ in emitted)
        if extra:
            self.spans[word] = extra

    def term_positions(self, value: str) -> dict[str, list[int]]:
        """Each term of ``value`` with its positions, exactly as the analyzer places
        them.  The result is shared: do not change it."""
        with self._lock:
            recent = self.recent
            found = recent.get(value)
            if found is None:
                found = self._term_positions(value)
                if len(recent) >= self.RECENT:
                    del recent[next(iter(recent))]
                recent[value] = found
            return found

    def _term_positions(self, value: str) -> dict[str, list[int]]:
        if len(self.entries) + len(self.stopped) > CACHE_SIZE:
            self._reset()
        entries, stopped, spans = self.entries, self.stopped, self.spans
        tokens = self.tokens_of(value)
        for word in set(tokens).difference(entries).difference(stopped):
            self._learn(word)

        # Positions of each distinct word.  A renumbering stop filter closes
        # the gaps its stop words leave (otherwise they keep their positions
        # and are skipped below): the positions of the remaining words run on
        # from that of the first one.
        first = 0
        seq = tokens
        if self.renumber and stopped:
            seq = [w for w in tokens if w not in stopped]
            if seq:
                first = next(i for i, w in enumerate(tokens) if w not in stopped)
        by_word: dict[str, list[int]] = {}
        get = by_word.get
        if spans and not spans.keys().isdisjoint(seq):
            # The parts of a compound take positions of their own.
            offset = 0
            extra_for = spans.get
            for i, w in enumerate(seq, first):
                plist = get(w)
                if plist is None:
                    by_word[w] = [i + offset]
                else:
                    plist.append(i + offset)
                extra = extra_for(w)
                if extra:
                    offset += extra
        else:
            for i, w in enumerate(seq, first):
                plist = get(w)
                if plist is None:
                    by_word[w] = [i]
                else:
                    plist.append(i)

        # Words → terms.  Several words may give one term ("agreement",
        # "agreements"); their positions merge in order, as the analyzer
        # emits them.
        positions: dict[str, list[int]] = {}
        merged: list[str] = []
        for w, plist in by_word.items():
            entry = entries.get(w)
            if entry is None:
                continue  # a stop word that kept its position
            for rel, term in entry:
                poses = [p + rel for p in plist] if rel else plist
                known = positions.get(term)
                if known is None:
                    positions[term] = poses
                else:
                    positions[term] = known + poses
                    merged.append(term)
        for term in merged:
            positions[term].sort()
        return positions


#: (analyzer, its WordAnalysis or None), most recent last.  Equal analyzers
#: share one: each index's schema is unpickled into new analyzer objects.
_ANALYSES: list[tuple[Any, WordAnalysis | None]] = []
_MAX_ANALYSES = 16


_ANALYSES_LOCK = threading.Lock()


def word_analysis(analyzer: Any) -> WordAnalysis | None:
    """The shared ``WordAnalysis`` of ``analyzer``; None when it has no fast path."""
    with _ANALYSES_LOCK:
        for known, analysis in reversed(_ANALYSES):
            if known is analyzer:
                return analysis
        analysis = next((a for known, a in reversed(_ANALYSES) if known == analyzer), None)
        if analysis is None:
            plan = _plan(analyzer)
            analysis = WordAnalysis(analyzer, *plan) if plan else None
        _ANALYSES.append((analyzer, analysis))
        del _ANALYSES[:-_MAX_ANALYSES]
        return analysis


class BilingualText(fields.TEXT):
    """A ``whoosh.fields.TEXT`` whose ``index`` analyzes each distinct word once."""

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state.pop("_analysis", None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    def word_analysis(self) -> WordAnalysis | None:
        """The fast path of this field's analyzer, if it has one."""
        analysis = self.__dict__.get("_analysis", False)
        if analysis is False:
            fast = type(self.format) is formats.Positions
            analysis = self._analysis = word_analysis(self.analyzer) if fast else None
        return analysis

    def index(self, value: Any, **kwargs: Any) -> Iterator[tuple[bytes, int, float, bytes]]:
        analysis = self.word_analysis()
        if not isinstance(value, str) or kwargs.get("mode", "index") != "index" or not analysis:
            yield from super().index(value, **kwargs)
            return
        fb = self.format.field_boost
        for term, plist in analysis.term_positions(value).items():
            n = len(plist)
            yield term.encode("utf-8"), n, float(n) * fb, encode_positions(plist)


# --- documents → chunks -----------------------------------------------------------------


@dataclass
class FieldPostings:
    """One field's postings in a chunk, grouped by term: ``counts[i]`` postings of
    ``terms[i]`` follow those of the terms before it in the flat arrays."""

    terms: list[bytes]
    counts: array
    docnums: array
    weights: array
    #: The values one after the other, each as ``pickled_bytes`` gives it in
    #: fields without fixed-size values (a block's pickle then takes them as
    #: they are); no object per value to pickle, unpickle or keep.
    values: bytes
    #: the length of each value in ``values``
    value_lengths: array


@dataclass
class Chunk:
    """Consecutive documents analyzed for ``FastSegmentWriter.add_chunk``.

    ``docs`` holds, per document, its stored fields (pickled and compressed as
    Whoosh's stored column keeps them, or None) and, for each field in name
    order, (name, field length, has a column value, column value).
    """

    start: int
    docs: list[tuple[bytes | None, tuple[tuple[str, int, bool, Any], ...]]]
    postings: dict[str, FieldPostings] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return len(self.docs)


#: The tokenizer of ``whoosh.fields.KEYWORD`` (``SpaceSeparatedTokenizer``).
_SPACE_SEPARATED = r"[^ \t\r\n]+"


def _single_spaced(value: str) -> bool:
    """Whether splitting ``value`` at each space finds the words that
    ``_SPACE_SEPARATED`` matches (as in the vocabulary field Pressroom writes)."""
    return not ("\t" in value or "\n" in value or "\r" in value or "  " in value
                or value.startswith(" ") or value.endswith(" "))


def _whole_value_plan(fieldobj: Any) -> bool | None:
    """Lowercase or not, for an Existence field whose analyzer keeps the whole
    value as its only token (``ID``); else None."""
    if type(fieldobj.format) is not formats.Existence:
        return None
    analyzer = fieldobj.analyzer
    if type(analyzer) is IDTokenizer:
        return False
    if (isinstance(analyzer, CompositeAnalyzer) and len(analyzer.items) == 2
            and type(analyzer.items[0]) is IDTokenizer
            and type(analyzer.items[1]) is LowercaseFilter):
        return True
    return None


def _keyword_plan(fieldobj: Any) -> tuple[Any, bool] | None:
    """(tokenizer regex, lowercase) for a Frequency field tokenized by a plain
    regex (``KEYWORD``'s space-separated words), else None."""
    if type(fieldobj.format) is not formats.Frequency:
        return None
    analyzer = fieldobj.analyzer
    items = analyzer.items if isinstance(analyzer, CompositeAnalyzer) else [analyzer]
    if not items or type(items[0]) is not RegexTokenizer or items[0].gaps:
        return None
    if len(items) == 1:
        return items[0].expression, False
    if len(items) == 2 and type(items[1]) is LowercaseFilter:
        return items[0].expression, True
    return None


class ChunkBuilder:
    """Analyzes Whoosh documents numbered from ``start`` into a ``Chunk``.

    Does for each document what ``SegmentWriter.add_document`` does before
    writing: the same fields, boosts, lengths, stored values and column values.
    """

    def __init__(self, schema: Any, start: int) -> None:
        self.schema = schema
        self.start = start
        self.docnum = start
        self.docs: list[tuple[bytes | None, tuple[tuple[str, int, bool, Any], ...]]] = []
        #: fieldname → term → [(docnum, weight, value), ...]; terms are str on
        #: the fast paths, bytes from ``field.index``.
        self._text: dict[str, dict[str, list[tuple[int, float, bytes]]]] = {}
        self._bytes: dict[str, dict[bytes, list[tuple[int, float, bytes]]]] = {}
        self._plans: dict[str, tuple[str, Any]] = {}
        self._stored_level = STORED_COLUMN._child._level

    def __len__(self) -> int:
        return len(self.docs)

    def _plan_for(self, fieldname: str, fieldobj: Any) -> tuple[str, Any]:
        plan = self._plans.get(fieldname)
        if plan is None:
            if isinstance(fieldobj, BilingualText) and (analysis := fieldobj.word_analysis()):
                plan = ("text", analysis)
            elif (keyword := _keyword_plan(fieldobj)) is not None:
                plan = ("keyword", keyword)
            elif (whole := _whole_value_plan(fieldobj)) is not None:
                plan = ("whole", whole)
            else:
                plan = ("generic", None)
            self._plans[fieldname] = plan
        return plan

    def add(self, doc: dict[str, Any]) -> None:
        schema = self.schema
        docnum = self.docnum
        docboost = float(doc["_boost"]) if "_boost" in doc else 1.0
        fieldnames = sorted([name for name in doc if not name.startswith("_")])
        for name in fieldnames:
            if name not in schema:
                raise UnknownFieldError(f"No field named {name!r} in {schema}")
        stored: dict[str, Any] = {}
        entries = []
        for fieldname in fieldnames:
            value = doc.get(fieldname)
            if value is None:
                continue
            fieldobj = schema[fieldname]
            length = 0
            if fieldobj.indexed:
                boostkw = f"_{fieldname}_boost"
                boost = float(doc[boostkw]) if boostkw in doc else docboost
                length = self._index(fieldname, fieldobj, value, boost, docnum)
            custom = doc.get(f"_stored_{fieldname}", value)
            if fieldobj.stored and custom is not None:
                stored[fieldname] = custom
            if fieldobj.column_type and custom is not None:
                entries.append((fieldname, length, True, fieldobj.to_column_value(custom)))
            elif length:
                entries.append((fieldname, length, False, None))
        # The stored column pickles (protocol 2) and compresses each document's
        # dict of stored values: done here, outside the writer's process.
        blob = deflate(dumps(stored, 2), self._stored_level) if stored else None
        self.docs.append((blob, tuple(entries)))
        self.docnum += 1

    def _index(self, fieldname: str, fieldobj: Any, value: Any, boost: float,
               docnum: int) -> int:
        """Add one field value's postings; return its length (0 if not scorable).

        Each term's postings go in one flat list, docnum, weight, value after
        docnum, weight, value: ``build`` then splits them with three slices.
        """
        kind, plan = self._plan_for(fieldname, fieldobj)
        scorable = fieldobj.scorable
        length = 0
        if kind == "text" and isinstance(value, str):
            fb = fieldobj.format.field_boost
            groups = self._text.setdefault(fieldname, {})
            get = groups.get
            single = _SINGLE_PICKLED.get
            one = 1.0 * fb * boost if boost != 1.0 else 1.0 * fb
            for term, plist in plan.term_positions(value).items():
                n = len(plist)
                if n == 1:
                    length += 1
                    posting = (docnum, one, single(plist[0]) or pickled_positions(plist))
                else:
                    length += n
                    weight = float(n) * fb
                    if boost != 1.0:
                        weight *= boost
                    posting = (docnum, weight, pickled_positions(plist))
                rows = get(term)
                if rows is None:
                    groups[term] = [*posting]
                else:
                    rows += posting
            return length if scorable else 0
        if kind == "keyword" and isinstance(value, str):
            expression, lowercase = plan
            if expression.pattern == _SPACE_SEPARATED:
                if lowercase:
                    # Case mappings neither make nor take away whitespace.
                    value = value.lower()
                tokens = (value.split(" ") if value else []) if _single_spaced(value) \
                    else _tokens(expression, value)
            else:
                tokens = _tokens(expression, value)
                if lowercase:
                    tokens = [t.lower() for t in tokens]
            fb = fieldobj.format.field_boost
            groups = self._text.setdefault(fieldname, {})
            get = groups.get
            # Words occur once each in the vocabulary field: one posting for all.
            once = (docnum, 1.0 * fb * boost if boost != 1.0 else 1.0 * fb, pack_uint(1))
            for term, n in Counter(tokens).items():
                length += n
                if n == 1:
                    posting = once
                else:
                    weight = float(n) * fb
                    if boost != 1.0:
                        weight *= boost
                    posting = (docnum, weight, pack_uint(n))
                rows = get(term)
                if rows is None:
                    groups[term] = [*posting]
                else:
                    rows += posting
            return length if scorable else 0
        if kind == "whole" and isinstance(value, str):
            # One term, the value itself: an ID field.
            term = value.lower() if plan else value
            weight = fieldobj.format.field_boost * boost
            self._bytes.setdefault(fieldname, {}).setdefault(term.encode("utf-8"), []).extend(
                (docnum, weight, b""))
            return 1 if scorable else 0
        groups = self._bytes.setdefault(fieldname, {})
        for tbytes, freq, weight, vbytes in fieldobj.index(value):
            length += freq
            groups.setdefault(tbytes, []).extend((docnum, weight * boost, vbytes))
        return length if scorable else 0

    def build(self) -> Chunk:
        """The chunk of the documents added (the builder is spent)."""
        chunk = Chunk(self.start, self.docs)
        for fieldname in self._text.keys() | self._bytes.keys():
            groups: dict[bytes, list] = self._bytes.get(fieldname, {})
            if groups and values_pickled(self.schema[fieldname]):
                # Values from field.index (the fast path pickles its own).
                for rows in groups.values():
                    rows[2::3] = map(pickled_bytes, rows[2::3])
            for term, rows in self._text.get(fieldname, {}).items():
                tbytes = term.encode("utf-8")
                known = groups.get(tbytes)
                if known is not None:
                    # Both kinds of value in one field (a list given to a
                    # BilingualText): merge in document order.
                    triples = sorted(zip(*[iter(known + rows)] * 3, strict=True), key=_FIRST)
                    rows = list(chain.from_iterable(triples))
                groups[tbytes] = rows
            flat = list(chain.from_iterable(groups.values()))
            values = flat[2::3]
            chunk.postings[fieldname] = FieldPostings(
                list(groups), array("I", [len(rows) // 3 for rows in groups.values()]),
                array("I", flat[0::3]), array("d", flat[1::3]), b"".join(values),
                array("I", map(len, values)))
        self._text, self._bytes = {}, {}
        return chunk


# --- posting blocks ---------------------------------------------------------------------


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


# --- the writer -------------------------------------------------------------------------


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
            type(codec) is W3Codec and codec._inlinelimit <= 1
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
                out.flush()
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
            self.flush()
            self.fw.finish_field()
            self.field = None
            crash_point("mid_postings")

    def reset(self) -> None:
        self.base = self.fw._postfile.tell()

    def flush(self) -> None:
        if self.buffer:
            self.fw._postfile.write(bytes(self.buffer))
            self.base += len(self.buffer)
            self.buffer = bytearray()

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
        fw._tindex.add(pack_ushort(fw._fieldid) + tbytes, infobytes)
        if len(buffer) >= self.FLUSH_BYTES:
            self.flush()

