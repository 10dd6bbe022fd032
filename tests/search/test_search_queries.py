"""Everyday queries through the JSON API, on the bundled samples plus the seed (issue 14)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import search_corpus as sc

from search.query import parse

ANY_NOTE = "no release contains all the words"
#: The seed beside the checkout (../shared), or where PRESSROOM_SEED says (a git worktree).
SEED = Path(os.environ.get("PRESSROOM_SEED", sc.SEED))


@pytest.fixture(scope="module")
def seeded_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """samples/ and the seed release; skipped where ../shared is absent."""
    from indexer.store import Store

    if not SEED.exists():
        pytest.skip(f"no seed release at {SEED}")
    root = tmp_path_factory.mktemp("seeded-index")
    Store(root).index_paths([sc.REPO / "samples", SEED])
    return root


@pytest.fixture(scope="module")
def api(seeded_index: Path):
    from webui import create_app

    app = create_app({"TESTING": True, "INDEX": str(seeded_index), "ZERO_RESULTS_LOG": False})
    return app.test_client()


def _search(api, query: str) -> dict:
    response = api.get(f"/api/search?{query}")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_json()


def _notes(body: dict) -> list[str]:
    return [n["en"] for n in body["understood"]["notes"]]


# ---------------------------------------------------------------- item 1: stop words

@pytest.mark.parametrize(("with_stop", "without"), [
    ("Minister of Foreign Affairs", "Minister Foreign Affairs"),
    ("the Caspian Sea", "Caspian Sea"),
    ("negotiations with Armenia", "negotiations Armenia"),
    ("переговоры с Арменией", "переговоры Арменией"),
    ("визит в Баку", "визит Баку"),
    ("министр иностранных дел и посол", "министр иностранных дел посол"),
])
def test_stop_word_is_never_required(api, with_stop: str, without: str) -> None:
    stopped = _search(api, f"q={with_stop}")
    plain = _search(api, f"q={without}")
    assert plain["total"] > 0
    assert stopped["total"] == plain["total"]
    assert stopped["understood"]["mode"] == "all"
    assert not any(ANY_NOTE in n for n in _notes(stopped))


@pytest.mark.parametrize("q", ["the", "и", "of the"])
def test_only_stop_words_get_a_note(api, q: str) -> None:
    body = _search(api, f"q={q}")
    assert any("too common" in n for n in _notes(body)), body["understood"]


def test_stop_word_keeps_its_place_in_a_phrase(api) -> None:
    assert _search(api, 'q="Minister of Foreign Affairs"')["total"] > 0
    assert _search(api, 'q="Affairs of Foreign Minister"')["total"] == 0


def test_stop_words_leave_the_parse() -> None:
    assert parse("Minister of Foreign Affairs").render() == "Minister AND Foreign AND Affairs"
    assert parse('"Minister of Foreign Affairs"').render() == '"Minister of Foreign Affairs"'
    assert parse("of OR Armenia").render() == "(of OR Armenia)"


# ---------------------------------------------------------------- item 3: date bounds

def test_year_bounds_answer(api) -> None:
    body = _search(api, "from=2017&to=2018")
    assert body["query"]["from"] == "2017-01-01" and body["query"]["to"] == "2018-12-31"
    assert body["total"] == _search(api, "from=2017-01-01&to=2018-12-31")["total"] > 0
    month = _search(api, "from=2017&to=2018-06")
    assert month["query"]["to"] == "2018-06-30"


# ---------------------------------------------------------------- item 4: several years

def test_several_years_find_the_sum(api) -> None:
    both = _search(api, "year=2017&year=2018")
    one, other = _search(api, "year=2017"), _search(api, "year=2018")
    assert one["total"] and other["total"]
    assert both["total"] == one["total"] + other["total"]
    assert both["query"]["years"] == [2017, 2018]
    selected = {v["value"] for v in both["facets"]["year"] if v["selected"]}
    assert selected == {"2017", "2018"}
    # Disjunctive counts: each year's count is what picking it alone finds.
    counts = {v["value"]: v["count"] for v in both["facets"]["year"]}
    assert counts["2017"] == one["total"] and counts["2018"] == other["total"]


def test_year_facet_adds_a_year(api) -> None:
    page = api.get("/search?year=2017").get_data(as_text=True)
    assert "year=2017&amp;year=2018" in page


# ---------------------------------------------------------------- item 5: past the end

def test_page_past_the_end_says_so(api) -> None:
    body = _search(api, "q=Caspian&page=50")
    assert body["total"] > 0 and body["past_end"]
    assert any("past the end" in n for n in _notes(body))
    html = api.get("/search?q=Caspian&page=50").get_data(as_text=True)
    assert 'id="past-end"' in html and f"page={body['pages']}" in html
    assert "No releases match" not in html


# ---------------------------------------------------------------- item 6: emptied by a filter

def test_filter_that_empties_a_search_is_named(api) -> None:
    body = _search(api, "q=Caspian&lang=ru")
    assert body["total"] == 0
    assert [e["filter"] for e in body["emptied_by"]] == ["lang"]
    assert body["emptied_by"][0]["total"] == _search(api, "q=Caspian")["total"]
    html = api.get("/search?q=Caspian&lang=ru").get_data(as_text=True)
    assert 'id="emptied-by"' in html and 'href="/search?q=Caspian"' in html


# ---------------------------------------------------------------- item 2: pasted passages

def _russian_paragraph(chars: int = 1300) -> str:
    """About ``chars`` characters of the seed's Russian text, cut at a word."""
    from indexer.inputs.sources import read_releases

    body = read_releases(SEED)[0].versions["ru"].body
    text = " ".join(body.split())
    assert len(text) > chars
    return text[:text.rfind(" ", 0, chars)]


