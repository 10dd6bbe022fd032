"""HTML page → release.

The page is parsed by BeautifulSoup (the standard library's tolerant parser),
stripped of scripts, navigation, headers, footers, asides, forms and cookie or
share widgets, and its main content is read as block texts in order, each
with the ``lang`` of its nearest marked ancestor.  Those paragraphs go through
the scraped-text parser, which finds the date, number, titles and languages.
"""

from __future__ import annotations

import datetime as dt
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass

from bs4 import (
    BeautifulSoup,
    Comment,
    MarkupResemblesLocatorWarning,
    NavigableString,
    PageElement,
    Tag,
    XMLParsedAsHTMLWarning,
)
from bs4.element import CData, Declaration, Doctype, ProcessingInstruction

from indexer.inputs.languages import normalize_lang
from indexer.inputs.scraped import check_page_size, normalize_space, release_from_paragraphs
from indexer.release import LANGUAGE_CODE, WEB_URL, Release, ReleaseError

#: Elements that never hold release text.
DROPPED_TAGS = (
    "script", "style", "noscript", "template", "svg", "iframe", "object", "embed", "form",
    "button", "select", "input", "textarea", "nav", "aside", "menu", "dialog", "canvas",
)
#: Page-level header and footer; inside an <article> they hold the title and date.
PAGE_FURNITURE_TAGS = ("header", "footer")
#: Class or id words of widgets: cookie banners, share buttons, breadcrumbs.
NOISE_CLASS_WORDS = frozenset(
    """cookie cookies consent gdpr breadcrumb breadcrumbs share sharing social sidebar
    related menu navbar navigation nav print banner advert ads subscribe newsletter
    switcher langs lang-switcher tags popup modal skip""".split()
)
#: Elements that end a paragraph: text on either side belongs to different blocks.
BLOCK_TAGS = frozenset(
    """p h1 h2 h3 h4 h5 h6 li ul ol dl dd dt div section article main blockquote td th
    tr table tbody thead figure figcaption pre address header footer body html hr br
    center details summary""".split()
)
_CLASS_SPLIT = re.compile(r"[\s_-]+")
#: More tags than this is not one release page (real ones have a few thousand);
#: the HTML parser needs about a second per 10,000 tags.
MAX_TAGS = 20_000
_SKIPPED_STRINGS = (Comment, CData, Declaration, Doctype, ProcessingInstruction)
_DATE_META = (
    ("property", "article:published_time"),
    ("name", "article:published_time"),
    ("itemprop", "datePublished"),
    ("name", "date"),
    ("name", "dc.date"),
    ("name", "DC.date"),
    ("name", "pubdate"),
)


def parse_html(text: str) -> Release:
    """Parse one HTML page of a release."""
    check_page_size(text)
    tags = text.count("<")
    if tags > MAX_TAGS:
        raise ReleaseError(
            f"{tags} tags: far more markup than one release page has (limit {MAX_TAGS})"
        )
    with warnings.catch_warnings():
        # bs4 warns when markup "looks like" a file name or URL ("page.html");
        # such a page is simply without article text, reported below.
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        soup = BeautifulSoup(text, "html.parser")
    # One pass for everything looked up by name; each find_all walks the page.
    landmarks = soup.find_all(["link", "meta", "time", "main", "article", "h1", "body"])
    url = canonical_url(landmarks)
    root = content_root(soup, landmarks)
    date = published_date(landmarks, root)
    paragraphs, hints = block_texts(root, _content_holders(landmarks))
    if not paragraphs:
        raise ReleaseError("no article text: the page holds only navigation, header and footer")
    return release_from_paragraphs(paragraphs, date=date, url=url, lang_hints=hints)


def canonical_url(landmarks: list[Tag]) -> str | None:
    """<link rel="canonical">, else <meta property="og:url">; only a web address
    (http or https) counts: anything else on a saved page is dropped, not refused."""
    og_url = None
    for tag in landmarks:
        if tag.name == "link" and tag.get("href"):
            rel = tag.get("rel") or []
            rels = rel if isinstance(rel, list) else str(rel).split()
            if "canonical" in (r.lower() for r in rels) and _web(tag["href"]):
                return _web(tag["href"])
        elif tag.name == "meta" and tag.get("property") == "og:url" and tag.get("content"):
            og_url = og_url or _web(tag["content"])
    return og_url


def _web(value) -> str | None:
    url = str(value).strip()
    return url if WEB_URL.fullmatch(url) else None


