"""HTML pages.  Each renders the dict its JSON twin in ``webui.api`` serves."""

from __future__ import annotations

from flask import Blueprint, Response, redirect, render_template, request, url_for

from webui import contexts, feed, i18n, pagecache, research
from webui.archive import current_archive

bp = Blueprint("pages", __name__)


@bp.get("/")
@bp.get("/search")
def search() -> str:
    page = pagecache.search_page(request.args.to_dict(flat=False), url_for("pages.search"),
                                 i18n.ui_lang())
    research.note_search(page)
    return render_template("search.html", page=page)


@bp.post("/search", endpoint="search_passage")
def search_passage() -> str:
    """A pasted passage too long for a comfortable address: the same page, from a form."""
    page = pagecache.search_page(_form_params(), url_for("pages.search"), i18n.ui_lang())
    research.note_search(page)
    return render_template("search.html", page=page)


def _form_params() -> dict[str, list[str]]:
    params = request.args.to_dict(flat=False)
    params.update(request.form.to_dict(flat=False))
    return params


@bp.get("/releases/<release_id>")
def release(release_id: str) -> str:
    data = contexts.release_context(release_id, request.args.get("q", "").strip(),
                                    request.args.to_dict(flat=False), i18n.ui_lang())
    return render_template("release.html", release=data)


@bp.get("/stats")
def stats() -> str:
    return render_template("stats.html", stats=contexts.stats_context())


@bp.get("/search.atom", endpoint="feed")
def feed_view() -> Response:
    params = request.args.to_dict(flat=False)
    params["sort"] = ["newest"]  # a feed lists what is new
    params.pop("page", None)
    page = pagecache.search_page(params, url_for("pages.search"))
    # An empty feed is as new as the index (not 1970).
    updated = None if page["hits"] else current_archive().stats().get("last_update")
    body = feed.atom_feed(page, request.url, request.host_url, updated)
    return Response(body, mimetype="application/atom+xml")


@bp.get("/ui-language")
def ui_language() -> Response:
    """The language switch: remember the choice in a cookie and go back."""
    lang = request.args.get("ui", "").lower()
    response = redirect(i18n.local_target(request.args.get("next")), code=303)
    if lang in i18n.UI_LANGUAGES:
        i18n.remember(response, lang)
    return response
