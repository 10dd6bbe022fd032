"""A small ministry web site on 127.0.0.1 for the fetch tests and bench/freshness.py.

It serves an RSS feed, an Atom feed, a sitemap, two listing pages and release
pages (written for these tests, in the layout of the ministry's pages), and
misbehaves on purpose: 304s for conditional requests, a 429 with
Retry-After, a page that always answers 500, a page that never answers
(until ``close``), and a robots.txt that forbids /private/.  Every request is
counted.
"""

from __future__ import annotations

import hashlib
import threading
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LAST_MODIFIED = "Tue, 03 Mar 2026 09:00:00 GMT"
ROBOTS = "User-agent: *\nDisallow: /private/\n"


def release_page(n: int, base: str, body: str = "") -> str:
    body = body or f"The Minister received the delegation of the Water Council on basin {n}."
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>No:{n}/26 Minister received the delegation of the Water Council</title>
<link rel="canonical" href="{base}/news/{n}.html">
<meta property="article:published_time" content="2026-03-03">
</head><body>
<header class="site-header"><nav><a href="/">Home</a> <a href="/listing.html">News</a>
</nav></header>
<main><article>
<h1>No:{n}/26, Minister received the delegation of the Water Council {n} (ENG/RU)</h1>
<p class="date">Press release 3 March 2026</p>
<p>{body}</p>
<div lang="ru"><p>Министр принял делегацию Водного совета и обсудил речной бассейн {n}.</p></div>
</article></main>
<footer>Ministry of Foreign Affairs</footer>
</body></html>
"""


def rss(base: str, paths: list[str]) -> str:
    items = "".join(f"<item><title>Release {p}</title><link>{base}{p}</link></item>"
                    for p in paths)
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>Press releases</title><link>{base}/</link>{items}</channel></rss>")


def atom(base: str, paths: list[str]) -> str:
    entries = "".join(f'<entry><title>Release {p}</title><id>{base}{p}</id>'
                      f'<link href="{p}"/><updated>2026-03-03T09:00:00Z</updated></entry>'
                      for p in paths)
    return (f'<?xml version="1.0" encoding="utf-8"?>'
            f'<feed xmlns="http://www.w3.org/2005/Atom" xml:base="{base}/">'
            f"<title>Press releases</title><id>{base}/atom</id>"
            f"<updated>2026-03-03T09:00:00Z</updated>{entries}</feed>")


def sitemap(base: str, paths: list[str]) -> str:
    urls = "".join(f"<url><loc>{base}{p}</loc><lastmod>2026-03-03</lastmod></url>"
                   for p in paths)
    return ('<?xml version="1.0" encoding="UTF-8"?>'
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>')


def listing(paths: list[str], next_page: str = "") -> str:
    links = "".join(f'<li><a class="title" href="{p}">Release {p}</a></li>' for p in paths)
    more = f'<a rel="next" href="{next_page}">Older</a>' if next_page else ""
    return (f"<!DOCTYPE html><html><body><nav><a href='/'>Home</a></nav>"
            f"<ul class='news'>{links}</ul>{more}</body></html>")


@dataclass
class Site:
    """The pages (path → (body, content type)) and what happened to them."""

    pages: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    hits: Counter = field(default_factory=Counter)
    not_modified: Counter = field(default_factory=Counter)
    agents: set = field(default_factory=set)
    #: path → statuses to answer before the page (e.g. [429]); consumed.
    troubles: dict[str, list[int]] = field(default_factory=dict)
    always_500: set = field(default_factory=set)
    hang: set = field(default_factory=set)
    released: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    base: str = ""

    def put(self, path: str, body: str, kind: str = "text/html; charset=utf-8") -> None:
        with self.lock:
            self.pages[path] = (body.encode("utf-8"), kind)

    def serve(self) -> None:
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                path = self.path.split("?")[0]
                with site.lock:
                    site.hits[path] += 1
                    site.agents.add(self.headers.get("User-Agent", ""))
                    trouble = site.troubles.get(path)
                    status = trouble.pop(0) if trouble else None
                    page = site.pages.get(path)
                if path in site.hang:
                    site.released.wait()  # never answers while the test runs
                    return
                if path in site.always_500:
                    status = 500
                if status is not None:
                    self.send_response(status)
                    if status == 429:
                        self.send_header("Retry-After", "3")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if path == "/robots.txt":
                    page = (ROBOTS.encode(), "text/plain")
                if page is None:
                    self.send_error(404)
                    return
                body, kind = page
                etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
                if self.headers.get("If-None-Match") == etag:
                    with site.lock:
                        site.not_modified[path] += 1
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("ETag", etag)
                self.send_header("Last-Modified", LAST_MODIFIED)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.released.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


def ministry_site() -> Site:
    """The site with its feeds, sitemap and listing filled in (releases 1-8)."""
    site = Site()
    site.serve()
    base = site.base
    for n in range(1, 9):
        site.put(f"/news/{n}.html", release_page(n, base))
    site.put("/private/9.html", release_page(9, base))
    site.put("/feed.xml", rss(base, ["/news/1.html", "/news/2.html", "/private/9.html"]),
             "application/rss+xml")
    site.put("/atom.xml", atom(base, ["/news/3.html"]), "application/atom+xml")
    site.put("/sitemap.xml", sitemap(base, ["/news/4.html", "/news/5.html"]), "application/xml")
    site.put("/listing.html", listing(["/news/6.html", "/news/7.html"], "/listing-2.html"))
    site.put("/listing-2.html", listing(["/news/8.html"]))
    return site


SOURCES_TOML = """\
[[source]]
name = "rss"
kind = "feed"
url = "{base}/feed.xml"

[[source]]
name = "atom"
kind = "feed"
url = "{base}/atom.xml"

[[source]]
name = "map"
kind = "sitemap"
url = "{base}/sitemap.xml"

[[source]]
name = "news"
kind = "listing"
url = "{base}/listing.html"
links = "ul.news a.title"
next = "a[rel=next]"
"""
