"""The page cache: repeated searches are served from it, a commit is never hidden by it."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from indexer.inputs.records import release_from_record
from indexer.store import Store
from tests.conftest import SAMPLES
from webui import contexts, create_app
from webui.pagecache import EXTENSION, PageCache

RECORD = {
    "id": "cache-2031-1",
    "date": "2031-03-02",
    "topics": ["energy"],
    "en": {
        "title": "Minister opened the Quixotic zeppelin exhibition",
        "body": "The Minister opened the Quixotic zeppelin exhibition in Baku.",
    },
}


@pytest.fixture()
def built(monkeypatch) -> list[tuple]:
    """Every page the search layer actually builds (cache misses), as (params, base)."""
    calls: list[tuple] = []
    original = contexts.search_context

    def counting(params, base, prefer=None):
        calls.append((params, base))
        return original(params, base, prefer)

    monkeypatch.setattr(contexts, "search_context", counting)
    return calls


def make_client(index: Path, size: int):
    app = create_app({"TESTING": True, "INDEX": str(index), "PAGE_CACHE_SIZE": size})
    return app, app.test_client()


# ------------------------------------------------------------------ the LRU itself


def test_lru_drops_the_least_recently_used_page():
    cache = PageCache(2)
    cache.put("a", b"A")
    cache.put("b", b"B")
    assert cache.get("a") == b"A"  # "a" is now the most recent
    cache.put("c", b"C")
    assert cache.get("b") is None
    assert (cache.get("a"), cache.get("c")) == (b"A", b"C")
    assert len(cache) == 2 and cache.hits == 3 and cache.misses == 1


def test_size_zero_keeps_nothing():
    cache = PageCache(0)
    cache.put("a", b"A")
    assert not cache.enabled and len(cache) == 0 and cache.get("a") is None


def test_concurrent_use_keeps_the_bound():
    cache = PageCache(8)
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(300):
                key = (n * 7 + i) % 20
                if cache.get(key) is None:
                    cache.put(key, str(key).encode())
                assert len(cache) <= 8
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(cache) == 8
    assert cache.hits + cache.misses == 8 * 300


# ------------------------------------------------------------------ in the application


def test_repeated_search_is_served_from_the_cache(sample_index, built):
    app, client = make_client(sample_index, 16)
    first = client.get("/api/search?q=министры&topic=energy")
    # The same request spelled differently: parameter order, explicit defaults.
    again = client.get("/api/search?page=1&topic=energy&q=министры&sort=relevance")
    assert first.status_code == again.status_code == 200
    assert first.get_json() == again.get_json()
    assert len(built) == 1
    assert app.extensions[EXTENSION].hits == 1

    # The HTML page links to /search, not /api/search: a page of its own, cached too.
    html = client.get("/search?q=министры&topic=energy")
    assert client.get("/search?q=министры&topic=energy").data == html.data
    assert len(built) == 2
    # Another interface language is a page of its own: its hits show their Russian versions.
    ru = client.get("/search?q=министры&topic=energy&ui=ru")
    assert ru.status_code == 200 and len(built) == 3
    assert client.get("/search?q=министры&topic=energy&ui=ru").data == ru.data
    assert len(built) == 3


def test_a_new_release_shows_up_in_the_next_request(tmp_path, built):
    index = tmp_path / "index"
    store = Store(index)
    store.index_paths([next((SAMPLES / "html").glob("*.html"))])
    _, client = make_client(index, 16)
    for path in ("/api/search?q=zeppelin", "/search?q=zeppelin"):
        client.get(path)
        client.get(path)
    assert len(built) == 2  # each asked twice, built once
    assert client.get("/api/search?q=zeppelin").get_json()["total"] == 0
    assert client.get("/healthz").get_json()["releases"] == 1

    store.add_releases([release_from_record(RECORD)])

    assert client.get("/healthz").get_json()["releases"] == 2

    found = client.get("/api/search?q=zeppelin").get_json()
    assert found["total"] == 1 and found["hits"][0]["id"] == RECORD["id"]
    assert RECORD["id"] in client.get("/search?q=zeppelin").get_data(as_text=True)
    assert client.get("/search.atom?q=zeppelin").data.count(b"<entry>") == 1


def test_size_zero_builds_every_page(sample_index, built):
    app, client = make_client(sample_index, 0)
    for _ in range(2):
        assert client.get("/api/search?q=министры").status_code == 200
        assert client.get("/search?q=министры").status_code == 200
    assert len(built) == 4
    assert len(app.extensions[EXTENSION]) == 0


def test_bad_parameters_are_not_cached(sample_index, built):
    app, client = make_client(sample_index, 16)
    assert client.get("/api/search?page=0").status_code == 400
    assert client.get("/api/search?page=0").status_code == 400
    assert len(app.extensions[EXTENSION]) == 0 and built == []
