"""Documents → chunks: postings grouped by field and term, ready for the segment writer.

``ChunkBuilder`` turns Whoosh documents (``add_document`` keywords) into a
``Chunk``: postings grouped by field and term, field lengths, column values and
the compressed stored fields of consecutive documents, all as Whoosh's
``TEXT.index`` and ``SegmentWriter`` would compute them.  It runs in the
writer's process or, for large runs, in worker processes (``indexer.workers``).
"""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import chain
from operator import itemgetter
from pickle import dumps
from typing import Any

from whoosh import formats
from whoosh.analysis import (
    CompositeAnalyzer,
    IDTokenizer,
    LowercaseFilter,
    RegexTokenizer,
)
from whoosh.codec.whoosh3 import (
    STORED_COLUMN,
)
from whoosh.fields import UnknownFieldError
from whoosh.system import pack_uint

from indexer.codec.blocks import deflate
from indexer.codec.values import _SINGLE_PICKLED, pickled_bytes, pickled_positions, values_pickled
from indexer.names.analysis import NameKeyText
from indexer.words import BilingualText, WordAnalysis, regex_tokens

_FIRST = itemgetter(0)




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
        self._plans: dict[str, tuple[Callable[..., int], Any]] = {}
        self._stored_level = STORED_COLUMN._child._level

    def __len__(self) -> int:
        return len(self.docs)

    def _plan_for(self, fieldname: str, fieldobj: Any) -> tuple[Callable[..., int], Any]:
        """How a field's values are indexed: the ``_index_*`` method and what it needs."""
        plan = self._plans.get(fieldname)
        if plan is None:
            if isinstance(fieldobj, (BilingualText, NameKeyText)) and \
                    (analysis := fieldobj.word_analysis()):
                plan = (self._index_text, analysis)
            elif (keyword := _keyword_plan(fieldobj)) is not None:
                plan = (self._index_keyword, keyword)
            elif (whole := _whole_value_plan(fieldobj)) is not None:
                plan = (self._index_whole, whole)
            else:
                plan = (self._index_generic, None)
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
        The field's plan (``_plan_for``) picks the way; values that are not
        text take the field's own ``index``.
        """
        index, plan = self._plan_for(fieldname, fieldobj)
        if not isinstance(value, str):
            index = self._index_generic
        length = index(fieldname, fieldobj, plan, value, boost, docnum)
        return length if fieldobj.scorable else 0

    def _index_text(self, fieldname: str, fieldobj: Any, analysis: WordAnalysis, value: str,
                    boost: float, docnum: int) -> int:
        """A ``BilingualText`` value: its terms' positions, from the word analysis."""
        fb = fieldobj.format.field_boost
        groups = self._text.setdefault(fieldname, {})
        single = _SINGLE_PICKLED.get
        one = _weight(1, fb, boost)
        length = 0
        for term, plist in analysis.term_positions(value).items():
            n = len(plist)
            length += n
            if n == 1:
                posting = (docnum, one, single(plist[0]) or pickled_positions(plist))
            else:
                posting = (docnum, _weight(n, fb, boost), pickled_positions(plist))
            _append(groups, term, posting)
        return length

    def _index_keyword(self, fieldname: str, fieldobj: Any, plan: tuple[Any, bool],
                       value: str, boost: float, docnum: int) -> int:
        """A ``KEYWORD`` value: its tokens counted, frequencies as the values."""
        expression, lowercase = plan
        if expression.pattern == _SPACE_SEPARATED:
            if lowercase:
                # Case mappings neither make nor take away whitespace.
                value = value.lower()
            tokens = (value.split(" ") if value else []) if _single_spaced(value) \
                else regex_tokens(expression, value)
        else:
            tokens = regex_tokens(expression, value)
            if lowercase:
                tokens = [t.lower() for t in tokens]
        fb = fieldobj.format.field_boost
        groups = self._text.setdefault(fieldname, {})
        # Words occur once each in the vocabulary field: one posting for all.
        once = (docnum, _weight(1, fb, boost), pack_uint(1))
        length = 0
        for term, n in Counter(tokens).items():
            length += n
            posting = once if n == 1 else (docnum, _weight(n, fb, boost), pack_uint(n))
            _append(groups, term, posting)
        return length

    def _index_whole(self, fieldname: str, fieldobj: Any, lowercase: bool, value: str,
                     boost: float, docnum: int) -> int:
        """One term, the value itself: an ID field."""
        term = value.lower() if lowercase else value
        weight = fieldobj.format.field_boost * boost
        self._bytes.setdefault(fieldname, {}).setdefault(term.encode("utf-8"), []).extend(
            (docnum, weight, b""))
        return 1

    def _index_generic(self, fieldname: str, fieldobj: Any, plan: None, value: Any,
                       boost: float, docnum: int) -> int:
        """Any other field or value: the field's own ``index``."""
        groups = self._bytes.setdefault(fieldname, {})
        length = 0
        for tbytes, freq, weight, vbytes in fieldobj.index(value):
            length += freq
            groups.setdefault(tbytes, []).extend((docnum, weight * boost, vbytes))
        return length

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


def _weight(n: int, field_boost: float, boost: float) -> float:
    """A posting's weight as Whoosh computes it: frequency × field boost × document boost."""
    weight = float(n) * field_boost
    return weight * boost if boost != 1.0 else weight


def _append(groups: dict[str, list], term: str, posting: tuple) -> None:
    """Add one posting to its term's flat list of postings."""
    rows = groups.get(term)
    if rows is None:
        groups[term] = [*posting]
    else:
        rows += posting
