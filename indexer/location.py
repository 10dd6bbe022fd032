"""Where the live index is: the read side of the index layout.

``<root>/CURRENT`` names the live generation folder (``gen-000003``) holding a
Whoosh index.  ``rebuild`` writes a new generation and replaces CURRENT
atomically; a plain Whoosh index directly in ``<root>`` is accepted too.
"""

from __future__ import annotations

from pathlib import Path

from whoosh import index as whoosh_index

from indexer.settings import setting

CURRENT = "CURRENT"


class IndexNotFound(Exception):
    """There is no index at the given place yet."""


def index_root(value: str | Path | None = None) -> Path:
    """The index root: the given value, else $PRESSROOM_INDEX, else ``index``."""
    return Path(value if value else setting("INDEX"))


def live_index_dir(root: str | Path) -> Path:
    root = Path(root)
    pointer = root / CURRENT
    try:
        name = pointer.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        name = ""
    candidates = ([root / name] if name else []) + [root]
    for candidate in candidates:
        if candidate.is_dir() and whoosh_index.exists_in(str(candidate)):
            return candidate
    raise IndexNotFound(
        f"no index at {root}: build one with `pressroom index --index {root} PATH` "
        f"(or `make run` for the sample corpus)"
    )

