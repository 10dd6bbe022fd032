"""Hostile ingest bodies (issue 10): deep nesting, chunked bodies past the limit, file parts."""

from __future__ import annotations

import io
import json

import pytest

from tests.conftest import ADMIN_TOKEN, SAMPLES
from webui import create_app

AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
LIMIT = 64 * 1024


def record(release_id: str, body: str = "The minister opened the symposium.") -> dict:
    return {"id": release_id, "date": "2030-05-17", "en": {"title": "Symposium", "body": body}}


@pytest.fixture()
def client(tmp_path):
    app = create_app({"TESTING": True, "INDEX": str(tmp_path / "index"),
                      "ADMIN_TOKEN": ADMIN_TOKEN, "MAX_UPLOAD_BYTES": LIMIT})
    return app.test_client()


def error_of(response, status: int) -> str:
    assert response.status_code == status, response.data[:300]
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body["error"]["status"] == status
    return body["error"]["message"]


def nothing_indexed(client) -> bool:
    return client.get("/api/search").status_code == 503


@pytest.mark.parametrize("opening,closing", [("[", "]"), ('{"a":', "}")])
def test_deeply_nested_json_is_400_not_500(client, opening, closing):
    body = opening * 1000 + "1" + closing * 1000
    response = client.post("/api/releases", data=body, headers=AUTH,
                           content_type="application/json")
    assert "nested too deeply" in error_of(response, 400)
    assert nothing_indexed(client)


def chunked_post(client, body: bytes):
    """A body of unknown length, as a real server hands a Transfer-Encoding: chunked
    request to the application (the stream ends where the body ends)."""
    return client.post(
        "/api/releases", input_stream=io.BytesIO(body), headers=AUTH,
        content_type="application/json",
        environ_overrides={"wsgi.input_terminated": True, "HTTP_TRANSFER_ENCODING": "chunked"})


def test_chunked_body_over_the_limit_is_413_not_cut(client):
    body = json.dumps(record("chunked-big", "word " * (LIMIT // 4))).encode()
    assert len(body) > LIMIT
    response = chunked_post(client, body)
    assert "upload limit" in error_of(response, 413)
    assert nothing_indexed(client)


def test_chunked_body_within_the_limit_is_indexed(client):
    body = json.dumps(record("chunked-small")).encode()
    response = chunked_post(client, body)
    assert response.status_code == 201, response.data
    assert client.get("/api/releases/chunked-small").status_code == 200


def upload(client, files: list[tuple[str, tuple]]):
    from werkzeug.datastructures import MultiDict

    return client.post("/api/releases", data=MultiDict(files), headers=AUTH,
                       content_type="multipart/form-data")


def test_every_uploaded_file_part_is_indexed(client):
    first = json.dumps(record("part-one")).encode()
    second = json.dumps(record("part-two")).encode()
    response = upload(client, [("file", (io.BytesIO(first), "one.json")),
                               ("file", (io.BytesIO(second), "two.json"))])
    assert response.status_code == 201, response.data
    assert response.get_json()["added"] == 2
    for release_id in ("part-one", "part-two"):
        assert client.get(f"/api/releases/{release_id}").status_code == 200


def test_a_bad_second_file_indexes_nothing(client):
    good = json.dumps(record("part-good")).encode()
    response = upload(client, [("file", (io.BytesIO(good), "good.json")),
                               ("file", (io.BytesIO(b""), "empty.json"))])
    assert "empty.json" in error_of(response, 400)
    assert nothing_indexed(client)


def test_a_file_in_another_field_is_refused_not_dropped(client):
    sample = next((SAMPLES / "html").glob("*.html"))
    response = upload(client, [("file", (sample.open("rb"), sample.name)),
                               ("attachment", (io.BytesIO(b"x"), "other.txt"))])
    assert "`attachment`" in error_of(response, 400)
    assert nothing_indexed(client)
