"""One fetch run over a source: list its release pages, fetch what is new or changed,
index it in one commit, remember what was seen.

What a run does, per source:

1. The source's own URL (feed, sitemap, listing page) is requested
   conditionally.  A 304 means the list is as last time: the page URLs the
   ledger remembers for the source are used.
2. Each release page is requested conditionally (ETag, Last-Modified from the
   ledger).  A 304, or a 200 whose bytes hash as last time, is unchanged and
   not parsed again; anything else goes through the HTML reader.
3. The new and changed releases go in with one ``Store.add_releases`` (one
   commit, logged as ``fetch``).  Only then does the ledger remember the pages:
   a run that fails to commit is repeated in full next time.

A page that fails (HTTP error, timeout, too large, unreadable) is a failure of
the run with its URL and reason; the others go in.  A page robots.txt forbids
is skipped with a note.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from indexer.fetching.client import Disallowed, FetchError, PoliteClient
from indexer.fetching.sources import (
    Source,
    SourceError,
    feed_links,
    listing_links,
    sitemap_links,
)
from indexer.inputs.sources import Failure, parse_bytes
from indexer.ledger import Ledger, SeenPage, now_text
from indexer.release import Release, ReleaseError
from indexer.store import Store, Summary

log = logging.getLogger(__name__)

#: Status names remembered in the ledger.
UNCHANGED, CHANGED, FAILED, ROBOTS = "unchanged", "changed", "failed", "robots"
#: The status of a list page (feed, sitemap, listing); its release_id holds the
#: page URLs it listed, one a line.
LIST = "list"


@dataclass
class Fetched:
    """One page's outcome in a run, before the commit."""

    page: SeenPage
    releases: list[Release] = field(default_factory=list)


