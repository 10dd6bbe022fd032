"""The one dict behind each page and its JSON twin.

Each function here builds everything a page shows; the HTML view renders the
dict with a template and the API view serves it as JSON, so the two cannot
drift apart.  Links arrive ready-made (``toggle_url``, ``remove_url``...) and
labels arrive in both interface languages, so templates stay dumb.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping
from pathlib import PurePath
from typing import Any
from urllib.parse import urlencode

from babel.dates import format_date
from flask import url_for
from werkzeug.exceptions import NotFound

from indexer.release import WEB_URL
from search import SearchRequest
from search.facetkinds import FACETS, LANGUAGE, MONTH, TOPIC, YEAR
from search.request import QueryError, last_page
from webui import research
from webui.archive import current_archive
from webui.i18n import UI_LANGUAGES

#: Histogram bars are drawn with CSS classes ``level-0`` … ``level-20`` (the
#: Content-Security-Policy forbids inline styles, so no computed widths).
HISTOGRAM_LEVELS = 20
#: Page links shown either side of the current page.
PAGE_WINDOW = 2


def href(base: str, pairs: Iterable[tuple[str, str]]) -> str:
    query = urlencode(list(pairs))
    return f"{base}?{query}" if query else base


def both_languages(make: Any) -> dict[str, str]:
    return {lang: make(lang) for lang in UI_LANGUAGES}


def day_label(day: str) -> dict[str, str]:
    return both_languages(lambda lang: format_date(dt.date.fromisoformat(day), "long", locale=lang))


def without(pairs: list[tuple[str, str]], *names: str) -> list[tuple[str, str]]:
    return [(k, v) for k, v in pairs if k not in names]


def search_context(params: Mapping[str, Any], base: str,
                   prefer: str | None = None) -> dict[str, Any]:
    """``SearchPage.to_dict()`` plus ready links; ``base`` is the path links point to;
    ``prefer``: the interface language, whose versions the hits show where they can."""
    archive = current_archive()
    req = SearchRequest.from_params(params)
    page = archive.search(dataclasses.replace(req, prefer=prefer) if prefer else req)
    data = page.to_dict()
    labels = archive.topic_labels()
    pairs = req.to_params()

    facets = data["facets"]
    for facet in list(facets):
        # A value no request may select (an index written before the input
        # checks: year 999, topic "Energy") is left out, not a page-wide 400.
        facets[facet] = [item for item in facets[facet] if _add_toggle(item, facet, req, base)]

    for hit in data["hits"]:
        # The whole search goes along, so "Back to the results" returns to this very page.
        hit["release_url"] = href(url_for("pages.release", release_id=hit["id"]), pairs)
        hit["topic_links"] = [
            {"value": topic, "label": labels.get(topic, {"en": topic, "ru": topic}), "url": url}
            for topic in hit["topics"]
            if (url := _topic_url(req, topic, base) if topic not in req.topics
                else href(base, pairs))
        ]

    if data.get("suggestion"):
        data["suggestion"]["url"] = href(base, req.replace(q=data["suggestion"]["q"]).to_params())

    data["chips"] = chips(req, data["facets"], labels, base)
    entity_hooks(data, req, base)
    data["histogram"] = histogram(data["facets"].get("year", []))
    data["links"] = links(req, data, base)
    for emptied in data["emptied_by"]:
        emptied["url"] = href(base, without(pairs, *emptied["params"], "page"))
    if data["past_end"]:
        data["links"]["last"] = href(base, req.replace(page=data["pages"]).to_params())
    data["forms"] = {
        "query": without(pairs, "q", "page"),
        "sort": without(pairs, "sort", "page"),
        "dates": without(pairs, "from", "to", "page", "year", "month"),
    }
    return data


def entity_hooks(data: dict[str, Any], req: SearchRequest, base: str) -> None:
    """Entity facets' page links and chips (issue 13, webui.entities)."""
    from webui.entities import search_hooks  # imports this module

    search_hooks(data, req, base)


