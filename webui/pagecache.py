"""Finished search pages (and the health check), kept per worker for repeated requests.

A page is keyed on ``Archive.version()`` (the generation folder and the commit
a search would see now), the path its links point to and the normalized
``SearchRequest``.  A commit or a rebuild changes the version, so a page built
before it is never served after it; such pages are simply never asked for
again and age out of the LRU.

The page dict carries every label in both languages, and the template picks
one when it renders; but an HTML page's hits show the version in the interface
language (``prefer``), so that language is part of the key of HTML pages.

Pages are kept as their JSON text (UTF-8 bytes): the API sends it as is, a
page dict takes several times its JSON size in Python objects, and bytes
cannot be changed by one request under another's feet.  A page served from the
cache reports the ``took_ms`` of the search that built it.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app

from search import SearchRequest
from webui import contexts
from webui.archive import current_archive

EXTENSION = "pressroom.pagecache"


@dataclass
class PageCache:
    """A thread-safe LRU of page bodies; ``capacity`` 0 keeps nothing."""

    capacity: int
    hits: int = 0
    misses: int = 0
    _pages: OrderedDict[Hashable, bytes] = field(default_factory=OrderedDict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def enabled(self) -> bool:
        return self.capacity > 0

    def get(self, key: Hashable) -> bytes | None:
        with self._lock:
            body = self._pages.get(key)
            if body is None:
                self.misses += 1
                return None
            self._pages.move_to_end(key)
            self.hits += 1
            return body

    def put(self, key: Hashable, body: bytes) -> None:
        if not self.enabled:
            return
        with self._lock:
            self._pages[key] = body
            self._pages.move_to_end(key)
            while len(self._pages) > self.capacity:
                self._pages.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()
            self.hits = self.misses = 0

    def __len__(self) -> int:
        with self._lock:
            return len(self._pages)


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION] = PageCache(int(app.config["PAGE_CACHE_SIZE"]))


def current_page_cache() -> PageCache:
    return current_app.extensions[EXTENSION]


def dumps(page: dict[str, Any]) -> bytes:
    # What jsonify sends: the app's JSON settings (key order, Russian unescaped).
    return (current_app.json.dumps(page) + "\n").encode("utf-8")


def cached_json(key: tuple[Hashable, ...], build: Callable[[], dict[str, Any]]) -> bytes:
    """The JSON of ``build()``, kept under the archive's version and ``key``."""
    cache = current_page_cache()
    if not cache.enabled:
        return dumps(build())
    # The version is read before the page is built, so a page is never older
    # than its key: a commit landing in between makes it newer, not stale.
    full_key = (current_archive().version(), *key)
    body = cache.get(full_key)
    if body is None:
        page = build()
        body = dumps(page)
        # A page cut short by the time limit is not kept: with time, the next
        # request for it may find it whole.
        if not page.get("partial"):
            cache.put(full_key, body)
    return body


def search_json(params: Mapping[str, Any], base: str, prefer: str | None = None) -> bytes:
    """The search page for ``params`` (links pointing to ``base``) as JSON; ``prefer``:
    the interface language whose versions the hits show (pages only)."""
    if not current_page_cache().enabled:
        return dumps(contexts.search_context(params, base, prefer))
    # Invalid parameters raise QueryError here (a 400), before anything is kept.
    req = SearchRequest.from_params(params)
    return cached_json((base, req, prefer),
                       lambda: contexts.search_context(params, base, prefer))


def search_page(params: Mapping[str, Any], base: str, prefer: str | None = None
                ) -> dict[str, Any]:
    """The search page dict for the HTML views; a fresh copy each call."""
    if not current_page_cache().enabled:
        return contexts.search_context(params, base, prefer)
    return json.loads(search_json(params, base, prefer))
