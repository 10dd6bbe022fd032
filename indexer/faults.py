"""Named crash points: deterministic fault injection for the crash-safety tests.

The writer's code path calls ``crash_point("name")`` at the moments a kill
could hurt most (see ``POINTS``).  When the environment variable
``PRESSROOM_CRASH_AT`` names a point, the process kills itself with SIGKILL
exactly there, the way SQLite's and Lucene's test suites fail a write on
purpose; a test then checks what the next reader and writer find.

``PRESSROOM_CRASH_AT=before_toc`` kills at the first time ``before_toc`` is
reached, ``documents:3`` at the third; several points may be given, comma
separated.  The variable is read once, at import: unset, ``crash_point`` is
one test of an empty dict, which production never notices.
"""

from __future__ import annotations

import os
import signal

ENV = "PRESSROOM_CRASH_AT"

#: Every crash point, with the moment it marks (tests walk this list).
POINTS: dict[str, str] = {
    "parsed": "the inputs are parsed (or the stored releases read); nothing is written yet",
    "writer_open": "the index writer is open and holds both locks; nothing is written yet",
    "documents": "a document (or a chunk from the workers) went to the writer; more follow",
    "ingest": "API ingest: a document went to the writer; more follow",
    "retag": "retag: a re-tagged document went to the writer; more follow",
    "mid_postings": "the commit wrote one field's postings; other fields follow",
    "before_toc": "the new segment's files are written; the TOC that names them is not",
    "after_toc": "the new TOC is in place; the locks are not released yet",
    "before_swap": "rebuild: the new generation is complete; CURRENT still names the old one",
    "after_swap": "rebuild: CURRENT names the new generation; old ones are not cleared yet",
}


class FaultSpecError(ValueError):
    """``PRESSROOM_CRASH_AT`` names a point that does not exist or a bad count."""


def parse(spec: str | None) -> dict[str, int]:
    """``"a,b:3"`` → {"a": 1, "b": 3}: the point and the time it kills at."""
    armed: dict[str, int] = {}
    for item in (spec or "").split(","):
        item = item.strip()
        if not item:
            continue
        name, _, count = item.partition(":")
        if name not in POINTS:
            raise FaultSpecError(f"{ENV}: no crash point {name!r}; the points: "
                                 + ", ".join(POINTS))
        try:
            nth = int(count) if count else 1
        except ValueError:
            nth = 0
        if nth < 1:
            raise FaultSpecError(f"{ENV}: {item!r}: the count must be a positive integer")
        armed[name] = nth
    return armed


_ARMED: dict[str, int] = parse(os.environ.get(ENV))
_REACHED: dict[str, int] = {}


def crash_point(name: str) -> None:
    """Die by SIGKILL here when ``PRESSROOM_CRASH_AT`` asks for this point (and count)."""
    if _ARMED and name in _ARMED:
        _reach(name)


def _reach(name: str) -> None:
    count = _REACHED[name] = _REACHED.get(name, 0) + 1
    if count == _ARMED[name]:
        os.kill(os.getpid(), signal.SIGKILL)