def published_date(landmarks: list[Tag], root: Tag) -> dt.date | None:
    """The date from page metadata: a <time datetime> in the content, or meta tags."""
    candidates: list[str] = []
    for tag in landmarks:
        if tag.name == "time" and tag.get("datetime") and _is_inside(tag, root):
            candidates.append(str(tag["datetime"]))
            break
    wanted = {(attr, value.lower()) for attr, value in _DATE_META}
    for tag in landmarks:
        if tag.name != "meta" or not tag.get("content"):
            continue
        if any((attr, str(tag.get(attr, "")).lower()) in wanted for attr, _ in _DATE_META):
            candidates.append(str(tag["content"]))
    for candidate in candidates:
        try:
            return dt.date.fromisoformat(candidate.strip()[:10])
        except ValueError:
            continue
    return None


def _is_inside(tag: Tag, root: Tag) -> bool:
    node = tag.parent
    while node is not None:
        if node is root:
            return True
        node = node.parent
    return False


def _class_words(tag: Tag) -> set[str]:
    words: set[str] = set()
    for attr in ("class", "id"):
        value = tag.get(attr)
        if not value:
            continue
        for item in value if isinstance(value, list) else [value]:
            words.update(w for w in _CLASS_SPLIT.split(str(item).lower()) if w)
    return words


def _content_holders(landmarks: list[Tag]) -> set[int]:
    """id()s of every element that is or contains a <main>, <article> or <h1>.

    A wrapper classed "menu" or "header" that holds the article is layout, not
    a widget.  Walking up stops at an element already marked, so this stays
    linear however deep the page nests.
    """
    marked: set[int] = set()
    for tag in landmarks:
        if tag.name not in ("main", "article", "h1"):
            continue
        node: Tag | None = tag
        while node is not None and id(node) not in marked:
            marked.add(id(node))
            node = node.parent
    return marked


def _is_furniture(tag: Tag, in_article: bool, holders: set[int]) -> bool:
    if tag.name in DROPPED_TAGS:
        return True
    if tag.get("hidden") is not None or tag.get("aria-hidden") == "true":
        return True
    if id(tag) in holders:
        return False
    if tag.name in PAGE_FURNITURE_TAGS and not in_article:
        return True
    return bool(_class_words(tag) & NOISE_CLASS_WORDS)


def content_root(soup: BeautifulSoup, landmarks: list[Tag]) -> Tag:
    """The element holding the release: <main>, else the one <article>, else <body>."""
    by_name: dict[str, list[Tag]] = {}
    for tag in landmarks:
        by_name.setdefault(tag.name, []).append(tag)
    if by_name.get("main"):
        # An empty <main> means the page has no article, whatever else it shows.
        return by_name["main"][0]
    if len(by_name.get("article", [])) == 1:
        return by_name["article"][0]
    return by_name["body"][0] if by_name.get("body") else soup


@dataclass
class _Frame:
    children: Iterator[PageElement]
    block: int
    lang: str | None
    in_article: bool


def block_texts(root: Tag, holders: set[int]) -> tuple[list[str], list[str | None]]:
    """Texts of the content blocks in document order, with their lang hints.

    Furniture subtrees are skipped.  Text between two block boundaries is one
    paragraph, so a <div> with inline text and nested <p>s gives the text
    before, each <p>, and the text after.  The walk keeps its own stack: pages
    nested thousands of levels deep neither recurse nor go quadratic.
    """
    paragraphs: list[str] = []
    hints: list[str | None] = []
    parts: list[str] = []
    current: tuple[int, str | None] | None = None

    def flush() -> None:
        text = normalize_space("".join(parts))
        parts.clear()
        if text:
            paragraphs.append(text)
            hints.append(current[1] if current else None)

    in_article = root.name in ("main", "article")
    stack = [_Frame(iter(root.contents), id(root), _own_lang(root), in_article)]
    while stack:
        frame = stack[-1]
        node = next(frame.children, None)
        if node is None:
            stack.pop()
            continue
        if isinstance(node, Tag):
            if node.name in ("br", "hr"):
                flush()
                continue
            if _is_furniture(node, frame.in_article, holders):
                continue
            block = id(node) if node.name in BLOCK_TAGS else frame.block
            stack.append(
                _Frame(
                    iter(node.contents),
                    block,
                    _own_lang(node) or frame.lang,
                    frame.in_article or node.name in ("main", "article"),
                )
            )
            continue
        if not isinstance(node, NavigableString) or isinstance(node, _SKIPPED_STRINGS):
            continue
        key = (frame.block, frame.lang)
        if key != current:
            flush()
            current = key
        parts.append(str(node))
    flush()
    return paragraphs, hints


def _own_lang(tag: Tag | BeautifulSoup) -> str | None:
    """A tag's lang attribute; <html lang> names the site, not the text, and is ignored."""
    if tag.name in ("html", "[document]"):
        return None
    lang = tag.get("lang") or tag.get("xml:lang")
    if not lang:
        return None
    # lang="english" or "x-klingon" is no code a version can be filed under.
    return str(lang).strip() if LANGUAGE_CODE.fullmatch(normalize_lang(str(lang))) else None
