"""The codec: the only code that knows Whoosh 2.7.4's private on-disk format.

Everything else in Pressroom talks to Whoosh through its public API, and asks
this package for the fast readers and the segment writer:

* ``indexer.codec.readers``: a term's postings (document numbers and weights),
  its occurrences (for phrases), a field's lengths and a document's stored
  fields, read block by block from Whoosh's files;
* ``indexer.codec.chunks``: documents → chunks of postings grouped by term,
  values already in Whoosh's pickled form;
* ``indexer.codec.writer``: ``FastSegmentWriter``, a ``SegmentWriter`` that
  takes those chunks.

Each of them checks ``fast()`` and, when it says no, takes stock Whoosh's own
path: on any Whoosh other than the one whose private format this package was
written against (``WHOOSH_VERSION``), and when the setting ``PRESSROOM_CODEC``
is ``stock``.  Both paths write and read the same indexes (tests run both).

This ``__init__`` imports nothing heavy: the search side loads the readers only.
"""

from __future__ import annotations

import os
from functools import lru_cache

import whoosh

from indexer.settings import SETTINGS, setting

#: The Whoosh whose private attributes and file layout the fast paths use.
WHOOSH_VERSION = (2, 7, 4)
#: ``PRESSROOM_CODEC`` values.
CODECS = ("fast", "stock")


def fast() -> bool:
    """Whether the fast readers and writer may be used (else stock Whoosh's paths)."""
    # Asked for every hit shown: the answer is remembered per value of the setting,
    # which tests and operators change through the environment.
    return _fast_with(os.environ.get(SETTINGS["CODEC"].env), whoosh.__version__)


@lru_cache(maxsize=8)
def _fast_with(raw: str | None, version: tuple) -> bool:
    """``fast()`` for the setting's raw value in the environment (the key it is
    remembered by) and a Whoosh version."""
    if tuple(version) != WHOOSH_VERSION:
        return False
    wanted = str(setting("CODEC")).strip().lower()
    if wanted not in CODECS:
        raise ValueError(f"PRESSROOM_CODEC must be one of {', '.join(CODECS)}, not {wanted!r}")
    return wanted == "fast"
