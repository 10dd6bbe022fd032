"""The OpenAPI 3.1 document of the JSON API, served at ``/api/openapi.json``.

It is kept true by tests/webui/test_webui_api.py, which validates real responses of
every endpoint (errors included) against these schemas, and by a schemathesis
run.  OpenAPI 3.1 schemas are JSON Schema 2020-12.  The schemas (components) are in
``webui.openapi_schemas``; the paths are here.
"""

from __future__ import annotations

import copy
from typing import Any

from webui.openapi_entities import ENTITY_PARAMS, add_entities
from webui.openapi_schemas import (
    CITATION,
    COUNTED,
    ERROR,
    FACET_VALUE,
    HIT,
    INGEST_ENTRY,
    LABEL,
    LINKED_VALUE,
    RELEASE,
    RELEASE_RECORD,
    SEARCH_PAGE,
    STATS,
    SUMMARY,
    TIMELINE,
    VERSION,
    ZERO_RESULTS,
    array,
    array_param,
    error_response,
    json_response,
    obj,
    ref,
)


def query_param(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "description": description, "schema": schema}


#: A date bound as search/request.py reads it: a day, a month or a year.
DATE_BOUND = "^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$"

SEARCH_PARAMS = [
    query_param("q", {"type": "string"}, 'Words, phrases ("…"), OR, -excluded; empty browses.'),
    array_param("lang", "Language of the release (repeatable): en, ru, …", "^[A-Za-z]{2,3}$"),
    array_param("topic", "Topic slug (repeatable).", "^[a-z0-9][a-z0-9_-]{0,63}$"),
    *ENTITY_PARAMS,
    query_param("year", array({"type": "integer", "minimum": 1000, "maximum": 9999})
                | {"maxItems": 20}, "Year (repeatable: any of the years)."),
    query_param("month", {"type": "string", "pattern": "^[0-9]{4}-(0[1-9]|1[0-2])$"}, "YYYY-MM."),
    query_param("from", {"type": "string", "pattern": DATE_BOUND},
                "Earliest date: YYYY-MM-DD, or YYYY-MM / YYYY for its first day."),
    query_param("to", {"type": "string", "pattern": DATE_BOUND},
                "Latest date: YYYY-MM-DD, or YYYY-MM / YYYY for its last day."),
    query_param("sort", {"enum": ["relevance", "newest", "oldest"]}, "Order of the hits."),
    query_param("page", {"type": "integer", "minimum": 1}, "Page number, from 1."),
    query_param("per_page", {"type": "integer", "minimum": 1, "maximum": 100}, "Hits per page."),
]

NO_INDEX = error_response("No index yet; the message says how to build one.")
NOT_FOUND = error_response("Unknown release or route.")

