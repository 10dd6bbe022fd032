"""One error shape, ``{"error": {"status", "message"}}``, mapped in one handler.

API requests get it as JSON; HTML pages render the error page from the very
same dict.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, current_app, jsonify, render_template, request
from flask_babel import gettext
from werkzeug.exceptions import HTTPException, InternalServerError, default_exceptions

from indexer.location import IndexNotFound as LocationIndexNotFound
from indexer.store import DiskFull, IndexBusy, IndexUnwritable
from search import IndexNotFound, QueryError
from webui.i18n import ui_lang

#: Seconds a client should wait before retrying while another writer holds the index.
RETRY_AFTER_SECONDS = 5

#: WSGI environ key through which the server hands the application a request it
#: refused itself (malformed, or over a size limit) as ``(status, message)``, so
#: that the answer has the product's error shape and headers (webui/worker.py).
SERVER_ERROR_KEY = "pressroom.server_error"

NO_INDEX_HINT = (
    "no index yet: build one with `pressroom index --index DIR PATH` "
    "(or `make run` for the bundled sample corpus)"
)


def error_dict(status: int, message: str) -> dict[str, Any]:
    return {"error": {"status": status, "message": message}}


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.path in ("/healthz", "/livez")


def classify(exc: Exception) -> tuple[int, str, dict[str, str]]:
    """Status, message and extra headers of an exception."""
    if isinstance(exc, HTTPException):
        headers = {k: v for k, v in exc.get_headers() if k.lower() != "content-type"}
        return exc.code or 500, exc.description or exc.name, headers
    if isinstance(exc, QueryError):
        return 400, str(exc), {}
    if isinstance(exc, IndexNotFound | LocationIndexNotFound):
        message = str(exc) or NO_INDEX_HINT
        if "pressroom index" not in message:
            message = f"{message}: {NO_INDEX_HINT}"
        return 503, message, {}
    if isinstance(exc, IndexBusy):
        message = f"the index is busy with another writer; retry in {RETRY_AFTER_SECONDS} s"
        return 503, message, {"Retry-After": str(RETRY_AFTER_SECONDS)}
    if isinstance(exc, IndexUnwritable):
        # An operator must act (free space, make the folder writable): worth a log line.
        current_app.logger.error("index write refused on %s: %s", request.path, exc)
        # 507 Insufficient Storage; a read-only index is a service unavailable for writes.
        return (507 if isinstance(exc, DiskFull) else 503), str(exc), {}
    current_app.logger.exception("unhandled error on %s", request.path)
    return 500, "internal error: the server could not answer this request", {}


def page_message(status: int) -> str:
    """The explanation an error page gives in the interface language."""
    if status == 404:
        return gettext("No release or page has this address.")
    if status == 503:
        return gettext("There is no index yet, or it is busy. Build one with "
                       "`pressroom index PATH` (or `make run` for the sample corpus).")
    return gettext("The request could not be answered.")


def handle_error(exc: Exception) -> Response:
    status, message, headers = classify(exc)
    body = error_dict(status, message)
    if wants_json():
        response = jsonify(body)
    else:
        page = error_dict(status, message)
        # A page speaks the interface's language; the API keeps one (English) message.
        page["error"]["lang"] = "en"
        if ui_lang() != "en":
            localized = exc.ru if isinstance(exc, QueryError) else page_message(status)
            page["error"].update(message=localized, lang=ui_lang())
        response = current_app.make_response(render_template("error.html", **page))
    response.status_code = status
    response.headers.update(headers)
    return response


def raise_server_error() -> None:
    """Answer a request the server refused with its status and message (before routing)."""
    refused = request.environ.get(SERVER_ERROR_KEY)
    if refused:
        status, message = refused
        raise default_exceptions.get(status, InternalServerError)(message)


def init_app(app: Flask) -> None:
    app.register_error_handler(Exception, handle_error)
    app.before_request(raise_server_error)
