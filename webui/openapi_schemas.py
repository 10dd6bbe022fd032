"""The schemas (components) of the OpenAPI document and the helpers that build
them; ``webui.openapi`` assembles the paths around them.

Checked like the document itself by tests/webui/test_webui_api.py.
"""

from __future__ import annotations

from typing import Any

from search.hits import Hit

NULLABLE_STRING = {"type": ["string", "null"]}


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def array(items: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": items}


def array_param(name: str, description: str, pattern: str) -> dict[str, Any]:
    """A repeatable query parameter (``?topic=a&topic=b``) of at most 20 values."""
    return {
        "name": name,
        "in": "query",
        "description": description,
        "style": "form",
        "explode": True,
        "schema": array({"type": "string", "pattern": pattern}) | {"maxItems": 20},
    }


def obj(required: dict[str, Any], optional: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "type": "object",
        "required": list(required),
        "properties": {**required, **(optional or {})},
    }


def error_response(description: str, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": description,
        "content": {"application/json": {"schema": ref("Error")}},
    }
    if headers:
        response["headers"] = headers
    return response


def json_response(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


LABEL = obj({"en": {"type": "string"}, "ru": {"type": "string"}})

FACET_VALUE = obj(
    {
        "value": {"type": "string"},
        "label": ref("Label"),
        "count": {"type": "integer", "minimum": 0},
        "selected": {"type": "boolean"},
        "toggle_url": {"type": ["string", "null"],
                       "description": "This search with the value switched; null for the "
                                      "language entry 'across' (hits matched only across "
                                      "two versions), which no filter selects."},
    }
)

LINKED_VALUE = obj({"value": {"type": "string"}, "label": ref("Label"), "url": {"type": "string"}})

#: The hit's own fields are written once, in ``search.hits.Hit``; the web adds its links.
HIT = obj(
    {
        **Hit.json_schemas()[0],
        "release_url": {
            "type": "string",
            "description": "The release page (highlights the query).",
        },
        "topic_links": array(ref("LinkedValue")),
    },
    Hit.json_schemas()[1],
)

QUERY = obj(
    {
        "q": {"type": "string"},
        "lang": array({"type": "string"}),
        "topic": array({"type": "string"}),
        "country": array({"type": "string"}),
        "org": array({"type": "string"}),
        "person": array({"type": "string"}),
        "year": {"type": ["integer", "null"]},
        "years": array({"type": "integer"}),
        "month": NULLABLE_STRING,
        "from": {"type": ["string", "null"], "format": "date"},
        "to": {"type": ["string", "null"], "format": "date"},
        "sort": {"enum": ["relevance", "newest", "oldest"]},
        "page": {"type": "integer", "minimum": 1},
        "per_page": {"type": "integer", "minimum": 1},
    }
)

PAGE_LINK = obj(
    {"number": {"type": "integer"}, "url": {"type": "string"}, "current": {"type": "boolean"}}
)

SEARCH_PAGE = obj(
    {
        "query": QUERY,
        "total": {"type": "integer", "minimum": 0},
        "page": {"type": "integer", "minimum": 1},
        "per_page": {"type": "integer", "minimum": 1},
        "pages": {"type": "integer", "minimum": 0},
        "hits": array(ref("Hit")),
        "facets": {
            "type": "object",
            "properties": {
                name: array(ref("FacetValue"))
                for name in ("year", "month", "topic", "language", "country", "org", "person")
            },
            "additionalProperties": array(ref("FacetValue")),
        },
        "facets_timed_out": array({"type": "string"}),
        "suggestion": {
            "oneOf": [
                {"type": "null"},
                obj(
                    {
                        "q": {"type": "string"},
                        "kind": {"enum": ["layout", "spelling"]},
                        "applied": {"type": "boolean"},
                        "url": {"type": "string"},
                    },
                    {"total": {"type": ["integer", "null"]}},
                ),
            ]
        },
        "understood": obj(
            {
                "parsed": {"type": "string"},
                "mode": {"enum": ["all", "any"]},
                "notes": array(LABEL),
            }
        ),
        "partial": {"type": "boolean"},
        "emptied_by": array(obj({"filter": {"type": "string"},
                                 "params": array({"type": "string"}),
                                 "total": {"type": "integer"}}, {"url": {"type": "string"}})),
        "past_end": {"type": "boolean"},
        "took_ms": {"type": "number"},
        "chips": array(
            obj(
                {
                    "name": {"enum": ["lang", "topic", "year", "month", "from", "to",
                                      "country", "org", "person"]},
                    "value": {"type": "string"},
                    "label": ref("Label"),
                    "remove_url": {"type": "string"},
                }
            )
        ),
        "histogram": array(
            obj(
                {
                    "value": {"type": "string"},
                    "count": {"type": "integer"},
                    "selected": {"type": "boolean"},
                    "url": {"type": "string"},
                    "level": {"type": "integer", "minimum": 0, "maximum": 20},
                }
            )
        ),
        "links": obj(
            {
                "html": {"type": "string"},
                "json": {"type": "string"},
                "atom": {"type": "string"},
                "prev": NULLABLE_STRING,
                "next": NULLABLE_STRING,
                "pages": array({"oneOf": [{"type": "null"}, PAGE_LINK]}),
                "sort": array(
                    obj(
                        {
                            "value": {"type": "string"},
                            "url": {"type": "string"},
                            "selected": {"type": "boolean"},
                        }
                    )
                ),
                "clear": {"type": "string"},
            }
        ),
        "forms": {
            "type": "object",
            "description": "Hidden fields (name, value) each GET form of the page carries.",
            "additionalProperties": array(
                {"type": "array", "prefixItems": [{"type": "string"}, {"type": "string"}]}
            ),
        },
    }
)

VERSION = obj(
    {
        "lang": {"type": "string"},
        "label": ref("Label"),
        "title": {"type": "string", "description": "Plain text."},
        "paragraphs": array({"type": "string", "description": "Plain text."}),
        "title_html": {"type": "string", "description": "Escaped HTML; <mark> around matches."},
        "paragraphs_html": array(
            {"type": "string", "description": "Escaped HTML; <mark> around matched forms."}
        ),
    }
)

RELEASE = obj(
    {
        "id": {"type": "string"},
        "number": NULLABLE_STRING,
        "date": {"type": ["string", "null"], "format": "date"},
        "url": NULLABLE_STRING,
        "topics": array(obj({"value": {"type": "string"}, "label": ref("Label")})),
        "languages": array({"type": "string"}),
        "versions": array(ref("Version")),
        "topic_links": array(ref("LinkedValue")),
        "more_like_this": array(
            obj(
                {
                    "id": {"type": "string"},
                    "title": {"type": "string"},
                    "release_url": {"type": "string"},
                },
                {"date": {"type": ["string", "null"], "format": "date"}},
            )
        ),
        "highlight": NULLABLE_STRING,
        "source": {"type": "string"},
        "indexed_at": {"type": "string"},
        "links": obj(
            {"html": {"type": "string"}, "json": {"type": "string"}, "back": NULLABLE_STRING}
        ),
    }
)

COUNTED = obj(
    {"value": {"type": "string"}, "count": {"type": "integer", "minimum": 0}},
    {"label": ref("Label"), "url": {"type": "string"}, "level": {"type": "integer"}},
)

STATS = obj(
    {
        "releases": {"type": "integer", "minimum": 0},
        "languages": array(ref("Counted")),
        "years": array(ref("Counted")),
        "topics": array(ref("Counted")),
        "last_update": {"type": ["string", "null"], "description": "ISO 8601 timestamp"},
        "links": obj({"html": {"type": "string"}, "json": {"type": "string"}}),
    },
    {"index_bytes": {"type": ["integer", "null"]}},
)

SUMMARY = obj(
    {
        "added": {"type": "integer"},
        "updated": {"type": "integer"},
        "unchanged": {"type": "integer"},
        "deleted": {"type": "integer"},
        "failed": array(obj({"path": {"type": "string"}, "reason": {"type": "string"}})),
        "notes": array({"type": "string"}),
        "seconds": {"type": "number"},
        "ok": {"type": "boolean"},
    }
)

RELEASE_RECORD = {
    "type": "object",
    "description": (
        'A release record: {"id", "date": "YYYY-MM-DD", "number", "url", "topics": [...], '
        '"en": {"title", "body"}, "ru": {"title", "body"}}; one language object with a body '
        "is required."
    ),
    "properties": {
        "id": {"type": "string"},
        "date": {"type": "string", "format": "date"},
        "number": {"type": "string"},
        "url": {"type": "string"},
        "topics": array({"type": "string"}),
    },
    "additionalProperties": obj({}, {"title": {"type": "string"}, "body": {"type": "string"}}),
}

ERROR = obj(
    {
        "error": obj(
            {
                "status": {"type": "integer", "minimum": 400, "maximum": 599},
                "message": {"type": "string"},
            }
        )
    }
)


# ---------------------------------------------------------------- research tools (issue 15)

TIMELINE = obj(
    {
        "period": {"enum": ["year", "month"]},
        "label": {"type": "string", "description": "The query and filters (the CSV header)."},
        "partial": {"type": "boolean", "description": "The search hit its time limit."},
        "counts": array(
            obj({"period": {"type": "string"}, "count": {"type": "integer", "minimum": 0}})
        ),
    }
)

CITATION = obj(
    {
        "text": obj({"en": {"type": "string"}, "ru": {"type": "string"}}),
        "permalink": {"type": "string", "description": "Absolute, stable across rebuilds."},
        "downloads": obj(
            {
                "ris": {"type": "string"},
                "bibtex": {"type": "string"},
                "csl-json": {"type": "string"},
            }
        ),
    },
    {"id": {"type": "string"}},
)

ZERO_RESULTS = obj(
    {
        "recording": {"type": "boolean"},
        "retention_days": {"type": "integer", "minimum": 1},
        "searches": array(
            obj(
                {
                    "query": {"type": "string", "description": "Normalised query text."},
                    "filters": {"type": "string", "description": "Filters as a query string."},
                    "outcome": {
                        "type": "string",
                        "description": "nothing, layout, spelling, any-word (joined with +).",
                    },
                    "count": {"type": "integer", "minimum": 1},
                    "last_seen": {"type": "string", "description": "Hour (UTC), YYYY-MM-DDTHH:00Z"},
                }
            )
        ),
    }
)

SEARCH_PAGE["properties"]["links"]["properties"].update(
    {
        "export": {
            "type": "object",
            "description": "/api/export links of this search, one per format.",
            "additionalProperties": {"type": "string"},
        },
        "timeline_csv": {"type": "string", "description": "This search's timeline as CSV."},
    }
)
RELEASE["properties"]["citation"] = ref("Citation")
STATS["properties"]["links"]["properties"]["timeline_csv"] = {"type": "string"}


# ---------------------------------------------------------------- keeping current (issue 16)

INGEST_ENTRY = obj(
    {
        "id": {"type": "integer"},
        "at": {"type": "string", "description": "ISO 8601 UTC timestamp of the write"},
        "operation": {"enum": ["index", "sync", "rebuild", "ingest", "delete"]},
        "actor": {"type": "string", "description": "The command or endpoint that wrote"},
        "origin": {"type": "string", "description": "Folder, web source or client address"},
        "added": {"type": "integer", "minimum": 0},
        "updated": {"type": "integer", "minimum": 0},
        "deleted": {"type": "integer", "minimum": 0},
        "failed": {"type": "integer", "minimum": 0},
        "changes": obj({kind: array({"type": "string"})
                        for kind in ("added", "updated", "deleted")}),
    }
)
STATS["properties"]["recent_changes"] = {
    "description": "The newest writes of the ingest log, newest first (docs/ingest-log.md).",
    **array(ref("IngestEntry")),
}
