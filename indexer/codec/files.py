"""Whoosh's index files outside the segments: the table of contents and its clean-up."""

from __future__ import annotations

from typing import Any

from whoosh import index as whoosh_index
from whoosh.index import TOC, clean_files

#: The index name Whoosh gives its files by default (``_MAIN_<n>.toc``, ``MAIN_*.seg``).
INDEX_NAME = whoosh_index._DEF_INDEX_NAME


def clean_unreferenced(storage: Any) -> None:
    """What Whoosh does after each commit: remove segment files no TOC names, and
    older TOCs.  Nothing when no TOC is readable (nothing is known to be unreferenced)."""
    try:
        toc = TOC.read(storage, INDEX_NAME)
    except Exception:
        return
    clean_files(storage, INDEX_NAME, toc.generation, toc.segments)
