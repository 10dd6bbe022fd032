"""Citations: shown on the release page in the interface language, downloadable as RIS,
BibTeX and CSL-JSON, with a permalink that survives a rebuild."""

from __future__ import annotations

import datetime as dt
import html
import json
import re

import bibtexparser
import rispy

from indexer.store import Store
from search.citation import bibtex_entry, citation_text
from tests.conftest import SAMPLES

RELEASE = "mfa-2021-118"
EN_TITLE = "Foreign Minister met with the Executive Director of the International Energy Agency"
RU_TITLE = ("Министр иностранных дел встретился с исполнительным директором "
            "Международного энергетического агентства")


def citation_on_page(client, lang: str) -> str:
    page = client.get(f"/releases/{RELEASE}", headers={"Accept-Language": lang}).get_data(
        as_text=True)
    found = re.search(r'<p class="citation__text" id="citation-text">(.*?)</p>', page, re.S)
    assert found, "the release page shows a citation"
    return html.unescape(found.group(1))


def test_release_page_cites_in_english(client):
    text = citation_on_page(client, "en")
    today = dt.datetime.now(dt.UTC).date()
    assert text.startswith("Ministry of Foreign Affairs of the Republic of Azerbaijan. "
                           "(2021, June 3). ")
    assert f"{EN_TITLE} (Press release No. 118/21)." in text
    assert "https://mfa.example.org/en/news/118-21" in text
    assert text.endswith(f"Accessed {today.day} {today:%B %Y}.")


def test_release_page_cites_in_russian(client):
    text = citation_on_page(client, "ru")
    today = dt.datetime.now(dt.UTC).date()
    assert text.startswith("Министерство иностранных дел Азербайджанской Республики. "
                           "(3 июня 2021). ")
    assert f"{RU_TITLE} (Пресс-релиз № 118/21)." in text
    assert text.endswith(f"(дата обращения: {today:%d.%m.%Y}).")
    page = client.get(f"/releases/{RELEASE}?ui=ru").get_data(as_text=True)
    assert "Как цитировать этот пресс-релиз" in page


def test_citation_json_twin_has_both_languages_and_downloads(client):
    body = client.get(f"/api/releases/{RELEASE}").get_json()["citation"]
    assert body["text"]["en"].startswith("Ministry of Foreign Affairs")
    assert body["text"]["ru"].startswith("Министерство иностранных дел")
    assert body["permalink"] == f"http://localhost/releases/{RELEASE}"
    assert set(body["downloads"]) == {"ris", "bibtex", "csl-json"}
    same = client.get(f"/api/releases/{RELEASE}/citation").get_json()
    assert same["text"] == body["text"] and same["id"] == RELEASE


def test_citation_downloads_parse(client):
    ris = client.get(f"/api/releases/{RELEASE}/citation?format=ris")
    assert ris.status_code == 200 and "attachment" in ris.headers["Content-Disposition"]
    [entry] = rispy.loads(ris.get_data(as_text=True))
    assert entry["title"] == EN_TITLE and entry["translated_title"] == RU_TITLE
    assert entry["number"] == "118/21" and entry["date"] == "2021/06/03"
    assert entry["access_date"] == dt.datetime.now(dt.UTC).date().strftime("%Y/%m/%d")
    assert f"http://localhost/releases/{RELEASE}" in entry["urls"]

    bib = bibtexparser.parse_string(
        client.get(f"/api/releases/{RELEASE}/citation?format=bibtex").get_data(as_text=True))
    assert not bib.failed_blocks
    fields = {f.key: f.value for f in bib.entries[0].fields}
    assert fields["title"] == EN_TITLE and fields["number"] == "118/21"
    assert fields["url"] == "https://mfa.example.org/en/news/118-21"

    csl = client.get(f"/api/releases/{RELEASE}/citation?format=csl-json&ui=ru")
    [item] = json.loads(csl.get_data(as_text=True))
    assert item["title"] == RU_TITLE and item["number"] == "118/21"
    assert item["issued"] == {"date-parts": [[2021, 6, 3]]}
    assert item["author"] == [{"literal": "Министерство иностранных дел Азербайджанской "
                                          "Республики"}]


def test_citation_errors(client):
    assert client.get("/api/releases/nope/citation?format=ris").status_code == 404
    bad = client.get(f"/api/releases/{RELEASE}/citation?format=doc")
    assert bad.status_code == 400 and "format" in bad.get_json()["error"]["message"]


def test_bibtex_escapes_what_would_break_the_entry():
    record = {"id": "x/1", "title_en": r"Braces {, }, 100% & C:\path_x #1 ~ ^", "title_ru": "",
              "number": "", "date": "", "url": "", "permalink": "https://p/releases/x%2F1",
              "languages": ["en"], "topics": []}
    library = bibtexparser.parse_string(bibtex_entry(record))
    assert not library.failed_blocks
    assert library.entries[0].key == "pressroom-x-1"
    assert "(n.d.)" in citation_text(record, "en", dt.date(2024, 1, 1))


def test_permalink_survives_a_rebuild(tmp_path):
    """The permalink is the release id, not a document number: a rebuild that reads the
    sources in another order (new generation, new document numbers) keeps it working."""
    from search import Archive
    from webui import create_app

    root = tmp_path / "index"
    store = Store(root)
    store.index_paths([SAMPLES])
    app = create_app({"TESTING": True, "INDEX": str(root), "ZERO_RESULTS_LOG": False})
    client = app.test_client()
    link = client.get(f"/api/releases/{RELEASE}").get_json()["citation"]["permalink"]
    with Archive(root) as archive:
        searcher, _, _ = archive.all_matches(archive_request())
        docnum_before = searcher.document_number(id=RELEASE)
    store.rebuild([SAMPLES / "text", SAMPLES / "html", SAMPLES / "jsonl"])
    with Archive(root) as archive:
        searcher, _, _ = archive.all_matches(archive_request())
        assert searcher.document_number(id=RELEASE) != docnum_before
    assert link == f"http://localhost/releases/{RELEASE}"
    after = client.get(link.removeprefix("http://localhost"))
    assert after.status_code == 200 and EN_TITLE in after.get_data(as_text=True)
    assert client.get(f"/api/releases/{RELEASE}").get_json()["citation"]["permalink"] == link


def archive_request():
    from search import SearchRequest

    return SearchRequest()


def test_ris_values_stay_on_their_line():
    from search.citation import ris_entry

    record = {"id": "odd\nTY  - JOUR", "title_en": "Two\nlines", "title_ru": "", "number": "1\r\n2",
              "date": "2020-02-02", "url": "https://x/\n", "permalink": "https://p/r",
              "languages": ["en"], "topics": ["a\nb"]}
    [entry] = rispy.loads(ris_entry(record))
    assert entry["type_of_reference"] == "PRESS"
    assert entry["id"] == "odd TY - JOUR" and entry["title"] == "Two lines"
    assert entry["number"] == "1 2" and entry["keywords"] == ["a b"]