def _add_toggle(item: dict[str, Any], facet: str, req: SearchRequest, base: str) -> bool:
    """Give a facet entry its link; False when no request can select it."""
    kind = FACETS[facet]
    if not kind.selectable(item["value"]):
        item["toggle_url"] = None  # no filter finds these: a count, not a link
        return True
    try:
        item["toggle_url"] = href(
            base, kind.toggled(req, item["value"], item["selected"]).to_params()
        )
    except ValueError:  # QueryError included
        return False
    return True


def _topic_url(req: SearchRequest, topic: str, base: str) -> str | None:
    """The link adding ``topic`` to the search; None for a value no request may
    hold (such a topic is left out of the hit's links)."""
    try:
        return href(base, req.replace(topics=req.topics + (topic,)).to_params())
    except QueryError:
        return None


def chips(
    req: SearchRequest, facets: dict[str, list], labels: dict[str, dict], base: str
) -> list[dict[str, Any]]:
    """Active filters, each with a link that removes it."""
    facet_labels = {
        (facet, item["value"]): item["label"] for facet, items in facets.items() for item in items
    }
    result: list[dict[str, Any]] = []

    def add(name: str, value: str, label: dict[str, str], without_it: SearchRequest) -> None:
        result.append(
            {
                "name": name,
                "value": value,
                "label": label,
                "remove_url": href(base, without_it.to_params()),
            }
        )

    for lang in req.langs:
        label = facet_labels.get(("language", lang), {"en": lang, "ru": lang})
        add("lang", lang, label, LANGUAGE.toggled(req, lang, True))
    for topic in req.topics:
        add(
            "topic",
            topic,
            labels.get(topic, {"en": topic, "ru": topic}),
            TOPIC.toggled(req, topic, True),
        )
    for year in req.selected_years if not req.month else ():
        add(
            "year",
            str(year),
            {"en": str(year), "ru": str(year)},
            YEAR.toggled(req, str(year), True),
        )
    if req.month:
        add("month", req.month, MONTH.label(req.month), req.replace(month=None, year=None))
    if req.date_from:
        day = req.date_from.isoformat()
        add("from", day, day_label(day), req.replace(date_from=None))
    if req.date_to:
        day = req.date_to.isoformat()
        add("to", day, day_label(day), req.replace(date_to=None))
    return result