def _seed_id() -> str:
    from indexer.inputs.sources import read_releases

    return read_releases(SEED)[0].id


def test_pasted_russian_paragraph_through_the_api(api) -> None:
    paragraph = _russian_paragraph()
    assert len(paragraph) >= 1250
    for response in (api.get("/api/search", query_string={"q": paragraph}),
                     api.post("/api/search", data={"q": paragraph})):
        assert response.status_code == 200
        body = response.get_json()
        assert body["hits"][0]["id"] == _seed_id()
        assert any("long passage" in n for n in _notes(body))


def test_pasted_paragraph_on_the_page_says_how_it_was_read(api) -> None:
    paragraph = _russian_paragraph()
    for response in (api.get("/search", query_string={"q": paragraph}),
                     api.post("/search", data={"q": paragraph})):
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        assert "searched for releases most like it" in html
        assert f"/releases/{_seed_id()}" in html


def test_typed_queries_are_not_passages() -> None:
    from search.passage import is_passage

    assert not is_passage("Minister of Foreign Affairs")
    assert not is_passage(" ".join(["word"] * 60) + ' "a phrase"')
    assert is_passage(" ".join(["word"] * 60))


# ---------------------------------------------------------------- item 7: home page sort

def test_home_page_sort_menu_says_newest(client) -> None:
    import re

    html = client.get("/").get_data(as_text=True)
    menu = html[html.index('<select id="sort"'):]
    menu = menu[:menu.index("</select>")]
    selected = re.findall(r'<option value="(\w+)" selected', menu)
    assert selected == ["newest"]
    assert 'value="relevance"' not in menu
    searched = client.get("/search?q=Caspian").get_data(as_text=True)
    assert '<option value="relevance" selected' in searched


# ---------------------------------------------------------------- item 15: empty feed date

def test_empty_feed_is_dated_by_the_index(client) -> None:
    from xml.etree import ElementTree as ET

    body = client.get("/search.atom?q=zzzzqqqxxy").get_data()
    updated = ET.fromstring(body).find("{http://www.w3.org/2005/Atom}updated").text
    assert not updated.startswith("1970")
    stats = client.get("/api/stats").get_json()
    assert updated == stats["last_update"].replace("+00:00", "Z")


# ---------------------------------------------------------------- item 14: release JSON text

def test_release_json_carries_plain_text_and_marked_html(tmp_path) -> None:
    import datetime as dt

    from indexer.release import Release, Version
    from webui import create_app

    body = 'He said "no" to <script>alert(1)</script> & left.'
    release = Release(versions={"en": Version("en", 'A "quoted" <b>title</b>', body)},
                      date=dt.date(2019, 1, 1), number="1/19", url="https://example.org/1",
                      topics=[])
    root = sc.build_index([release], tmp_path)
    app = create_app({"TESTING": True, "INDEX": str(root), "ZERO_RESULTS_LOG": False})
    client = app.test_client()
    rid = client.get("/api/search").get_json()["hits"][0]["id"]
    version = client.get(f"/api/releases/{rid}?q=script").get_json()["versions"][0]
    assert version["paragraphs"] == [body]
    assert version["title"] == 'A "quoted" <b>title</b>'
    assert "&lt;<mark>script</mark>&gt;" in version["paragraphs_html"][0]
    assert "&quot;quoted&quot;" in version["title_html"]
    page = client.get(f"/releases/{rid}?q=script").get_data(as_text=True)
    assert "<script>alert" not in page and "&lt;<mark>script</mark>&gt;" in page


