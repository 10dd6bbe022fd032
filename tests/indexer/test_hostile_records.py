"""Hostile records (issue 10, part 2): refused or made safe at input, harmless at output.

The output tests write their values straight into an index, past every input
check (a ``Release`` is changed after it was built, which skips its checks):
an index built by an older version, or by a bug, must never break a page.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from indexer.inputs.records import parse_json_text, release_from_record
from indexer.inputs.sources import parse_bytes, read_releases
from indexer.release import Release, ReleaseError, Version
from indexer.store import Store
from webui import create_app

ATOM = "{http://www.w3.org/2005/Atom}"

RECORD = {
    "id": "mfa-2017-332",
    "date": "2017-11-21",
    "url": "https://mfa.example.org/en/news/332-17",
    "en": {"title": "Ministers met", "body": "The ministers met in Baku."},
}


def hostile(rid: str, **changes) -> Release:
    """A release whose fields are set after its checks ran, as an old index may hold them."""
    release = Release(
        versions={"en": Version("en", f"Energy talks {rid}", "The ministers discussed energy.")},
        date=dt.date(2017, 11, 21), id=rid,
    )
    for name, value in changes.items():
        setattr(release, name, value)
    return release


@pytest.fixture(scope="module")
def hostile_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hostile-index")
    releases = [
        hostile("h-topic", topics=["Energy", "Caspian Sea", "энергетика"]),
        hostile("h-date", date=dt.date(999, 12, 31)),
        hostile("h-lang", versions={
            "en-gb": Version("en-gb", "Energy talks in British", "The ministers met on energy."),
            "Meta": Version("Meta", "Energy meta", "Energy meta body text."),
        }),
        hostile("h-control", versions={"en": Version(
            "en", "Energy\u000btitle \u0001 \ufffe", "Energy body \u0001 with \u001f controls.")},
            topics=["energy\u0001"]),
        hostile("h-url", url="javascript:alert(document.cookie)"),
        hostile("h-data-url", url="data:text/html,<script>alert(1)</script>"),
        hostile("h-source", source="/srv/pressroom/secret/release-332-17.txt"),
        hostile("h-slash", id="h/slash"),
    ]
    Store(root).add_releases(releases)
    return root


@pytest.fixture(scope="module")
def hostile_client(hostile_index: Path):
    app = create_app({"TESTING": True, "INDEX": str(hostile_index)})
    return app.test_client()


# -- 2.1: values already in the index never make a page fail -----------------------------

@pytest.mark.parametrize("url", [
    "/", "/search", "/search?q=energy", "/search?q=energy&sort=oldest", "/api/search",
    "/api/search?q=energy", "/search.atom", "/search.atom?q=energy", "/stats", "/api/stats",
    "/search?topic=energy", "/api/search?year=2017",
])
def test_pages_answer_whatever_the_index_holds(hostile_client, url: str) -> None:
    response = hostile_client.get(url)
    assert response.status_code == 200, response.data[:300]


def test_unusable_facet_values_are_left_out_not_linked(hostile_client) -> None:
    page = hostile_client.get("/api/search?q=energy").get_json()
    values = {facet: [item["value"] for item in items] for facet, items in page["facets"].items()}
    assert "999" not in values["year"] and "2017" in values["year"]
    assert "Energy" not in values["topic"]
    for items in page["facets"].values():
        for item in items:
            assert item["toggle_url"]
    topics = {link["value"] for hit in page["hits"] for link in hit["topic_links"]}
    assert topics and not topics & {"Energy", "Caspian Sea", "энергетика"}


def test_every_link_of_the_stats_page_answers(hostile_client) -> None:
    import re
    from html import unescape

    page = hostile_client.get("/stats").get_data(as_text=True)
    links = {unescape(h) for h in re.findall(r'href="(/search\?[^"]*)"', page)}
    assert links, "the stats page links its years, topics and languages"
    broken = {link: status for link in links
              if (status := hostile_client.get(link).status_code) != 200}
    assert not broken


def test_a_topic_label_is_taken_as_its_slug() -> None:
    release = release_from_record({**RECORD, "topics": ["Energy", "Каспийское море", "visits"]})
    assert release.topics == ["energy", "caspian", "visits"]


@pytest.mark.parametrize("change, reason", [
    ({"topics": ["Nuclear fusion"]}, "not a topic of the taxonomy"),
    ({"date": "0999-12-31"}, "year 999 is outside"),
    ({"meta": {"title": "x", "body": "y"}}, "not a language code"),
    ({"en-GB": {"title": "x", "body": "y"}, "en": {"title": "a", "body": "b"}}, "twice"),
])
def test_records_that_would_break_pages_are_refused(change, reason) -> None:
    with pytest.raises(ReleaseError, match=reason):
        release_from_record({**RECORD, **change})


def test_a_regional_language_key_is_its_language() -> None:
    record = {k: v for k, v in RECORD.items() if k != "en"}
    release = release_from_record({**record, "EN-gb": {"title": "t", "body": "b"}})
    assert release.languages == ["en"]


# -- 2.6: control characters ----------------------------------------------------------------

def test_the_feed_is_well_formed_xml_whatever_the_index_holds(hostile_client) -> None:
    for url in ("/search.atom?q=energy", "/search.atom"):
        body = hostile_client.get(url).get_data()
        root = ET.fromstring(body)  # raises on a character XML does not allow
        titles = [e.findtext(f"{ATOM}title") for e in root.iter(f"{ATOM}entry")]
        assert any(t and t.startswith("Energy") and "title" in t for t in titles)


def test_control_characters_are_stripped_from_every_input_format() -> None:
    record = {**RECORD, "en": {"title": "A\u000bB", "body": "x\u0001y\r\nz\tw\u007f\u0085v\u009f"}}
    [release] = parse_json_text(json.dumps(record))
    assert release.versions["en"].title == "A\nB"
    assert release.versions["en"].body == "xy\nz\tw\nv"
    text = "21 November 2017\n\nMinisters\u000b met\n\nThe ministers met\u0001 in Baku today.\n"
    [scraped] = parse_bytes(text.encode(), "a.txt")
    assert not any(ch in v.title + v.body for v in scraped.versions.values()
                   for ch in "\u000b\u0001")
    page = ("<html><body><main><p>21 November 2017</p><h1>Ministers&#11; met</h1>"
            "<p>The ministers of the two countries met\u0001 and discussed relations.</p>"
            "</main></body></html>")
    [html] = parse_bytes(page.encode(), "a.html")
    assert not any(ch in v.title + v.body for v in html.versions.values()
                   for ch in "\u000b\u0001")


# -- 2.8: only http(s) source URLs --------------------------------------------------------

@pytest.mark.parametrize("url", [
    "javascript:alert(1)", " JavaScript:alert(1)", "data:text/html,x", "vbscript:msgbox",
    "//evil.example.org/x", "mfa.example.org/news", "5",
])
def test_non_http_urls_are_refused_at_input(url: str) -> None:
    with pytest.raises(ReleaseError, match="http"):
        release_from_record({**RECORD, "url": url})


def test_html_pages_keep_only_an_http_canonical_url() -> None:
    page = ('<html><head><link rel="canonical" href="javascript:alert(1)"></head><body><main>'
            "<p>21 November 2017</p><h1>Ministers met</h1>"
            "<p>The ministers of the two countries met and discussed relations.</p>"
            "</main></body></html>")
    [release] = parse_bytes(page.encode(), "a.html")
    assert release.url is None


@pytest.mark.parametrize("rid", ["h-url", "h-data-url"])
def test_release_page_never_links_another_scheme(hostile_client, rid: str) -> None:
    html = hostile_client.get(f"/releases/{rid}").get_data(as_text=True)
    assert "javascript:" not in html and "data:text" not in html
    assert hostile_client.get(f"/api/releases/{rid}").get_json()["url"] == ""


# -- 2.10: what one release may cost, and JSON Lines read record by record -------------------

def test_a_release_over_the_text_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRESSROOM_MAX_RELEASE_CHARS", "1000")
    with pytest.raises(ReleaseError, match="over the limit of 1,000 characters"):
        release_from_record({**RECORD, "en": {"title": "t", "body": "word " * 300}})
    assert release_from_record({**RECORD, "en": {"title": "t", "body": "word " * 150}})


def test_one_oversized_release_does_not_stop_the_batch(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRESSROOM_MAX_RELEASE_CHARS", "1000")
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "big.txt").write_text("21 November 2017\n\nBig\n\n" + "word " * 300)
    (folder / "ok.jsonl").write_text(json.dumps(RECORD) + "\n")
    summary = Store(tmp_path / "index").index_paths([folder])
    assert summary.added == 1
    [failure] = summary.failed
    assert failure.path.endswith("big.txt") and "limit" in failure.reason


def jsonl(path: Path, count: int) -> Path:
    with path.open("w", encoding="utf-8") as out:
        for i in range(count):
            record = {**RECORD, "id": f"bulk-{i}", "en": {
                "title": f"Release {i}", "body": f"The ministers met for the {i}th time in Baku."}}
            out.write(json.dumps(record) + "\n")
    return path


def test_json_lines_over_the_file_limit_are_read_record_by_record(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRESSROOM_MAX_FILE_BYTES", "4000")
    path = jsonl(tmp_path / "bulk.jsonl", 200)
    assert path.stat().st_size > 5 * 4000
    releases = read_releases(path)
    assert [r.id for r in releases] == [f"bulk-{i}" for i in range(200)]
    # JSON Lines under a .json name are recognised by their first line.
    lines_json = tmp_path / "bulk-lines.json"
    lines_json.write_bytes(path.read_bytes())
    assert len(read_releases(lines_json)) == 200
    # The same records as one JSON array must be read whole: refused over the limit.
    array = tmp_path / "bulk.json"
    array.write_text(json.dumps([json.loads(line) for line in path.read_text().splitlines()]))
    with pytest.raises(ReleaseError, match="limit"):
        read_releases(array)


def test_one_json_line_over_the_limit_is_refused_with_its_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRESSROOM_MAX_FILE_BYTES", "4000")
    path = jsonl(tmp_path / "bulk.jsonl", 20)
    with path.open("a", encoding="utf-8") as out:
        out.write(json.dumps({**RECORD, "en": {"title": "t", "body": "x" * 5000}}) + "\n")
    with pytest.raises(ReleaseError, match="line 21 .*limit"):
        read_releases(path)


def test_json_lines_in_utf16_and_cp1251_stream_too(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRESSROOM_MAX_FILE_BYTES", "4000")
    lines = [json.dumps({**RECORD, "id": f"ru-{i}", "ru": {
        "title": "Министры встретились", "body": f"Министры встретились в Баку {i} раз."}},
        ensure_ascii=False) for i in range(60)]
    for encoding in ("utf-16", "cp1251", "utf-8-sig"):
        path = tmp_path / f"{encoding}.jsonl"
        path.write_bytes("\n".join(lines).encode(encoding))
        assert path.stat().st_size > 4000
        releases = read_releases(path)
        assert len(releases) == 60, encoding
        assert releases[5].versions["ru"].body == "Министры встретились в Баку 5 раз."


# -- 2.11: ids ----------------------------------------------------------------------------------

@pytest.mark.parametrize("rid", ["a/b", "..", ".hidden", "a b", "a?b", "x" * 200, "id#1", "ид"])
def test_ids_outside_the_alphabet_are_refused(rid: str) -> None:
    with pytest.raises(ReleaseError, match="id"):
        release_from_record({**RECORD, "id": rid})


def test_ids_inside_the_alphabet_are_accepted() -> None:
    for rid in ("mfa-2017-332", "A.b_c-1", "2017-332", "r-0123456789ab"):
        assert release_from_record({**RECORD, "id": rid}).id == rid


def test_an_old_id_with_a_slash_does_not_break_the_results(hostile_client) -> None:
    assert hostile_client.get("/search?q=energy").status_code == 200


# -- 2.12: the server's file paths ----------------------------------------------------------

def test_the_api_shows_no_absolute_source_path(hostile_client) -> None:
    data = hostile_client.get("/api/releases/h-source").get_json()
    assert data["source"] == "release-332-17.txt"
    assert "/srv" not in hostile_client.get("/releases/h-source").get_data(as_text=True)


# -- 2.11: loose numbers and dates in a request ---------------------------------------------

@pytest.mark.parametrize("query, fragment", [
    ("page=1_0", "page must be a whole number"),
    ("page=%EF%BC%91", "page must be a whole number"),
    ("from=20170101", "from must be a date"),
])
def test_loose_numbers_are_a_400_in_the_error_shape(hostile_client, query, fragment) -> None:
    response = hostile_client.get(f"/api/search?{query}")
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["status"] == 400 and fragment in error["message"]


def test_a_year_and_a_month_are_date_bounds_on_the_api(hostile_client) -> None:
    page = hostile_client.get("/api/search?from=2017&to=2017-11").get_json()
    assert (page["query"]["from"], page["query"]["to"]) == ("2017-01-01", "2017-11-30")
    assert page["total"] >= 1


@pytest.mark.parametrize("change, reason", [
    ({"url": "javascript:alert(1)"}, "http"),
    ({"id": "a/b"}, "not a release id"),
    ({"date": "0999-12-31"}, "year 999"),
    ({"topics": ["Nuclear fusion"]}, "not a topic"),
])
def test_ingest_refuses_a_hostile_record_with_its_reason(tmp_path: Path, change, reason) -> None:
    app = create_app({"TESTING": True, "INDEX": str(tmp_path / "index"), "ADMIN_TOKEN": "t"})
    response = app.test_client().post("/api/releases", json={**RECORD, **change},
                                      headers={"Authorization": "Bearer t"})
    assert response.status_code == 400
    assert reason in response.get_json()["error"]["message"]
    ok = app.test_client().post("/api/releases", json=RECORD, headers={"Authorization": "Bearer t"})
    assert ok.status_code == 201
