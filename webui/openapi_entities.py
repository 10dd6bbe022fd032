"""The OpenAPI entries of issue 13: the entity filters of a search and the entity
pages' JSON twins (``/api/countries/{code}``, ``/api/organisations/{org_id}``,
``/api/people/{person_id}``).  ``webui.openapi`` merges them into its document."""

from __future__ import annotations

from typing import Any

from webui.openapi_schemas import (
    LABEL,
    NULLABLE_STRING,
    array,
    array_param,
    error_response,
    json_response,
    obj,
    ref,
)

#: The patterns search/request.py accepts (a country code is upper-cased first).
COUNTRY_PATTERN = "^[A-Za-z]{2}$"
SLUG_PATTERN = "^[a-z0-9][a-z0-9-]{0,79}$"



ENTITY_PARAMS = [
    array_param("country", "ISO 3166 alpha-2 country code (repeatable: any of them).",
                 COUNTRY_PATTERN),
    array_param("org", "Organisation id, e.g. osce (repeatable: any of them).", SLUG_PATTERN),
    array_param("person", "Person id, e.g. sergey-lavrov (repeatable: any of them).",
                 SLUG_PATTERN),
]

CO_MENTIONED = obj(
    {
        "value": {"type": "string"},
        "label": ref("Label"),
        "count": {"type": "integer", "minimum": 1},
        "url": {"type": ["string", "null"], "description": "The entity's own page."},
        "search_url": {"type": "string", "description": "The releases naming both."},
    }
)

ENTITY_PAGE = obj(
    {
        "kind": {"enum": ["country", "org", "person"]},
        "id": {"type": "string"},
        "names": {**LABEL, "description": "The entity's names in English and Russian."},
        "total": {"type": "integer", "minimum": 0},
        "page": {"type": "integer", "minimum": 1},
        "per_page": {"type": "integer", "minimum": 1},
        "pages": {"type": "integer", "minimum": 0},
        "past_end": {"type": "boolean"},
        "years": array(obj({"value": {"type": "string"},
                            "count": {"type": "integer", "minimum": 0}})),
        "histogram": array(obj({
            "value": {"type": "string"},
            "count": {"type": "integer", "minimum": 0},
            "url": {"type": "string"},
            "level": {"type": "integer", "minimum": 0, "maximum": 20},
        })),
        "hits": array(obj({"id": {"type": "string"}, "release_url": {"type": "string"}})),
        "co_mentioned": obj({kind: array(ref("CoMentioned"))
                             for kind in ("country", "org", "person")}),
        "partial": {"type": "boolean"},
        "links": obj({
            "html": {"type": "string"},
            "json": {"type": "string"},
            "search": {"type": "string"},
            "prev": NULLABLE_STRING,
            "next": NULLABLE_STRING,
        }),
    }
)

RELEASE_ENTITY = obj({"value": {"type": "string"}, "label": ref("Label"),
                      "url": {"type": ["string", "null"]}})
RELEASE_ENTITIES = obj({kind: array(ref("ReleaseEntity"))
                        for kind in ("country", "org", "person")})


def _entity_path(operation: str, what: str, name: str, pattern: str) -> dict[str, Any]:
    return {
        "get": {
            "operationId": operation,
            "summary": f"A {what}'s page: names in both scripts, releases per year, its "
                       f"releases newest first, entities mentioned with it.",
            "parameters": [
                {"name": name, "in": "path", "required": True,
                 "schema": {"type": "string", "pattern": pattern}},
                {"name": "page", "in": "query", "description": "Page number, from 1.",
                 "schema": {"type": "integer", "minimum": 1}},
                {"name": "per_page", "in": "query", "description": "Releases per page.",
                 "schema": {"type": "integer", "minimum": 1, "maximum": 100}},
            ],
            "responses": {
                "200": json_response(f"The {what}.", ref("EntityPage")),
                "400": error_response("A paging parameter cannot be understood."),
                "404": error_response(f"No {what} with this id in the index or gazetteer."),
                "503": error_response("No index yet; the message says how to build one."),
            },
        }
    }


ENTITY_PATHS = {
    "/api/countries/{code}": _entity_path("getCountry", "country", "code", "^[^/]+$"),
    "/api/organisations/{org_id}": _entity_path("getOrganisation", "organisation", "org_id",
                                                "^[^/]+$"),
    "/api/people/{person_id}": _entity_path("getPerson", "person", "person_id", "^[^/]+$"),
}
ENTITY_SCHEMAS = {"EntityPage": ENTITY_PAGE, "CoMentioned": CO_MENTIONED,
                  "ReleaseEntity": RELEASE_ENTITY, "ReleaseEntities": RELEASE_ENTITIES}


def add_entities(document: dict[str, Any]) -> None:
    """Merge the entries above into the OpenAPI ``document``."""
    document["paths"].update(ENTITY_PATHS)
    document["components"]["schemas"].update(ENTITY_SCHEMAS)
    release = document["components"]["schemas"]["Release"]
    release["properties"]["entities"] = ref("ReleaseEntities")
    facet_value = document["components"]["schemas"]["FacetValue"]
    facet_value["properties"]["entity_url"] = {
        "type": ["string", "null"],
        "description": "Country, org and person facets: the value's own page.",
    }
