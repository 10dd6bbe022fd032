"""Research tools on the web: whole result sets as files, citations, the timeline as CSV,
and the editors' report of searches that found nothing.

One scheme for every download: an ``/api/`` endpoint with the search's own
parameters and ``format=``:

- ``/api/export?format=csv|jsonl|ris|bibtex[&text=1]&q=…`` every match, streamed;
- ``/api/timeline?format=json|csv&q=…`` counts per year (per month in a year);
- ``/api/releases/<id>/citation?format=json|ris|bibtex|csl-json``;
- ``/api/admin/zero-results`` (and the page ``/admin/zero-results``), bearer token.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Mapping
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    jsonify,
    render_template,
    request,
    url_for,
)
from werkzeug.exceptions import BadRequest, NotFound

from search import SearchRequest
from search.citation import CITATION_FORMATS, citation_file, citation_text, record_from_release
from search.export import FORMATS, export_chunks, permalink
from search.timeline import timeline
from search.zeroresults import ZeroResultsLog, outcome_of
from webui.archive import EXTENSION as ARCHIVE_EXTENSION
from webui.archive import current_archive
from webui.i18n import ui_lang
from webui.ingest import check_token
from webui.settings import setting

bp = Blueprint("research", __name__)
EXTENSION = "pressroom.zeroresults"
#: Search parameters a download carries over (paging is left out: a download is the whole set).
SEARCH_NAMES = ("q", "lang", "topic", "year", "month", "from", "to", "sort",
                "country", "org", "person")
TIMELINE_FORMATS = ("json", "csv")
#: Rows the admin report lists at most.
MAX_REPORT_ROWS = 1000


def _href(endpoint: str, pairs: list[tuple[str, str]]) -> str:
    return f"{url_for(endpoint)}?{urlencode(pairs)}"


def _search_pairs(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(k, v) for k, v in pairs if k in SEARCH_NAMES]


def search_links(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """Download links of a search page: the whole result set per format, the timeline."""
    kept = _search_pairs(pairs)
    return {
        "export": {fmt: _href("research.export", [("format", fmt), *kept]) for fmt in FORMATS},
        "timeline_csv": _href("research.timeline_view", [("format", "csv"), *kept]),
    }


def _request_from_args() -> SearchRequest:
    params = {k: v for k, v in request.args.to_dict(flat=False).items() if k in SEARCH_NAMES}
    return SearchRequest.from_params(params)


def _choice(name: str, allowed: tuple[str, ...] | Mapping[str, Any], default: str) -> str:
    value = (request.args.get(name) or default).strip().lower()
    if value not in allowed:
        raise BadRequest(f"{name} must be one of {', '.join(allowed)}, not {value!r}")
    return value


def _flag(name: str) -> bool:
    value = (request.args.get(name) or "0").strip().lower()
    if value not in ("0", "1", "true", "false", "yes", "no", ""):
        raise BadRequest(f"{name} must be 1 or 0, not {value!r}")
    return value in ("1", "true", "yes")


def _attachment(name: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{name}"'}


def site_url() -> str:
    """The address this site was reached at, for absolute permalinks."""
    return request.url_root.rstrip("/")


@bp.get("/api/export")
def export() -> Response:
    fmt = _choice("format", FORMATS, "csv")
    text = _flag("text")
    search_request = _request_from_args()
    # The matches are found here, so a bad request or a missing index is an error
    # response; only reading and writing the records is streamed.
    chunks = export_chunks(current_archive(), search_request, fmt, site_url(), text)
    kind = FORMATS[fmt]

    def body() -> Iterator[bytes]:
        for chunk in chunks:
            yield chunk.encode("utf-8")

    headers = {**_attachment(f"pressroom-export.{kind.extension}"),
               "X-Total-Count": str(chunks.total)}
    if chunks.partial:
        # The search hit its time limit: what was found is sent, and said to be partial.
        headers["X-Partial-Results"] = "true"
    return Response(body(), content_type=kind.media_type, headers=headers)


@bp.get("/api/timeline")
def timeline_view() -> Response:
    fmt = _choice("format", TIMELINE_FORMATS, "json")
    result = timeline(current_archive(), _request_from_args())
    if fmt == "csv":
        headers = _attachment(f"pressroom-timeline-{result.period}.csv")
        if result.partial:
            headers["X-Partial-Results"] = "true"
        return Response(result.to_csv(), content_type="text/csv; charset=utf-8", headers=headers)
    return jsonify(result.to_dict())


def citation_context(release: dict[str, Any]) -> dict[str, Any]:
    """The citation block of a release page: text in both interface languages, downloads."""
    link = permalink(site_url(), release["id"])
    record = record_from_release(release, link)
    today = dt.datetime.now(dt.UTC).date()
    return {
        "text": {lang: citation_text(record, lang, today) for lang in ("en", "ru")},
        "permalink": link,
        "downloads": {
            fmt: url_for("research.citation", release_id=release["id"], format=fmt)
            for fmt in CITATION_FORMATS
        },
    }


CITATION_TYPES = {
    "ris": ("application/x-research-info-systems; charset=utf-8", "ris"),
    "bibtex": ("application/x-bibtex; charset=utf-8", "bib"),
    "csl-json": ("application/vnd.citationstyles.csl+json; charset=utf-8", "json"),
}


@bp.get("/api/releases/<release_id>/citation")
def citation(release_id: str) -> Response:
    fmt = _choice("format", ("json", *CITATION_FORMATS), "json")
    release = current_archive().release(release_id)
    if release is None:
        raise NotFound(f"no release with id {release_id!r}")
    if fmt == "json":
        return jsonify({"id": release["id"], **citation_context(release)})
    link = permalink(site_url(), release["id"])
    body = citation_file(record_from_release(release, link), fmt, ui_lang(),
                         dt.datetime.now(dt.UTC).date())
    media_type, extension = CITATION_TYPES[fmt]
    safe_id = "".join(c if c.isalnum() or c in "-_" else "-" for c in release["id"])
    return Response(body, content_type=media_type,
                    headers=_attachment(f"pressroom-{safe_id}.{extension}"))


# ------------------------------------------------------------ the editors' report


def current_log() -> ZeroResultsLog:
    return current_app.extensions[EXTENSION]


def note_search(page: Mapping[str, Any]) -> None:
    """Count a search page that found nothing (or needed a fallback); never fails it."""
    log = current_log()
    if not log.enabled:
        return
    try:
        log.record(SearchRequest.from_params(page.get("query") or {}), page)
    except Exception:  # noqa: BLE001 - the report must never cost a search
        current_app.logger.exception("could not count a zero-results search")


#: What a page the report counts contains (found nothing, a correction applied, the
#: any-word fallback), compact or indented.  Inside JSON strings a quote is escaped, so
#: these only match keys; a false alarm costs one parse, and only such candidate pages are
#: parsed (0.5 ms for a page of 10 hits; the substring tests take microseconds).
_CANDIDATE_MARKS = (b'"total":0,', b'"total": 0,', b'"applied":true', b'"applied": true',
                    b'"mode":"any"', b'"mode": "any"')


def note_search_json(body: bytes) -> None:
    """``note_search`` for the API, which holds the page as JSON."""
    if current_log().enabled:
        page = _countable(body)
        if page is not None:
            note_search(page)


@lru_cache(maxsize=64)
def _countable(body: bytes) -> dict[str, Any] | None:
    """What the report reads of a JSON page, None when it has nothing to count.

    Remembered per body: a page from the page cache comes back as the very same
    bytes object, whose hash Python keeps, so a repeated search is neither scanned
    nor parsed again (both cost more than answering it from the cache).
    """
    if not any(mark in body for mark in _CANDIDATE_MARKS):
        return None
    page = json.loads(body)
    if outcome_of(page) is None:
        return None
    return {key: page.get(key) for key in ("query", "suggestion", "understood", "total")}


def _report_rows() -> list[dict[str, Any]]:
    check_token()
    since_text = (request.args.get("since") or "").strip()
    try:
        since = dt.date.fromisoformat(since_text) if since_text else None
    except ValueError:
        raise BadRequest(f"since must be a date written YYYY-MM-DD, not {since_text!r}") from None
    try:
        limit = int(request.args.get("limit") or 100)
    except ValueError:
        raise BadRequest("limit must be a whole number") from None
    if not 1 <= limit <= MAX_REPORT_ROWS:
        raise BadRequest(f"limit must be between 1 and {MAX_REPORT_ROWS}")
    log = current_log()
    log.flush()
    return log.report(since=since, limit=limit)


def _report(rows: list[dict[str, Any]]) -> dict[str, Any]:
    log = current_log()
    return {"recording": log.enabled, "retention_days": log.retention.days, "searches": rows}


@bp.get("/api/admin/zero-results")
def zero_results_json() -> Response:
    return jsonify(_report(_report_rows()))


@bp.get("/admin/zero-results")
def zero_results_page() -> str:
    return render_template("zero_results.html", report=_report(_report_rows()))


def init_app(app: Flask) -> None:
    app.config.setdefault("ZERO_RESULTS_LOG", setting("ZERO_RESULTS_LOG"))
    app.config.setdefault("ZERO_RESULTS_RETENTION_DAYS", setting("ZERO_RESULTS_RETENTION_DAYS"))
    # The report lives beside the index: <index root>/reports.sqlite3.
    app.extensions[EXTENSION] = ZeroResultsLog(
        app.extensions[ARCHIVE_EXTENSION].root, enabled=bool(app.config["ZERO_RESULTS_LOG"]),
        retention_days=int(app.config["ZERO_RESULTS_RETENTION_DAYS"]))
    app.register_blueprint(bp)

