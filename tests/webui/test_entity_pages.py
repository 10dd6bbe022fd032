"""Entity filters, facets and pages on the web (issue 13): real responses against the
OpenAPI document, the one error shape, links between facets, releases and pages."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from tests.conftest import SAMPLES
from tests.webui.test_webui_api import assert_error, validate


@pytest.fixture()
def client(entity_app):
    return entity_app.test_client()


@pytest.mark.parametrize("query", [
    "country=AZ",
    "country=az&country=GE&person=elmar-mammadyarov",
    "q=министр&org=un&year=2012",
    "person=sergey-lavrov&lang=ru",
    "country=NZ",  # a valid code no release names: nothing found, no error
])
def test_search_with_entity_filters_matches_openapi(client, query):
    body = validate(client.get(f"/api/search?{query}"), "/api/search")
    for kind in ("country", "org", "person"):
        for item in body["facets"][kind]:
            # Each value toggles its filter and links to its own page.
            chosen = body["query"][kind]
            toggled = parse_qs(urlsplit(item["toggle_url"]).query).get(kind, [])
            assert toggled == ([v for v in chosen if v != item["value"]] if item["selected"]
                               else chosen + [item["value"]])
            assert item["entity_url"].endswith(f"/{item['value']}")
    chips = {(c["name"], c["value"]) for c in body["chips"]}
    assert {(k, v) for k in ("country", "org", "person") for v in body["query"][k]} <= chips


def test_chip_removes_only_its_own_filter(client):
    body = client.get("/api/search?country=AZ&person=elmar-mammadyarov").get_json()
    chip = next(c for c in body["chips"] if c["name"] == "country")
    assert chip["label"] == {"en": "Azerbaijan", "ru": "Азербайджан"}
    assert parse_qs(urlsplit(chip["remove_url"]).query) == {"person": ["elmar-mammadyarov"]}


@pytest.mark.parametrize("query", [
    "country=Azerbaijan", "country=1", "org=OSCE%21", "person=sergey_lavrov", "person=%D0%BB",
])
def test_bad_entity_filters_are_400_in_the_error_shape(client, query):
    body = assert_error(client.get(f"/api/search?{query}"), 400)
    validate(client.get(f"/api/search?{query}"), "/api/search")
    assert query.split("=")[0] in body["error"]["message"]
    page = client.get(f"/search?{query}")
    assert page.status_code == 400 and "text/html" in page.content_type


@pytest.mark.parametrize(("path", "spec"), [
    ("/api/people/sergey-lavrov", "/api/people/{person_id}"),
    ("/api/countries/AZ?per_page=5&page=2", "/api/countries/{code}"),
    ("/api/organisations/un", "/api/organisations/{org_id}"),
    ("/api/countries/NZ", "/api/countries/{code}"),
])
def test_entity_json_twins_match_openapi(client, path, spec):
    body = validate(client.get(path), spec)
    assert set(body["names"]) == {"en", "ru"}
    for items in body["co_mentioned"].values():
        for item in items:
            assert item["url"] and client.get(item["url"]).status_code == 200
    for hit in body["hits"]:
        assert hit["release_url"].startswith("/releases/")


def test_entity_page_pages_newest_first(client):
    first = client.get("/api/countries/AZ?per_page=5").get_json()
    second = client.get(first["links"]["next"].replace("/countries/", "/api/countries/"))
    second = second.get_json()
    assert second["page"] == 2 and second["links"]["prev"]
    dates = [h["date"] for h in first["hits"] + second["hits"]]
    assert dates == sorted(dates, reverse=True)
    assert not {h["id"] for h in first["hits"]} & {h["id"] for h in second["hits"]}
    assert sum(bar["count"] for bar in first["histogram"]) == first["total"]


@pytest.mark.parametrize(("path", "spec", "status"), [
    ("/api/people/no-such-person", "/api/people/{person_id}", 404),
    ("/api/countries/ZZ", "/api/countries/{code}", 404),
    ("/api/countries/AZE", "/api/countries/{code}", 404),
    ("/api/organisations/Not_an_id", "/api/organisations/{org_id}", 404),
    ("/api/people/sergey-lavrov?page=0", "/api/people/{person_id}", 400),
    ("/api/people/sergey-lavrov?per_page=x", "/api/people/{person_id}", 400),
])
def test_entity_errors_are_in_the_one_shape(client, path, spec, status):
    message = assert_error(client.get(path), status)["error"]["message"]
    if status == 404:
        assert message.startswith(("no person ", "no country ", "no organisation ")), message
    validate(client.get(path), spec)


def test_entity_html_pages(client):
    page = client.get("/people/sergey-lavrov")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Sergey Lavrov" in html and "Сергей Лавров" in html
    assert 'id="entity-chart"' in html and 'href="/countries/RU"' in html
    assert client.get("/people/nobody").status_code == 404
    moved = client.get("/countries/az?page=2")
    assert moved.status_code == 301 and moved.headers["Location"].endswith("/countries/AZ?page=2")
    ru = client.get("/countries/AZ", headers={"Cookie": "ui=ru"})
    assert ru.status_code == 200


def test_facet_values_and_release_names_link_to_entity_pages(client):
    html = client.get("/search?country=AZ").get_data(as_text=True)
    assert 'ul class="facet__list" data-facet="person"' in html
    assert 'href="/people/elmar-mammadyarov"' in html and 'href="/countries/GE"' in html
    hit = client.get("/api/search?person=sergey-lavrov").get_json()["hits"][0]
    release = validate(client.get(f"/api/releases/{hit['id']}"), "/api/releases/{release_id}")
    people = {p["value"]: p for p in release["entities"]["person"]}
    assert people["sergey-lavrov"]["url"] == "/people/sergey-lavrov"
    assert people["sergey-lavrov"]["label"]["ru"] == "Сергей Лавров"
    page = client.get(f"/releases/{hit['id']}").get_data(as_text=True)
    assert 'href="/people/sergey-lavrov"' in page and 'href="/countries/RU"' in page


def test_downloads_keep_the_entity_filters(client):
    body = client.get("/api/search?country=AZ&person=elmar-mammadyarov").get_json()
    export = parse_qs(urlsplit(body["links"]["export"]["csv"]).query)
    assert export["country"] == ["AZ"] and export["person"] == ["elmar-mammadyarov"]


def test_openapi_lists_the_entity_filters_and_pages(client):
    doc = client.get("/api/openapi.json").get_json()
    names = {p["name"] for p in doc["paths"]["/api/search"]["get"]["parameters"]}
    assert {"country", "org", "person"} <= names
    assert {"/api/people/{person_id}", "/api/countries/{code}",
            "/api/organisations/{org_id}"} <= set(doc["paths"])


def test_cli_search_takes_entity_options(entity_index, entity_app):
    from click.testing import CliRunner

    from search.cli import search_command

    result = CliRunner().invoke(search_command, [
        "--index", str(entity_index), "--country", "AZ", "--person", "elmar-mammadyarov",
        "--json"])
    assert result.exit_code == 0, result.output
    assert '"country": [\n      "AZ"' in result.output
    bad = CliRunner().invoke(search_command, ["--index", str(entity_index), "--country", "AZE"])
    assert bad.exit_code == 2 and "country" in bad.output


def test_odd_values_already_in_the_index_never_break_a_page(tmp_path):
    """Values no request may hold (written by another tagger, or by hand) are shown
    without links instead of turning the page into an error."""
    from tests import entity_index
    from webui import create_app

    def odd(stored):
        return {"country": "AZ,azerbaijan,Z9", "org": "OSCE!,osce", "person": "Bad_Id,ok-id",
                "person_names": {"ok-id": {"en": "Ok Id"}, "Bad_Id": "not a mapping"}}

    root = entity_index.build_entity_index(tmp_path, [SAMPLES / "jsonl" / "releases.jsonl"], odd)
    client = create_app({"TESTING": True, "INDEX": str(root),
                         "ZERO_RESULTS_LOG": False}).test_client()
    body = validate(client.get("/api/search"), "/api/search")
    assert {i["value"] for i in body["facets"]["country"]} == {"AZ"}
    assert {i["value"] for i in body["facets"]["person"]} == {"ok-id"}
    assert body["facets"]["person"][0]["label"] == {"en": "Ok Id", "ru": "Ok Id"}
    assert client.get("/search").status_code == 200
    release_id = body["hits"][0]["id"]
    release = validate(client.get(f"/api/releases/{release_id}"), "/api/releases/{release_id}")
    urls = {i["value"]: i["url"] for i in release["entities"]["person"]}
    assert urls == {"Bad_Id": None, "ok-id": "/people/ok-id"}
    assert client.get(f"/releases/{release_id}").status_code == 200
    assert validate(client.get("/api/people/ok-id"), "/api/people/{person_id}")["total"]
    assert client.get("/people/ok-id").status_code == 200


def test_cli_export_takes_entity_options(entity_index):
    from click.testing import CliRunner

    from search.cli import export_command

    result = CliRunner().invoke(export_command, [
        "--index", str(entity_index), "--format", "jsonl", "--person", "sergey-lavrov"])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    assert len(lines) == 1 and "1 release exported" in result.stderr