class Fetcher:
    def __init__(self, store: Store, client: PoliteClient, ledger: Ledger | None = None) -> None:
        self.store = store
        self.client = client
        self.ledger = ledger or Ledger(store.root)
        self._validators: dict[str, tuple[str | None, str | None]] = {}

    def run(self, source: Source) -> Summary:
        started = time.monotonic()
        summary = Summary()
        try:
            urls = self.page_urls(source, summary)
        except (FetchError, SourceError) as exc:
            summary.failed.append(Failure(source.url, str(exc)))
            summary.seconds = time.monotonic() - started
            return summary
        outcomes = [self.fetch_page(source, url, summary) for url in urls]
        releases = [r for o in outcomes for r in o.releases]
        if releases:
            self.store.actor, self.store.origin = "fetch", f"{source.name} {source.url}"
            written = self.store.add_releases(releases)
            summary.added, summary.updated = written.added, written.updated
            summary.unchanged += written.unchanged
            summary.failed += written.failed
        try:
            for outcome in outcomes:
                self.ledger.remember(outcome.page)
        except (sqlite3.Error, OSError) as exc:
            # The releases are committed; the next run only asks for more pages again.
            log.warning("the ledger could not remember the pages of %s: %s", source.name, exc)
            summary.notes.append(f"the ledger could not remember this run's pages: {exc}")
        summary.seconds = time.monotonic() - started
        return summary

    # -- the list of pages -------------------------------------------------

    def page_urls(self, source: Source, summary: Summary) -> list[str]:
        """The release pages the source lists now (or, unchanged, listed last time)."""
        if source.kind == "sitemap":
            return self._sitemap(source, source.url, summary, nested=True)
        urls: list[str] = []
        next_url: str | None = source.url
        pages = 0
        while next_url and pages < source.max_pages:
            url, pages = next_url, pages + 1
            body = self._list_page(source, url)
            if body is None:  # as last time: its pages, and on to the next list page
                found, next_url = self._remembered(source, url)
            else:
                if source.kind == "feed":
                    found, next_url = feed_links(body, url), None
                else:
                    found, next_url = listing_links(body, url, source.links, source.next)
                self._remember_list(source, url, found, next_url)
            urls += found
        return list(dict.fromkeys(urls))

    def _sitemap(self, source: Source, url: str, summary: Summary, nested: bool) -> list[str]:
        body = self._list_page(source, url)
        if body is None:
            return self._remembered(source, url)[0]
        pages, children = sitemap_links(body)
        for child in children if nested else []:
            try:
                pages += self._sitemap(source, child, summary, nested=False)
            except (FetchError, SourceError) as exc:
                summary.failed.append(Failure(child, str(exc)))
        self._remember_list(source, url, pages)
        return list(dict.fromkeys(pages))

    def _list_page(self, source: Source, url: str) -> bytes | None:
        """The body of a list page, or None when it did not change (304)."""
        seen = self.ledger.seen(source.name, url)
        response = self.client.get(url, seen and seen.etag, seen and seen.last_modified)
        if response.not_modified:
            return None
        self._validators[url] = (response.headers.get("etag"),
                                 response.headers.get("last-modified"))
        return response.body

    def _remember_list(self, source: Source, url: str, found: list[str],
                       next_url: str | None = None) -> None:
        """A list page's validators, with the page URLs it listed (and the next list
        page, on a line ``next URL``): after a 304, those are what it lists."""
        page = self.ledger.seen(source.name, url) or SeenPage(source.name, url)
        page.etag, page.last_modified = self._validators.pop(url, (None, None))
        page.release_id = "\n".join(found + ([f"next {next_url}"] if next_url else []))
        page.status = LIST
        self.ledger.remember(page)

    def _remembered(self, source: Source, url: str) -> tuple[list[str], str | None]:
        """(page URLs, next list page) a list page held last time."""
        seen = self.ledger.seen(source.name, url)
        lines = seen.release_id.split("\n") if seen and seen.release_id else []
        following = [line[5:] for line in lines if line.startswith("next ")]
        return ([line for line in lines if not line.startswith("next ")],
                following[0] if following else None)

    # -- one release page --------------------------------------------------

    def fetch_page(self, source: Source, url: str, summary: Summary) -> Fetched:
        seen = self.ledger.seen(source.name, url) or SeenPage(source.name, url)
        try:
            response = self.client.get(url, seen.etag, seen.last_modified)
        except Disallowed as exc:
            summary.notes.append(f"skipped {url}: {exc}")
            seen.status = ROBOTS
            return Fetched(seen)
        except FetchError as exc:
            return self._failed(summary, seen, url, str(exc))
        if response.not_modified:
            summary.unchanged += 1
            seen.status = UNCHANGED
            return Fetched(seen)
        digest = hashlib.sha256(response.body).hexdigest()
        seen.etag = response.headers.get("etag")
        seen.last_modified = response.headers.get("last-modified")
        if digest == seen.content_hash and seen.status != FAILED:
            summary.unchanged += 1
            seen.status = UNCHANGED
            return Fetched(seen)
        try:
            releases = parse_bytes(response.body, _page_name(url, response.headers))
        except ReleaseError as exc:
            return self._failed(summary, seen, url, str(exc) or "unreadable")
        except Exception as exc:  # a reader bug must not stop the run
            return self._failed(summary, seen, url, f"cannot parse: {type(exc).__name__}: {exc}")
        for release in releases:
            release.source = url
        seen.content_hash = digest
        seen.release_id = ",".join(r.id for r in releases)
        seen.status = CHANGED
        seen.last_changed = now_text()
        return Fetched(seen, releases)

    @staticmethod
    def _failed(summary: Summary, seen: SeenPage, url: str, reason: str) -> Fetched:
        summary.failed.append(Failure(url, reason))
        seen.status = FAILED
        # Validators forgotten: the next run asks for the whole page again.
        seen.etag = seen.last_modified = None
        return Fetched(seen)


def _page_name(url: str, headers: dict[str, str]) -> str:
    """A file name for the reader's format guess: HTML unless the server says JSON."""
    kind = headers.get("content-type", "").split(";")[0].strip().lower()
    if kind in ("application/json", "application/x-ndjson"):
        return "page.json"
    if kind in ("text/plain",):
        return "page.txt"
    path = urlsplit(url).path
    return "page.html" if not path.endswith((".txt", ".json")) else path