DOCUMENT: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "Pressroom API",
        "version": "1.0.0",
        "description": (
            "Full-text search of bilingual English/Russian press releases.  Every HTML page has "
            "a JSON twin here built from the same data.  Errors always have the shape "
            '{"error": {"status", "message"}}.'
        ),
    },
    "paths": {
        "/api/search": {
            "get": {
                "operationId": "search",
                "summary": "Search releases (the twin of the search page /search).",
                "parameters": SEARCH_PARAMS,
                "responses": {
                    "200": json_response("A page of hits with facets.", ref("SearchPage")),
                    "400": error_response("A parameter cannot be understood."),
                    "503": NO_INDEX,
                },
            }
        },
        "/api/releases/{release_id}": {
            "get": {
                "operationId": "getRelease",
                "summary": "One release in all its languages (the twin of /releases/{id}).",
                "parameters": [
                    {
                        "name": "release_id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string", "pattern": "^[^/]+$"},
                    },
                    query_param("q", {"type": "string"}, "A query whose matched forms get <mark>."),
                ],
                "responses": {
                    "200": json_response("The release.", ref("Release")),
                    "400": error_response("The highlight query cannot be understood."),
                    "404": NOT_FOUND,
                    "503": NO_INDEX,
                },
            }
        },
        "/api/releases": {
            "post": {
                "operationId": "addReleases",
                "summary": "Add or update releases (admin token required; off without one).",
                "security": [{"bearer": []}],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {"oneOf": [ref("ReleaseRecord"), array(ref("ReleaseRecord"))]}
                        },
                        "multipart/form-data": {
                            "schema": obj(
                                {
                                    "file": {
                                        "type": "string",
                                        "contentMediaType": "application/octet-stream",
                                    }
                                }
                            )
                        },
                    },
                },
                "responses": {
                    "200": json_response("Nothing changed.", ref("Summary")),
                    "201": json_response("Releases were added or updated.", ref("Summary")),
                    "400": error_response("A malformed record; nothing was indexed."),
                    "401": error_response(
                        "No bearer token.",
                        {"WWW-Authenticate": {"schema": {"type": "string"}}},
                    ),
                    "403": error_response("Wrong token."),
                    "404": error_response("Ingest is off (no admin token configured)."),
                    "413": error_response("The body is larger than the upload limit."),
                    "503": error_response(
                        "Another writer holds the index (with Retry-After), or the index "
                        "is read-only for the server; nothing was indexed.",
                        {"Retry-After": {"schema": {"type": "string"}}},
                    ),
                    "507": error_response(
                        "The disk holding the index is full; nothing was indexed."),
                },
            }
        },
        "/api/stats": {
            "get": {
                "operationId": "stats",
                "summary": "Counts by year, topic, language; last update (twin of /stats).",
                "responses": {
                    "200": json_response("Archive overview.", ref("Stats")),
                    "503": NO_INDEX,
                },
            }
        },
        "/healthz": {
            "get": {
                "operationId": "health",
                "summary": "Liveness and the number of releases.",
                "responses": {
                    "200": json_response(
                        "Serving.",
                        obj(
                            {
                                "status": {"const": "ok"},
                                "releases": {"type": "integer", "minimum": 0},
                            }
                        ),
                    ),
                    "503": NO_INDEX,
                },
            }
        },
        "/livez": {
            "get": {
                "operationId": "alive",
                "summary": "The process answers (no index is read); /healthz checks the index.",
                "responses": {"200": json_response("Alive.", obj({"status": {"const": "alive"}}))},
            }
        },
        "/api/openapi.json": {
            "get": {
                "operationId": "openapi",
                "summary": "This document.",
                "responses": {"200": json_response("OpenAPI 3.1 document.", {"type": "object"})},
            }
        },
    },
    "components": {
        "schemas": {
            "Error": ERROR,
            "Label": LABEL,
            "FacetValue": FACET_VALUE,
            "LinkedValue": LINKED_VALUE,
            "Hit": HIT,
            "SearchPage": SEARCH_PAGE,
            "Version": VERSION,
            "Release": RELEASE,
            "Counted": COUNTED,
            "Stats": STATS,
            "Summary": SUMMARY,
            "ReleaseRecord": RELEASE_RECORD,
        },
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
    },
}


# ---------------------------------------------------------------- research tools (issue 15)

DOWNLOAD_PARAMS = [p for p in SEARCH_PARAMS if p["name"] not in ("page", "per_page")]


def file_response(description: str, media_types: tuple[str, ...]) -> dict[str, Any]:
    return {
        "description": description,
        "headers": {
            "Content-Disposition": {"schema": {"type": "string"}},
            "X-Total-Count": {"schema": {"type": "string"}, "description": "Matches exported."},
            "X-Partial-Results": {
                "schema": {"const": "true"},
                "description": "Present when the search hit its time limit.",
            },
        },
        "content": {t: {"schema": {"type": "string"}} for t in media_types},
    }


TOKEN_ERRORS = {
    "401": error_response("No bearer token.", {"WWW-Authenticate": {"schema": {"type": "string"}}}),
    "403": error_response("Wrong token."),
    "404": error_response("The admin token is not configured (admin pages are off)."),
}

