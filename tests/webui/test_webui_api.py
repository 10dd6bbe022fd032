"""The JSON API: real responses against the OpenAPI document, every error status, ingest."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from tests.conftest import ADMIN_TOKEN, SAMPLES
from webui import create_app
from webui.openapi import openapi_document
from webui.pagecache import EXTENSION as PAGE_CACHE

DOC = openapi_document()
REGISTRY = Registry().with_resource(
    "urn:pressroom-openapi", Resource.from_contents(DOC, default_specification=DRAFT202012)
)
AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}

RECORD = {
    "id": "test-2030-1",
    "date": "2030-05-17",
    "number": "1/30",
    "url": "https://mfa.example.org/en/news/1-30",
    "topics": ["energy"],
    "en": {
        "title": "Foreign Minister opened the Zanzibar hydrogen symposium",
        "body": "The Foreign Minister opened the Zanzibar hydrogen symposium in Baku.",
    },
    "ru": {
        "title": "Министр иностранных дел открыл занзибарский водородный симпозиум",
        "body": "Министр иностранных дел открыл занзибарский водородный симпозиум в Баку.",
    },
}


def pointer(*parts: str) -> str:
    return "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)


def validate(response, path: str | None = None, method: str = "get") -> dict:
    """Validate a real response against the document: the operation's schema for its
    status, or (for routes and methods the API does not have) the Error schema."""
    body = response.get_json()
    assert body is not None, response.data[:200]
    status = str(response.status_code)
    if path is None:
        target = "#/components/schemas/Error"
    else:
        responses = DOC["paths"][path][method]["responses"]
        assert status in responses, f"{method.upper()} {path} answered {status}, undocumented"
        media = responses[status]["content"]["application/json"]
        target = "#" + pointer("", "paths", path, method, "responses", status, "content")
        target += "/application~1json/schema"
        assert media["schema"]
    validator = Draft202012Validator({"$ref": f"urn:pressroom-openapi{target}"}, registry=REGISTRY)
    errors = sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])
    return body


def assert_error(response, status: int) -> dict:
    assert response.status_code == status, response.data[:300]
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error"}
    assert body["error"]["status"] == status
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    return body


# ------------------------------------------------------------------ read endpoints


@pytest.mark.parametrize(
    "query",
    [
        "",
        "q=министры",
        "q=переговоры&topic=caspian",
        "q=energy&lang=en&sort=newest&per_page=5&page=2",
        "year=2012",
        "year=2012&month=2012-02",
        "from=2015-01-01&to=2019-12-31&sort=oldest",
        "q=vbybcnh",
        "q=%22Southern%20Gas%20Corridor%22",
    ],
)
def test_search_responses_match_openapi(client, query):
    body = validate(client.get(f"/api/search?{query}"), "/api/search")
    assert body["total"] >= 1
    assert len(body["hits"]) <= body["per_page"]


def test_search_filters_narrow_the_results(client):
    everything = client.get("/api/search").get_json()
    caspian = client.get("/api/search?topic=caspian&per_page=100").get_json()
    topic_count = next(v["count"] for v in everything["facets"]["topic"] if v["value"] == "caspian")
    assert caspian["total"] == topic_count < everything["total"]
    assert all("caspian" in hit["topics"] for hit in caspian["hits"])
    for query in ("", "q=министр&"):
        in_2012 = client.get(f"/api/search?{query}year=2012&per_page=100").get_json()
        assert in_2012["total"] == len(in_2012["hits"]) >= 1
        assert all(hit["date"].startswith("2012-") for hit in in_2012["hits"]), query
        energy = client.get(f"/api/search?{query}topic=energy&per_page=100").get_json()
        assert all("energy" in hit["topics"] for hit in energy["hits"]), query


def test_more_hits_than_the_paging_window_is_not_an_error(client, monkeypatch):
    # With a window of 20 hits only pages 1-2 can be asked for; the page links
    # must stop there instead of failing the whole search with a 400.
    monkeypatch.setenv("PRESSROOM_MAX_RESULT_WINDOW", "20")
    client.application.extensions[PAGE_CACHE].clear()  # pages cached under the old window
    body = validate(client.get("/api/search"), "/api/search")
    assert body["total"] > 20
    assert [link["number"] for link in body["links"]["pages"] if link] == [1, 2]
    last = validate(client.get(body["links"]["next"]), "/api/search")
    assert last["query"]["page"] == 2 and last["links"]["next"] is None
    assert client.get("/search").status_code == 200


def test_facet_links_toggle_the_filter(client):
    body = client.get("/api/search?q=министр").get_json()
    topic = body["facets"]["topic"][0]
    assert not topic["selected"]
    narrowed = client.get(topic["toggle_url"]).get_json()
    assert narrowed["query"]["topic"] == [topic["value"]]
    assert narrowed["total"] == topic["count"]
    chip = next(c for c in narrowed["chips"] if c["name"] == "topic")
    restored = client.get(chip["remove_url"]).get_json()
    assert restored["query"]["topic"] == [] and restored["total"] == body["total"]


def test_release_response_matches_openapi(client):
    hit = client.get("/api/search?q=министр&lang=ru").get_json()["hits"][0]
    body = validate(
        client.get(f"/api/releases/{hit['id']}?q=министр"), "/api/releases/{release_id}"
    )
    assert body["id"] == hit["id"]
    assert "<mark>" in "".join(p for v in body["versions"] for p in v["paragraphs_html"])
    plain = validate(client.get(f"/api/releases/{hit['id']}"), "/api/releases/{release_id}")
    assert "<mark>" not in json.dumps(plain["versions"])


def test_stats_and_health_match_openapi(client):
    stats = validate(client.get("/api/stats"), "/api/stats")
    assert stats["releases"] >= 60
    assert sum(y["count"] for y in stats["years"]) == stats["releases"]
    health = validate(client.get("/healthz"), "/healthz")
    assert health == {"status": "ok", "releases": stats["releases"]}
    assert validate(client.get("/livez"), "/livez") == {"status": "alive"}


def test_liveness_does_not_need_an_index(tmp_path):
    from webui import create_app

    app = create_app({"TESTING": True, "INDEX": str(tmp_path / "none")})
    with app.test_client() as plain:
        assert plain.get("/livez").get_json() == {"status": "alive"}
        assert plain.get("/healthz").status_code == 503


def test_openapi_document_is_served(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    served = response.get_json()
    assert served["openapi"].startswith("3.1")
    assert set(served["paths"]) >= {"/api/search", "/api/releases/{release_id}", "/api/releases"}


# ------------------------------------------------------------------ error statuses


@pytest.mark.parametrize(
    "query",
    ["page=0", "from=yesterday", "from=2020-01-01&to=2019-01-01", "sort=random", "per_page=1000"],
)
def test_bad_parameters_are_400(client, query):
    body = assert_error(client.get(f"/api/search?{query}"), 400)
    validate(client.get(f"/api/search?{query}"), "/api/search")
    assert body["error"]["message"]


def test_unknown_release_and_route_are_404(client):
    assert_error(client.get("/api/releases/no-such-release"), 404)
    validate(client.get("/api/releases/no-such-release"), "/api/releases/{release_id}")
    assert_error(client.get("/api/no-such-endpoint"), 404)
    validate(client.get("/api/no-such-endpoint"))


def test_wrong_method_is_405(client):
    response = client.delete("/api/search")
    assert_error(response, 405)
    assert "GET" in response.headers["Allow"]
    validate(response)
    assert_error(client.get("/api/releases"), 405)


def test_no_index_is_503_with_how_to_build_one(tmp_path):
    app = create_app({"TESTING": True, "INDEX": str(tmp_path / "missing")})
    client = app.test_client()
    for path in ("/api/search", "/api/stats", "/healthz", "/api/releases/x"):
        body = assert_error(client.get(path), 503)
        assert "pressroom index" in body["error"]["message"]
        assert "make run" in body["error"]["message"]
    validate(client.get("/api/search?q=x"), "/api/search")
    validate(client.get("/healthz"), "/healthz")
    page = client.get("/")
    assert page.status_code == 503 and "pressroom index" in page.get_data(as_text=True)


# ------------------------------------------------------------------ ingest


@pytest.fixture()
def ingest_client(tmp_path):
    """A fresh, empty index of its own: ingest tests never touch the session index."""
    app = create_app(
        {
            "TESTING": True,
            "INDEX": str(tmp_path / "index"),
            "ADMIN_TOKEN": ADMIN_TOKEN,
            "MAX_UPLOAD_BYTES": 64 * 1024,
        }
    )
    return app.test_client()


def test_ingest_is_off_without_a_token(tmp_path):
    app = create_app({"TESTING": True, "INDEX": str(tmp_path / "index"), "ADMIN_TOKEN": ""})
    response = app.test_client().post("/api/releases", json=RECORD, headers=AUTH)
    assert_error(response, 404)
    assert not (tmp_path / "index").exists()


def test_ingest_without_token_is_401(ingest_client):
    response = ingest_client.post("/api/releases", json=RECORD)
    assert_error(response, 401)
    assert response.headers["WWW-Authenticate"].lower().startswith("bearer")
    validate(response, "/api/releases", "post")
    other_scheme = ingest_client.post(
        "/api/releases", json=RECORD, headers={"Authorization": f"Basic {ADMIN_TOKEN}"}
    )
    assert_error(other_scheme, 401)


def test_ingest_with_wrong_token_is_403(ingest_client):
    response = ingest_client.post(
        "/api/releases", json=RECORD, headers={"Authorization": "Bearer secret-tokem"}
    )
    assert_error(response, 403)
    validate(response, "/api/releases", "post")
    assert_error(ingest_client.get("/api/search?q=Zanzibar"), 503)  # still no index


def test_ingested_release_is_searchable_in_the_next_request(ingest_client):
    assert_error(ingest_client.get("/api/search?q=Zanzibar"), 503)
    response = ingest_client.post("/api/releases", json=RECORD, headers=AUTH)
    assert response.status_code == 201, response.data
    summary = validate(response, "/api/releases", "post")
    assert (summary["added"], summary["failed"]) == (1, [])

    found = ingest_client.get("/api/search?q=занзибарского").get_json()
    assert [hit["id"] for hit in found["hits"]] == ["test-2030-1"]
    assert ingest_client.get("/api/releases/test-2030-1").status_code == 200

    again = ingest_client.post("/api/releases", json=RECORD, headers=AUTH)
    assert again.status_code == 200
    assert validate(again, "/api/releases", "post")["unchanged"] == 1

    changed = dict(RECORD, en={"title": "Zanzibar symposium closed", "body": "It closed."})
    updated = ingest_client.post("/api/releases", json=[changed], headers=AUTH)
    assert updated.status_code == 201 and updated.get_json()["updated"] == 1
    found = ingest_client.get("/api/search?q=closed&lang=en").get_json()
    assert [hit["id"] for hit in found["hits"]] == ["test-2030-1"]
    assert ingest_client.get("/healthz").get_json()["releases"] == 1


def test_ingest_accepts_an_uploaded_release_file(ingest_client):
    sample = next((SAMPLES / "html").glob("*.html"))
    response = ingest_client.post(
        "/api/releases",
        data={"file": (sample.open("rb"), sample.name)},
        headers=AUTH,
        content_type="multipart/form-data",
    )
    assert response.status_code == 201, response.data
    assert validate(response, "/api/releases", "post")["added"] == 1
    assert ingest_client.get("/api/search").get_json()["total"] == 1


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"[]",
        json.dumps({"date": "2030-01-01"}).encode(),
        json.dumps([RECORD, dict(RECORD, id="test-2", date="17 May")]).encode(),
        json.dumps(dict(RECORD, topics=[1, 2])).encode(),
    ],
)
def test_malformed_record_is_400_and_nothing_is_indexed(ingest_client, body):
    response = ingest_client.post(
        "/api/releases", data=body, headers=AUTH, content_type="application/json"
    )
    assert_error(response, 400)
    validate(response, "/api/releases", "post")
    # The good record in front of the bad one was not indexed either.
    assert_error(ingest_client.get("/api/search"), 503)


def test_oversized_body_is_413(ingest_client):
    big = dict(RECORD, en={"title": "Big", "body": "word " * 20_000})
    response = ingest_client.post("/api/releases", json=big, headers=AUTH)
    assert_error(response, 413)
    validate(response, "/api/releases", "post")
    upload = ingest_client.post(
        "/api/releases",
        data={"file": (Path(__file__).open("rb"), "x.txt"), "pad": "x" * 70_000},
        headers=AUTH,
        content_type="multipart/form-data",
    )
    assert_error(upload, 413)


def test_busy_index_is_503_with_retry_after(ingest_client, tmp_path, monkeypatch):
    from indexer.store import Store

    monkeypatch.setenv("PRESSROOM_LOCK_TIMEOUT", "0.2")
    with Store(tmp_path / "index").locked():
        response = ingest_client.post("/api/releases", json=RECORD, headers=AUTH)
    assert_error(response, 503)
    assert int(response.headers["Retry-After"]) > 0
    validate(response, "/api/releases", "post")
