"""``POST /api/releases``: add releases to the index over HTTP.

Accepts one JSON release record, a JSON list of them, or uploaded release
files (multipart field ``file``, once or more, any format the indexer reads).  Writes go
through ``indexer.store.Store``, the single-writer path; a malformed record
fails the whole request before anything is indexed.
"""

from __future__ import annotations

import hmac
import json

from flask import Blueprint, Response, current_app, jsonify, request
from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import (
    BadRequest,
    Forbidden,
    NotFound,
    RequestEntityTooLarge,
    Unauthorized,
)

from indexer.inputs.records import release_from_record
from indexer.inputs.sources import parse_bytes
from indexer.release import Release, ReleaseError
from indexer.store import Store
from webui.archive import current_root

bp = Blueprint("ingest", __name__)


def check_token() -> None:
    """404 when ingest is off, 401 without a bearer token, 403 with a wrong one."""
    expected = current_app.config.get("ADMIN_TOKEN") or ""
    if not expected:
        # Off: indistinguishable from a route that does not exist.
        raise NotFound("ingest is off: set PRESSROOM_ADMIN_TOKEN to turn it on")
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        raise Unauthorized(
            "send the admin token as `Authorization: Bearer <token>`",
            www_authenticate=WWWAuthenticate("bearer", {"realm": "pressroom"}),
        )
    if not hmac.compare_digest(given.strip().encode(), expected.encode()):
        raise Forbidden("the token is not the admin token")


def releases_from_request() -> list[Release]:
    """The releases in the request body, or BadRequest saying what is wrong."""
    try:
        if request.files:
            return releases_from_files()
        body = request_body()
        if not body.strip():
            raise BadRequest(
                "send a JSON release record, a JSON list of records, or a file in field `file`"
            )
        try:
            parsed = json.loads(body)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise BadRequest(f"the body is not valid JSON: {exc}") from None
        except RecursionError:
            # json.loads recurses once per nesting level; no release is nested that deep.
            raise BadRequest("the body is not a release record: JSON nested too deeply") from None
        if isinstance(parsed, list):
            if not parsed:
                raise BadRequest("the list of records is empty")
            return [
                release_from_record(item, where=f"record {i + 1}") for i, item in enumerate(parsed)
            ]
        return [release_from_record(parsed)]
    except ReleaseError as exc:
        raise BadRequest(f"nothing indexed: {exc}") from None


def releases_from_files() -> list[Release]:
    """The releases of every file uploaded in field ``file``; all or nothing."""
    others = sorted(set(request.files) - {"file"})
    if others:
        raise BadRequest(f"upload release files in the multipart field `file`, not "
                         f"{', '.join(f'`{name}`' for name in others)}")
    releases: list[Release] = []
    for upload in request.files.getlist("file"):
        name = upload.filename or ""
        data = upload.read()
        if not data:
            raise BadRequest(f"the uploaded file {name!r} is empty" if name
                             else "the uploaded file is empty")
        releases.extend(parse_bytes(data, name))
    return releases


def request_body() -> bytes:
    """The whole body; 413 past the upload limit, for a chunked body too.

    Werkzeug stops reading a body of unknown length (Transfer-Encoding: chunked)
    at the limit without saying so: the cut body would be indexed or fail as bad
    JSON.  One byte more in the server's stream means it was over the limit.
    """
    body = request.get_data(cache=False)
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if request.content_length is None and limit is not None and len(body) >= limit:
        if request.environ["wsgi.input"].read(1):
            raise RequestEntityTooLarge(f"the body is over the upload limit of {limit} bytes")
    return body


@bp.post("/api/releases")
def add_releases() -> Response:
    check_token()
    releases = releases_from_request()
    store = Store(current_root())
    store.actor, store.origin = "POST /api/releases", request.remote_addr or ""
    summary = store.add_releases(releases)
    body = summary.to_dict()
    changed = bool(body.get("added") or body.get("updated"))
    response = jsonify(body)
    response.status_code = 201 if changed else 200
    return response


@bp.delete("/api/releases/<release_id>")
def delete_release(release_id: str) -> Response:
    """Delete one release, committed at once; 404 when the index does not hold it
    (a second DELETE of the same id: the release stays gone)."""
    check_token()
    store = Store(current_root())
    store.actor, store.origin = "DELETE /api/releases", request.remote_addr or ""
    summary = store.delete([release_id])
    if not summary.deleted:
        raise NotFound(f"no release {release_id!r} in the index")
    return jsonify(summary.to_dict())