# ---------------------------------------------------------------- item 16: across versions

def test_language_counts_account_for_every_hit(api) -> None:
    # "neighborly" stands in the English text only, "каспийском" in the Russian only
    # ("Lavrov" no longer does: the Russian "Лавровым" meets it, issue 12).
    body = _search(api, "q=neighborly каспийском")
    assert body["total"] > 0
    counted = {v["value"]: v["count"] for v in body["facets"]["language"]}
    assert counted.get("across", 0) > 0
    assert sum(counted.values()) >= body["total"]
    hits_in_a_language = _search(api, "q=neighborly каспийском&lang=en")["total"] + _search(
        api, "q=neighborly каспийском&lang=ru")["total"]
    assert counted["across"] >= body["total"] - hits_in_a_language
    html = api.get("/search?q=neighborly+каспийском").get_data(as_text=True)
    assert "across two versions only" in html


# ---------------------------------------------------------------- item 9: Russian leads in Russian

def test_russian_interface_shows_russian_versions_first(app) -> None:
    import re

    client = app.test_client()
    english = client.get("/?ui=en").get_data(as_text=True)
    russian = client.get("/?ui=ru").get_data(as_text=True)
    shown_en = re.findall(r'<article class="hit" lang="(\w+)"', english)
    shown_ru = re.findall(r'<article class="hit" lang="(\w+)"', russian)
    assert shown_en.count("en") > shown_en.count("ru")
    assert shown_ru.count("ru") > shown_ru.count("en")
    # The other version stays beside it, marked with its language.
    assert 'class="hit__other-title" lang="en"' in russian
    rid = re.search(r'href="/releases/([^"?]+)"', russian).group(1)
    release = client.get(f"/releases/{rid}?ui=ru").get_data(as_text=True)
    assert release.index('<section class="version" lang="ru"') < release.index(
        '<section class="version" lang="en"')
    release = client.get(f"/releases/{rid}?ui=en").get_data(as_text=True)
    assert release.index('<section class="version" lang="en"') < release.index(
        '<section class="version" lang="ru"')


# ---------------------------------------------------------------- item 10: back to the results

def test_back_link_keeps_the_whole_search(client) -> None:
    import html as htmllib
    import re

    page = client.get("/search?q=Caspian&lang=en&sort=newest&page=2&per_page=3").get_data(
        as_text=True)
    link = htmllib.unescape(re.search(r'class="hit__title"><a href="([^"]+)"', page).group(1))
    release = client.get(link).get_data(as_text=True)
    back = htmllib.unescape(re.search(r'class="release__back"><a href="([^"]+)"', release).group(1))
    assert back.startswith("/search?")
    for part in ("q=Caspian", "lang=en", "sort=newest", "page=2", "per_page=3"):
        assert part in back


# ---------------------------------------------------------------- README: ingest said at start

def test_server_start_says_whether_ingest_is_on() -> None:
    from webui.serve import ingest_line

    assert ingest_line(False).startswith("Ingest is off")
    assert "PRESSROOM_ADMIN_TOKEN" in ingest_line(False)
    assert ingest_line(True).startswith("Ingest is on")


# ---------------------------------------------------------------- item 2 through the real server

def test_pasted_paragraph_through_pressroom_serve(seeded_index, tmp_path) -> None:
    """gunicorn, not the test client: a 1,300-character Russian paragraph in the address
    (about 14 KB percent-encoded) is a product page, never the server's 414."""
    import json
    from urllib.parse import quote

    from served import Server, get

    paragraph = _russian_paragraph()
    server = Server(seeded_index, tmp_path, "--workers", "1", "--threads", "2")
    try:
        assert server.wait_for_line(lambda line: line.startswith("Ingest is on"))
        status, headers, body = get(server.port, "/api/search?q=" + quote(paragraph))
        assert status == 200, body[:300]
        page = json.loads(body)
        assert page["hits"][0]["id"] == _seed_id()
        assert any("long passage" in n for n in _notes(page))
        status, headers, body = get(server.port, "/search?q=" + quote(paragraph))
        assert status == 200 and headers["Content-Type"].startswith("text/html")
        assert "searched for releases most like it" in body.decode()
    finally:
        server.stop()
