"""HTML pages: they show their JSON twin's data, escape, speak two languages, send headers."""

from __future__ import annotations

import html
import re
from xml.etree import ElementTree as ET

import pytest

from webui import create_app
from webui.feed import plain
from webui.security import CONTENT_SECURITY_POLICY
from webui.serve import PressroomServer, gunicorn_options

ATOM = "{http://www.w3.org/2005/Atom}"


def on_page(url: str) -> str:
    """A link of the JSON twin as the HTML page has it (same query, page path)."""
    return url.replace("/api/search", "/search", 1)


def text_of(response) -> str:
    assert response.status_code == 200, response.data[:300]
    return html.unescape(response.get_data(as_text=True))


def test_search_page_shows_the_json_twin(client):
    query = "q=министры&sort=newest"
    page = text_of(client.get(f"/search?{query}"))
    twin = client.get(f"/api/search?{query}").get_json()
    assert twin["hits"]
    for hit in twin["hits"]:
        assert plain(hit["title"]) in re.sub(r"</?mark>", "", page)
        assert hit["release_url"] in page
        for other in hit["other_languages"]:
            assert hit["titles"][other] in page
    for value in twin["facets"]["topic"]:
        assert value["label"]["en"] in page
        assert on_page(value["toggle_url"]) in page
    assert f"{twin['total']} releases found" in page
    assert 'type="application/atom+xml"' in page and twin["links"]["atom"] in page
    assert '<label class="search-form__label" for="q">' in page
    assert "<mark>" in page


def test_browse_page_lists_newest_first(client):
    page = text_of(client.get("/"))
    twin = client.get("/api/search").get_json()
    dates = [hit["date"] for hit in twin["hits"]]
    assert dates == sorted(dates, reverse=True)
    assert "Newest releases" in page
    for bar in twin["histogram"]:
        assert on_page(bar["url"]) in page and f"level-{bar['level']}" in page


def test_chips_and_suggestion_links(client):
    page = text_of(client.get("/search?q=vbybcnh&topic=visits&from=2012-01-01"))
    twin = client.get("/api/search?q=vbybcnh&topic=visits&from=2012-01-01").get_json()
    assert twin["suggestion"]["q"] == "министр"
    assert on_page(twin["suggestion"]["url"]) in page and "министр" in page
    assert {chip["name"] for chip in twin["chips"]} == {"topic", "from"}
    for chip in twin["chips"]:
        assert on_page(chip["remove_url"]) in page
    # "Clear all filters" keeps the query (links.clear, not the dict's clear method).
    assert f'class="chips__clear" href="{on_page(twin["links"]["clear"])}"' in page
    assert "January 1, 2012" in page


def test_release_page_shows_both_languages(client):
    twin = client.get("/api/releases/mfa-2021-118?q=energy").get_json()
    response = client.get("/releases/mfa-2021-118?q=energy")
    page = text_of(response)
    body = response.get_data(as_text=True)
    assert {v["lang"] for v in twin["versions"]} == {"en", "ru"}
    for version in twin["versions"]:
        assert f'<section class="version" lang="{version["lang"]}"' in body
        assert plain(version["title"]) in re.sub(r"</?mark>", "", page)
    assert "<mark>Energy</mark>" in body
    assert twin["url"] in page and "June 3, 2021" in page
    for topic in twin["topic_links"]:
        assert topic["url"] in page
    for hit in twin["more_like_this"]:
        assert hit["release_url"] in page
    assert client.get("/releases/no-such-release").status_code == 404


def test_stats_page_shows_the_counts(client):
    page = text_of(client.get("/stats"))
    twin = client.get("/api/stats").get_json()
    assert f"<dd>{twin['releases']}</dd>" in page
    for topic in twin["topics"]:
        assert topic["label"]["en"] in page and topic["url"] in page


def test_markup_in_the_query_is_escaped(client):
    response = client.get("/search?q=<script>alert(1)</script>%20министр")
    body = response.get_data(as_text=True)
    assert "<script>alert" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


@pytest.mark.parametrize("path", ["/", "/releases/mfa-2021-118", "/stats"])
def test_pages_need_no_inline_script_or_style(client, path):
    body = client.get(path).get_data(as_text=True)
    assert not re.search(r"<script(?![^>]*\ssrc=)", body)
    assert " style=" not in body and "<style" not in body
    # No external resources (the citation's permalink is this site's own address).
    assert "http://" not in body.replace('xmlns="http://', "").replace("http://localhost/", "")
    for landmark in ("<header", "<nav", "<main", "<footer", 'class="skip-link"'):
        assert landmark in body


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/api/search?q=x",
        "/api/releases/nope",
        "/static/pressroom.css",
        "/search.atom",
        "/nope",
    ],
)
def test_security_headers_on_every_response(client, path):
    with client.get(path) as response:
        headers = response.headers
    assert headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert (
        "script-src 'self'" in CONTENT_SECURITY_POLICY and "unsafe" not in CONTENT_SECURITY_POLICY
    )
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"


def test_interface_language_follows_accept_language(client):
    page = text_of(client.get("/search?q=министр", headers={"Accept-Language": "ru-RU,ru;q=0.9"}))
    assert '<html lang="ru">' in page
    assert "Поиск по архиву пресс-релизов" in page
    assert re.search(r"Найден[оа]? \d+ пресс-релиз", page)
    assert "Конфликты и безопасность" in page  # facet label in the interface language
    english = text_of(client.get("/search?q=министр", headers={"Accept-Language": "en-GB"}))
    assert '<html lang="en">' in english and "releases found" in english