def histogram(years: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Year bars in time order, with a quantized height level for CSS."""
    bars = sorted(years, key=lambda item: item["value"])
    top = max((item["count"] for item in bars), default=0)
    return [
        {
            "value": item["value"],
            "count": item["count"],
            "selected": item["selected"],
            "url": item["toggle_url"],
            "level": round(item["count"] / top * HISTOGRAM_LEVELS) if top else 0,
        }
        for item in bars
    ]


def links(req: SearchRequest, data: dict[str, Any], base: str) -> dict[str, Any]:
    pairs = req.to_params()
    feed_pairs = without(pairs, "sort", "page")
    # Links go no deeper than a request may: building one past the window would
    # raise QueryError and turn every search with that many hits into a 400.
    pages = min(max(1, int(data["pages"])), last_page(req.per_page))
    shown_sort = "newest" if not req.q and req.sort == "relevance" else req.sort
    current = req.page
    numbers = sorted(
        {1, pages}
        | set(range(max(1, current - PAGE_WINDOW), min(pages, current + PAGE_WINDOW) + 1))
    )
    page_links: list[dict[str, Any] | None] = []
    for i, number in enumerate(numbers):
        if i and number - numbers[i - 1] > 1:
            page_links.append(None)  # a gap: "…"
        page_links.append(
            {
                "number": number,
                "url": href(base, req.replace(page=number).to_params()),
                "current": number == current,
            }
        )
    return {
        "html": href(url_for("pages.search"), pairs),
        "json": href(url_for("api.search"), pairs),
        "atom": href(url_for("pages.feed"), feed_pairs),
        "prev": href(base, req.replace(page=current - 1).to_params()) if current > 1 else None,
        "next": href(base, req.replace(page=current + 1).to_params()) if current < pages else None,
        "pages": page_links if pages > 1 else [],
        "sort": [
            {
                "value": sort,
                "url": href(base, req.replace(sort=sort).to_params()),
                "selected": sort == shown_sort,
            }
            # Without words there is no relevance: the list is newest first, and says so.
            for sort in (("relevance",) if req.q else ()) + ("newest", "oldest")
        ],
        "clear": href(base, [("q", req.q)] if req.q else []),
        **research.search_links(pairs),
    }


def release_context(release_id: str, highlight: str | None,
                    search: Mapping[str, Any] | None = None,
                    prefer: str | None = None) -> dict[str, Any]:
    """A release in both languages, its topic links and the releases most like it.

    ``search``: the parameters of the search the reader came from (query, filters, sort,
    page), kept by the back link; an invalid set is ignored for the query alone.
    """
    archive = current_archive()
    release = archive.release(release_id, highlight=highlight or None)
    if release is None:
        raise NotFound(f"no release with id {release_id!r}")
    search_url = url_for("pages.search")
    # Only a web address becomes a link ("javascript:" from an old index does not).
    if not WEB_URL.fullmatch(release.get("url") or ""):
        release["url"] = ""
    release["source"] = public_source(release.get("source") or "")
    release["topic_links"] = [
        {**topic, "url": href(search_url, [("topic", topic["value"])])}
        for topic in release["topics"]
    ]
    more = archive.more_like_this(release_id, limit=5, prefer=prefer)
    for hit in more:
        hit["release_url"] = url_for("pages.release", release_id=hit["id"])
    release["more_like_this"] = more
    from webui.entities import add_entity_urls  # imports this module

    for kind, items in release.get("entities", {}).items():
        add_entity_urls(items, kind)
    release["highlight"] = highlight or None
    release["citation"] = research.citation_context(release)
    release["links"] = {
        "html": url_for("pages.release", release_id=release_id),
        "json": url_for("api.release", release_id=release_id),
        "back": _back_link(search_url, highlight, search),
    }
    return release


def _back_link(search_url: str, highlight: str | None,
               search: Mapping[str, Any] | None) -> str | None:
    try:
        pairs = SearchRequest.from_params(search).to_params() if search else []
    except QueryError:
        pairs = []
    if not pairs and highlight:
        pairs = [("q", highlight)]
    return href(search_url, pairs) if pairs else None


def public_source(source: str) -> str:
    """The source file as the public may see it: its name, never the server's folders.

    The index stores the absolute path (``sync`` matches files by it), so the
    folders are cut here, where the release leaves the server.
    """
    return PurePath(source).name if source else ""


def stats_context() -> dict[str, Any]:
    archive = current_archive()
    stats = archive.stats()
    search_url = url_for("pages.search")
    years = stats.get("years", [])
    top = max((item["count"] for item in years), default=0)
    for item in years:
        item["level"] = round(item["count"] / top * HISTOGRAM_LEVELS) if top else 0
    everything = SearchRequest.from_params({})
    for facet, key in (("year", "years"), ("topic", "topics"), ("language", "languages")):
        for item in stats.get(key, []):
            # A value no request may select (from an index written before the input
            # checks) is shown without a link rather than linking to a 400.
            try:
                wanted = FACETS[facet].toggled(everything, str(item["value"]), False)
                item["url"] = href(search_url, wanted.to_params())
            except ValueError:
                item["url"] = None
    stats["links"] = {"html": url_for("pages.stats"), "json": url_for("api.stats"),
                      "timeline_csv": url_for("research.timeline_view", format="csv")}
    stats["recent_changes"] = recent_changes()
    return stats


#: Writes of the ingest log shown on /stats.
RECENT_CHANGES = 10


def recent_changes() -> list[dict[str, Any]]:
    """The newest writes of the ingest log, newest first; none when it cannot be read
    (the log is a record: it never takes the page down)."""
    from indexer.ledger import Ledger
    from webui.archive import current_root

    try:
        return Ledger(current_root()).history(limit=RECENT_CHANGES)[::-1]
    except Exception:  # sqlite3.Error, OSError: an unreadable log is an empty one
        return []
