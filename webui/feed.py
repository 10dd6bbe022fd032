"""Atom 1.0 feed of a search: the newest matching releases."""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any
from urllib.parse import urljoin
from xml.etree import ElementTree as ET

ATOM = "http://www.w3.org/2005/Atom"
_TAG = re.compile(r"<[^>]+>")
#: Characters XML 1.0 does not allow, even escaped: ElementTree writes them as
#: they are and the feed no longer parses.  Input strips them; an index
#: written before that may still hold some.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str) -> str:
    """``text`` with every character XML cannot carry dropped."""
    return _NOT_XML.sub("", text)


def plain(markup: str) -> str:
    """Text of the search layer's escaped-HTML-with-<mark> fields."""
    return html.unescape(_TAG.sub("", markup or ""))


def timestamp(day: str | None) -> str:
    """RFC 3339 as Atom requires; releases carry a date only, so midnight UTC."""
    if not day:
        return "1970-01-01T00:00:00Z"
    return f"{dt.date.fromisoformat(day[:10]).isoformat()}T00:00:00Z"


def atom_feed(page: dict[str, Any], self_url: str, host_url: str,
              last_update: str | None = None) -> bytes:
    """The feed; ``last_update`` (the index's, RFC 3339) dates a feed without entries."""
    ET.register_namespace("", ATOM)

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{ATOM}}}{tag}",
                                {name: xml_text(value) for name, value in attrs.items()})
        if text is not None:
            element.text = xml_text(text)
        return element

    root = ET.Element(f"{{{ATOM}}}feed")
    query = page["query"]
    described = query["q"] or "newest releases"
    sub(root, "id", self_url)
    sub(root, "title", f"Pressroom: {described}")
    hits = page["hits"]
    empty = (last_update.replace("+00:00", "Z") if last_update else None) or timestamp(None)
    sub(root, "updated", max((timestamp(h.get("date")) for h in hits), default=empty))
    sub(root, "link", rel="self", type="application/atom+xml", href=self_url)
    sub(
        root,
        "link",
        rel="alternate",
        type="text/html",
        href=urljoin(host_url, page["links"]["html"]),
    )
    author = sub(root, "author")
    sub(author, "name", "Pressroom")
    sub(root, "generator", "Pressroom")
    for hit in hits:
        entry = sub(root, "entry")
        url = urljoin(host_url, f"/releases/{hit['id']}")
        sub(entry, "id", url)
        sub(entry, "title", plain(hit["title"]))
        sub(entry, "updated", timestamp(hit.get("date")))
        sub(entry, "link", rel="alternate", type="text/html", href=url)
        # The snippet is escaped HTML with <mark>; Atom carries it as type="html".
        sub(entry, "summary", hit.get("snippet") or "", type="html")
        for topic in hit.get("topics", []):
            sub(entry, "category", term=topic)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
