"""Web sources of releases, and the release pages each lists.

A sources file (TOML, ``$PRESSROOM_SOURCES`` or ``--sources FILE``) lists
sources as ``[[source]]`` tables; a file holding one source may give its keys
at the top level instead::

    [[source]]
    name = "mfa-en"                      # how `pressroom fetch NAME` calls it
    kind = "feed"                        # feed (RSS or Atom) | sitemap | listing
    url = "https://mfa.example.org/en/rss"

    [[source]]
    name = "mfa-ru-archive"
    kind = "listing"
    url = "https://mfa.example.org/ru/press-releases"
    links = "ul.news-list a.title"       # CSS selector of the release links
    next = "a[rel=next]"                 # optional: the next listing page
    max_pages = 5                        # optional: listing pages followed (default 5)
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urldefrag, urljoin

KINDS = ("feed", "sitemap", "listing")
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
#: Sitemaps of a sitemap index followed (a site's index lists a few).
MAX_SITEMAPS = 50


class SourceError(ValueError):
    """A sources file or source that cannot be used; the message says why."""


@dataclass(frozen=True)
class Source:
    name: str
    kind: str
    url: str
    links: str = ""
    next: str = ""
    max_pages: int = 5


def source_from_table(table: dict, where: str) -> Source:
    unknown = set(table) - {"name", "kind", "url", "links", "next", "max_pages"}
    if unknown:
        raise SourceError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    for key in ("name", "kind", "url"):
        if not isinstance(table.get(key), str) or not table[key].strip():
            raise SourceError(f"{where}: `{key}` is required (a string)")
    if table["kind"] not in KINDS:
        raise SourceError(f"{where}: kind must be one of {', '.join(KINDS)}, "
                          f"not {table['kind']!r}")
    if not table["url"].startswith(("http://", "https://")):
        raise SourceError(f"{where}: url must be an http(s) URL")
    if table["kind"] == "listing" and not table.get("links"):
        raise SourceError(f"{where}: a listing needs `links`, the CSS selector of release links")
    max_pages = table.get("max_pages", 5)
    if not isinstance(max_pages, int) or max_pages < 1:
        raise SourceError(f"{where}: max_pages must be a positive integer")
    return Source(table["name"], table["kind"], table["url"], table.get("links", ""),
                  table.get("next", ""), max_pages)


def load_sources(path: str | Path) -> list[Source]:
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SourceError(f"cannot read the sources file {path}: {exc.strerror}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SourceError(f"{path}: not valid TOML: {exc}") from None
    tables = data.get("source", [data] if "url" in data else [])
    if not isinstance(tables, list) or not tables:
        raise SourceError(f"{path}: no [[source]] table")
    sources = [source_from_table(t, f"{path}: source {i + 1}") for i, t in enumerate(tables)]
    names = [s.name for s in sources]
    if len(set(names)) != len(names):
        raise SourceError(f"{path}: two sources have the same name")
    return sources


def find_source(spec: str, config: str | Path | None) -> Source:
    """A source by name in the sources file, or the one source of a TOML file."""
    candidate = Path(spec)
    if candidate.suffix == ".toml" and candidate.is_file():
        found = load_sources(candidate)
        if len(found) != 1:
            raise SourceError(f"{spec}: holds {len(found)} sources; name one with --sources")
        return found[0]
    if config is None or not Path(config).is_file():
        raise SourceError(f"no source {spec!r}: no sources file {config} (set "
                          "PRESSROOM_SOURCES or --sources, or give a source's .toml file)")
    for source in load_sources(config):
        if source.name == spec:
            return source
    raise SourceError(f"no source named {spec!r} in {config}")


# -- the release pages a source lists ------------------------------------------


def feed_links(body: bytes, base: str) -> list[str]:
    """Entry links of an RSS or Atom feed."""
    import feedparser

    parsed = feedparser.parse(body, response_headers={"content-location": base})
    if parsed.bozo and not parsed.entries:
        raise SourceError(f"not a feed: {parsed.get('bozo_exception')}")
    links = []
    for entry in parsed.entries:
        link = entry.get("link")
        if link:
            links.append(urljoin(base, link))
    return links


def sitemap_links(body: bytes) -> tuple[list[str], list[str]]:
    """(page URLs, nested sitemap URLs) of a sitemap or a sitemap index."""
    from defusedxml import ElementTree
    from defusedxml.common import DefusedXmlException

    try:
        root = ElementTree.fromstring(body)
    except (ElementTree.ParseError, DefusedXmlException) as exc:
        raise SourceError(f"not a sitemap: {exc}") from None
    locs = [el.text.strip() for el in root.iter(f"{SITEMAP_NS}loc") if el.text]
    if root.tag == f"{SITEMAP_NS}sitemapindex":
        return [], locs[:MAX_SITEMAPS]
    if root.tag != f"{SITEMAP_NS}urlset":
        raise SourceError(f"not a sitemap: root element {root.tag}")
    return locs, []


def listing_links(body: bytes, base: str, links: str, next_selector: str
                  ) -> tuple[list[str], str | None]:
    """(release links, next listing page) of a listing page."""
    from bs4 import BeautifulSoup

    from indexer.inputs.decoding import decode_text

    soup = BeautifulSoup(decode_text(body), "html.parser")
    try:
        found = [urljoin(base, a["href"]) for a in soup.select(links) if a.get("href")]
        following = soup.select_one(next_selector) if next_selector else None
    except Exception as exc:  # soupsieve's SelectorSyntaxError and friends
        raise SourceError(f"bad CSS selector: {exc}") from None
    next_url = urljoin(base, following["href"]) if following and following.get("href") else None
    return [urldefrag(u).url for u in found], next_url
