"""The application's one long-lived ``search.Archive``.

It is opened lazily, on the first request that needs it, so the application
starts without an index (requests then get a 503 saying how to build one) and
picks the index up as soon as it exists, without a restart.
"""

from __future__ import annotations

import threading
from pathlib import Path

from flask import Flask, current_app

from indexer.location import index_root

EXTENSION = "pressroom.archive"


class ArchiveHolder:
    def __init__(self, root: Path) -> None:
        self.root = root
        self._archive = None
        self._lock = threading.Lock()

    def get(self):  # -> search.Archive
        if self._archive is None:
            with self._lock:
                if self._archive is None:
                    from search import Archive

                    # Archive() raises IndexNotFound when there is no index;
                    # nothing is cached then, so the next request tries again.
                    self._archive = Archive(self.root)
        return self._archive


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION] = ArchiveHolder(index_root(app.config["INDEX"]))


def current_archive():  # -> search.Archive
    return current_app.extensions[EXTENSION].get()


def current_root() -> Path:
    return current_app.extensions[EXTENSION].root
