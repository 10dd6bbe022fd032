"""The application's one long-lived ``search.Archive``.

Made with the application: an ``Archive`` opens nothing until its first search,
so the application starts without an index (requests then get a 503 saying how
to build one) and picks the index up as soon as it exists, without a restart.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app

from indexer.location import index_root
from search import Archive

EXTENSION = "pressroom.archive"


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION] = Archive(index_root(app.config["INDEX"]))


def current_archive() -> Archive:
    return current_app.extensions[EXTENSION]


def current_root() -> Path:
    return current_app.extensions[EXTENSION].root
