"""The JSON API: the twins of the HTML pages, health, and the OpenAPI document."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request, url_for

from webui import contexts
from webui.archive import current_archive
from webui.openapi import openapi_document

bp = Blueprint("api", __name__)


@bp.get("/api/search")
def search() -> Response:
    return jsonify(contexts.search_context(request.args.to_dict(flat=False), url_for("api.search")))


@bp.get("/api/releases/<release_id>")
def release(release_id: str) -> Response:
    return jsonify(contexts.release_context(release_id, request.args.get("q", "").strip()))


@bp.get("/api/stats")
def stats() -> Response:
    return jsonify(contexts.stats_context())


@bp.get("/healthz")
def health() -> Response:
    # IndexNotFound propagates to the error handler: 503 with how to build one.
    return jsonify({"status": "ok", "releases": current_archive().stats()["releases"]})


@bp.get("/api/openapi.json")
def openapi() -> Response:
    return jsonify(openapi_document())
