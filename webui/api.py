"""The JSON API: the twins of the HTML pages, health, and the OpenAPI document."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request, url_for

from webui import contexts, pagecache, research
from webui.archive import current_archive
from webui.openapi import openapi_document

bp = Blueprint("api", __name__)


@bp.get("/api/search")
def search() -> Response:
    body = pagecache.search_json(request.args.to_dict(flat=False), url_for("api.search"))
    research.note_search_json(body)
    return current_app.response_class(body, mimetype="application/json")


@bp.post("/api/search", endpoint="search_passage")
def search_passage() -> Response:
    """``/api/search`` with its parameters in a form body (a long pasted passage)."""
    params = request.args.to_dict(flat=False)
    params.update(request.form.to_dict(flat=False))
    body = pagecache.search_json(params, url_for("api.search"))
    research.note_search_json(body)
    return current_app.response_class(body, mimetype="application/json")


@bp.get("/api/releases/<release_id>")
def release(release_id: str) -> Response:
    return jsonify(contexts.release_context(release_id, request.args.get("q", "").strip()))


@bp.get("/api/stats")
def stats() -> Response:
    return jsonify(contexts.stats_context())


@bp.get("/healthz")
def health() -> Response:
    # IndexNotFound propagates to the error handler: 503 with how to build one.
    return jsonify({"status": "ok", "releases": current_archive().release_count()})


@bp.get("/livez")
def alive() -> Response:
    # The process answers: no index is touched, so a rebuilding or missing
    # index does not get a healthy worker restarted.
    return jsonify({"status": "alive"})


@bp.get("/api/openapi.json")
def openapi() -> Response:
    return jsonify(openapi_document())
