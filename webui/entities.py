"""Entity pages (issue 13): ``/countries/<code>``, ``/organisations/<id>``, ``/people/<id>``
and their JSON twins under ``/api/``; both render the one dict ``entity_context`` builds.

The data comes from ``search.entities``; here it gets its links: the releases, the
chart's bars (each the entity's search within a year), the co-mentioned entities'
pages and the pager.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, redirect, render_template, request, url_for
from werkzeug.exceptions import NotFound

from search import SearchRequest
from search.entities import KINDS, entity_label, entity_page, entity_request, valid_value
from search.request import last_page
from webui import i18n
from webui.archive import current_archive
from webui.contexts import HISTOGRAM_LEVELS, href

bp = Blueprint("entities", __name__)

#: Page endpoint of each kind (the JSON twin is the same name with ``_json``).
ENDPOINTS = {"country": "country", "org": "organisation", "person": "person"}
#: What an error message calls each kind.
NOUNS = {"country": "country", "org": "organisation", "person": "person"}
#: The argument name of each kind's route.
ARGS = {"country": "code", "org": "org_id", "person": "person_id"}


def entity_url(kind: str, value: str, *, json: bool = False) -> str:
    """The page (or JSON twin) of an entity."""
    endpoint = f"entities.{ENDPOINTS[kind]}{'_json' if json else ''}"
    return url_for(endpoint, **{ARGS[kind]: value})


def add_entity_urls(items: list[dict[str, Any]], kind: str) -> None:
    """Give each ``{"value", ...}`` of ``kind`` its page's address (``url``); a value no
    page can show (from an old index) gets None."""
    for item in items:
        value = str(item.get("value", ""))
        item["url"] = entity_url(kind, value) if valid_value(kind, value) else None


def search_hooks(data: dict[str, Any], req: SearchRequest, base: str) -> None:
    """A search page's entity links: each entity facet value links to its page too
    (``entity_url``), and each entity filter gets its chip."""
    for kind in KINDS:
        for item in data["facets"].get(kind, []):
            item["entity_url"] = (entity_url(kind, item["value"])
                                  if valid_value(kind, item["value"]) else None)
    labels = {(kind, item["value"]): item["label"]
              for kind in KINDS for item in data["facets"].get(kind, [])}
    for kind, facet in KINDS.items():
        for value in getattr(req, facet.attr):
            data["chips"].append({
                "name": kind,
                "value": value,
                "label": labels.get((kind, value)) or entity_label(kind, value),
                "remove_url": href(base, req.replace(**{facet.attr: tuple(
                    v for v in getattr(req, facet.attr) if v != value)}).to_params()),
            })


def entity_context(kind: str, value: str, params: dict[str, list[str]],
                   prefer: str | None = None) -> dict[str, Any]:
    """The entity page's dict; NotFound for an entity neither indexed nor known,
    QueryError (a 400) for bad paging."""
    paging = SearchRequest.from_params({k: params[k] for k in ("page", "per_page")
                                        if k in params})
    data = entity_page(current_archive(), kind, value, paging.page, paging.per_page, prefer)
    if data is None:
        raise NotFound(f"no {NOUNS[kind]} with id {value!r} in the index or the gazetteer")
    search_url = url_for("pages.search")
    own = entity_request(kind, value)
    own_pairs = [(k, v) for k, v in own.to_params() if k != "sort"]
    for hit in data["hits"]:
        hit["release_url"] = url_for("pages.release", release_id=hit["id"])
    for other, items in data["co_mentioned"].items():
        add_entity_urls(items, other)
        for item in items:
            # The releases naming both, as a search.
            item["search_url"] = href(search_url, own_pairs + [(other, item["value"])])
    top = max((item["count"] for item in data["years"]), default=0)
    data["histogram"] = [
        {**item, "url": href(search_url, own_pairs + [("year", item["value"])]),
         "level": round(item["count"] / top * HISTOGRAM_LEVELS) if top else 0}
        for item in data["years"]
    ]
    data["links"] = _links(kind, value, data, own_pairs)
    return data


def _links(kind: str, value: str, data: dict[str, Any],
           own_pairs: list[tuple[str, str]]) -> dict[str, Any]:
    page, per_page = data["page"], data["per_page"]
    pages = min(max(1, int(data["pages"])), last_page(per_page))
    here = entity_url(kind, value)

    def at(number: int) -> str:
        pairs = [("page", str(number))] if number != 1 else []
        if per_page != 10:
            pairs.append(("per_page", str(per_page)))
        return href(here, pairs)

    return {
        "html": at(page),
        "json": href(entity_url(kind, value, json=True),
                     [("page", str(page))] if page != 1 else []),
        "search": href(url_for("pages.search"), own_pairs),
        "prev": at(page - 1) if page > 1 else None,
        "next": at(page + 1) if page < pages else None,
    }


def _page(kind: str, value: str) -> str:
    data = entity_context(kind, value, request.args.to_dict(flat=False), i18n.ui_lang())
    return render_template("entity.html", entity=data)


def _json(kind: str, value: str) -> Response:
    return jsonify(entity_context(kind, value, request.args.to_dict(flat=False)))


@bp.get("/countries/<code>")
def country(code: str):
    if code != code.upper():  # /countries/az: the code is written in capitals
        return redirect(href(entity_url("country", code.upper()),
                             list(request.args.items(multi=True))), code=301)
    return _page("country", code)


@bp.get("/organisations/<org_id>")
def organisation(org_id: str) -> str:
    return _page("org", org_id)


@bp.get("/people/<person_id>")
def person(person_id: str) -> str:
    return _page("person", person_id)


@bp.get("/api/countries/<code>")
def country_json(code: str) -> Response:
    return _json("country", code.upper())


@bp.get("/api/organisations/<org_id>")
def organisation_json(org_id: str) -> Response:
    return _json("org", org_id)


@bp.get("/api/people/<person_id>")
def person_json(person_id: str) -> Response:
    return _json("person", person_id)