RESEARCH_PATHS: dict[str, Any] = {
    "/api/export": {
        "get": {
            "operationId": "exportResults",
            "summary": "Every release matching a search (no result window), streamed as a file.",
            "parameters": [
                query_param("format", {"enum": ["csv", "jsonl", "ris", "bibtex"]},
                            "File format (default csv: UTF-8 with BOM, formulas neutralised)."),
                query_param("text", {"enum": ["0", "1"]},
                            "1 adds the plain text of both versions (csv, jsonl)."),
                *DOWNLOAD_PARAMS,
            ],
            "responses": {
                "200": file_response(
                    "The whole result set, in the search's order.",
                    ("text/csv", "application/jsonl", "application/x-research-info-systems",
                     "application/x-bibtex"),
                ),
                "400": error_response("A parameter cannot be understood."),
                "503": NO_INDEX,
            },
        }
    },
    "/api/timeline": {
        "get": {
            "operationId": "timeline",
            "summary": "Releases of a search per year (per month in a selected year), zero-filled.",
            "parameters": [
                query_param("format", {"enum": ["json", "csv"]}, "json (default) or csv."),
                *DOWNLOAD_PARAMS,
            ],
            "responses": {
                "200": {
                    "description": "Counts per period; the CSV header names query and filters.",
                    "headers": {"X-Partial-Results": {"schema": {"const": "true"}}},
                    "content": {
                        "application/json": {"schema": ref("Timeline")},
                        "text/csv": {"schema": {"type": "string"}},
                    },
                },
                "400": error_response("A parameter cannot be understood."),
                "503": NO_INDEX,
            },
        }
    },
    "/api/releases/{release_id}/citation": {
        "get": {
            "operationId": "citeRelease",
            "summary": "A ready citation of a release (English and Russian) or a citation file.",
            "parameters": [
                {
                    "name": "release_id",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "string", "pattern": "^[^/]+$"},
                },
                query_param("format", {"enum": ["json", "ris", "bibtex", "csl-json"]},
                            "json (default), or a file: ris, bibtex, csl-json."),
            ],
            "responses": {
                "200": {
                    "description": "The citation.",
                    "content": {
                        "application/json": {"schema": ref("Citation")},
                        "application/x-research-info-systems": {"schema": {"type": "string"}},
                        "application/x-bibtex": {"schema": {"type": "string"}},
                        "application/vnd.citationstyles.csl+json": {"schema": array({})},
                    },
                },
                "400": error_response("Unknown format."),
                "404": NOT_FOUND,
                "503": NO_INDEX,
            },
        }
    },
    "/api/admin/zero-results": {
        "get": {
            "operationId": "zeroResults",
            "summary": "Searches that found nothing, or only through a fallback (admin token).",
            "security": [{"bearer": []}],
            "parameters": [
                query_param("since", {"type": "string", "format": "date"},
                            "Only searches seen on or after this day."),
                query_param("limit", {"type": "integer", "minimum": 1, "maximum": 1000},
                            "Searches listed at most (default 100)."),
            ],
            "responses": {
                "200": json_response("Most frequent first.", ref("ZeroResults")),
                "400": error_response("A parameter cannot be understood."),
                **TOKEN_ERRORS,
            },
        }
    },
}

DOCUMENT["paths"].update(RESEARCH_PATHS)
DOCUMENT["components"]["schemas"].update(
    {"Timeline": TIMELINE, "Citation": CITATION, "ZeroResults": ZERO_RESULTS}
)
def openapi_document() -> dict[str, Any]:
    # A copy: jsonify and callers must not be able to change the served document.
    return copy.deepcopy(DOCUMENT)


# ---------------------------------------------------------------- keeping current (issue 16)

DOCUMENT["paths"]["/api/releases/{release_id}"]["delete"] = {
    "operationId": "deleteRelease",
    "summary": "Delete a release (admin token required; off without one).",
    "security": [{"bearer": []}],
    "parameters": [
        {
            "name": "release_id",
            "in": "path",
            "required": True,
            "schema": {"type": "string", "pattern": "^[^/]+$"},
        }
    ],
    "responses": {
        "200": json_response("Deleted and committed: the next search no longer finds it.",
                             ref("Summary")),
        "401": error_response(
            "No bearer token.", {"WWW-Authenticate": {"schema": {"type": "string"}}}
        ),
        "403": error_response("Wrong token."),
        "404": error_response(
            "No release with this id (already deleted, or never there), or ingest is off."),
        "503": error_response(
            "Another writer holds the index (with Retry-After), the index is read-only "
            "for the server, or there is no index; nothing was deleted.",
            {"Retry-After": {"schema": {"type": "string"}}},
        ),
        "507": error_response("The disk holding the index is full; nothing was deleted."),
    },
}
DOCUMENT["components"]["schemas"]["IngestEntry"] = INGEST_ENTRY

# ---------------------------------------------------------------- who and where (issue 13)

add_entities(DOCUMENT)