def test_interface_language_switch_is_remembered(app):
    client = app.test_client()
    response = client.get("/ui-language?ui=ru&next=/stats%3Fx%3D1")
    assert response.status_code == 303 and response.headers["Location"] == "/stats?x=1"
    assert "ui_lang=ru" in response.headers["Set-Cookie"]
    page = text_of(client.get("/releases/mfa-2021-118", headers={"Accept-Language": "en"}))
    assert "3 июня 2021" in page and "Похожие пресс-релизы" in page
    assert client.get("/ui-language?ui=en&next=/").headers["Location"] == "/"
    assert "Similar" not in text_of(client.get("/stats"))
    assert "Archive overview" in text_of(client.get("/stats"))
    # ?ui= works on any page and is remembered too.
    assert "Обзор архива" in text_of(client.get("/stats?ui=ru"))
    assert "Обзор архива" in text_of(client.get("/stats"))


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/x",
        "javascript:x",
        "/\\evil.example/x",
        # A CR LF in the target was a 500 (no header may hold one), not a redirect.
        "/\r\nSet-Cookie: x=1",
        "/search?q=a\x00b",
    ],
)
def test_language_switch_does_not_redirect_off_site(client, target):
    response = client.get("/ui-language", query_string={"ui": "ru", "next": target})
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    assert "x=1" not in response.headers.get("Set-Cookie", "")


def test_language_switch_links_come_back_here(client):
    page = client.get("/search?q=министр&topic=energy").get_data(as_text=True)
    assert 'href="/ui-language?ui=ru&amp;next=%2Fsearch%3Fq%3D' in page


def test_atom_feed_is_valid_atom_with_entries(client):
    response = client.get("/search.atom?q=energy&topic=energy")
    assert response.mimetype == "application/atom+xml"
    feed = ET.fromstring(response.data)
    assert feed.tag == f"{ATOM}feed"
    for tag in ("id", "title", "updated", "author"):
        assert feed.find(f"{ATOM}{tag}") is not None, tag
    rels = {link.get("rel"): link.get("href") for link in feed.findall(f"{ATOM}link")}
    assert rels["self"].startswith("http://localhost/search.atom?")
    assert rels["alternate"].startswith("http://localhost/search?")
    entries = feed.findall(f"{ATOM}entry")
    twin = client.get("/api/search?q=energy&topic=energy&sort=newest").get_json()
    assert len(entries) == len(twin["hits"]) > 0
    updated = [e.findtext(f"{ATOM}updated") for e in entries]
    assert updated == sorted(updated, reverse=True)
    for entry, hit in zip(entries, twin["hits"], strict=True):
        assert entry.findtext(f"{ATOM}id") == f"http://localhost/releases/{hit['id']}"
        assert entry.findtext(f"{ATOM}title") == plain(hit["title"])
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT00:00:00Z", entry.findtext(f"{ATOM}updated"))
        assert entry.find(f"{ATOM}link").get("href").endswith(f"/releases/{hit['id']}")
        assert entry.find(f"{ATOM}summary").get("type") == "html"


def test_error_pages_render_the_error_dict(client):
    response = client.get("/search?from=someday")
    assert response.status_code == 400
    page = html.unescape(response.get_data(as_text=True))
    assert "from must be a date" in page and "<html" in page
    missing = client.get("/no/such/page")
    assert missing.status_code == 404 and "Not found" in missing.get_data(as_text=True)


def test_serve_configures_gunicorn_with_threads(tmp_path):
    options = gunicorn_options("127.0.0.1", 8123, 3, 5)
    server = PressroomServer(options, {"INDEX": str(tmp_path)})
    assert server.cfg.bind == ["127.0.0.1:8123"]
    assert server.cfg.workers == 3 and server.cfg.threads == 5
    # Whole requests are read before a thread answers (slow clients hold no thread).
    assert server.cfg.worker_class_str == "webui.worker.BufferingWorker"
    # No per-user control socket that a second server would take over.
    assert server.cfg.control_socket_disable
    app = server.load()
    assert app.config["INDEX"] == str(tmp_path)


def test_app_starts_without_an_index(tmp_path):
    app = create_app({"TESTING": True, "INDEX": str(tmp_path / "none")})
    response = app.test_client().get("/stats")
    assert response.status_code == 503
    assert "pressroom index" in response.get_data(as_text=True)


def test_how_the_query_was_understood_speaks_the_interface_language(client):
    data = client.get("/api/search?q=vbybcnh").get_json()
    note = data["understood"]["notes"][0]
    assert "keyboard layout" in note["en"] and "раскладке" in note["ru"]
    russian = text_of(client.get("/search?q=vbybcnh", headers={"Accept-Language": "ru"}))
    english = text_of(client.get("/search?q=vbybcnh", headers={"Accept-Language": "en"}))
    assert "раскладке" in russian and "keyboard layout" not in russian
    assert "keyboard layout" in english and "раскладке" not in english


def test_a_bad_search_explains_itself_in_the_interface_language(client):
    russian = client.get("/search?from=2020-13-01", headers={"Accept-Language": "ru"})
    assert russian.status_code == 400
    assert "должно быть датой" in html.unescape(russian.get_data(as_text=True))
    api = client.get("/api/search?from=2020-13-01", headers={"Accept-Language": "ru"})
    assert "must be a date" in api.get_json()["error"]["message"]


def test_a_missing_release_page_speaks_russian_too(client):
    response = client.get("/releases/no-such-release", headers={"Accept-Language": "ru"})
    assert response.status_code == 404
    assert "По этому адресу нет" in html.unescape(response.get_data(as_text=True))
