"""The hit: one dataclass, its JSON and the OpenAPI schema built from it."""

from __future__ import annotations

import pytest
import search_corpus as sc
from jsonschema import Draft202012Validator

from search import Archive, SearchRequest
from search.hits import HIT_KEYS, Hit
from webui.openapi_schemas import HIT

#: What the web adds to each hit of a page (webui/contexts.py).
WEB_KEYS = ["release_url", "topic_links"]


def a_hit(**changes) -> Hit:
    values = dict(id="2017-101", number="101/17", date="2017-03-01", languages=["en", "ru"],
                  topics=["caspian"], title="<mark>Talks</mark>", snippet="… talks …",
                  lang="en", titles={"en": "Talks", "ru": "Переговоры"},
                  other_languages=["ru"], score=1.5, url="https://mfa.example/101")
    return Hit(**{**values, **changes})


def test_the_openapi_hit_is_the_dataclass_and_the_web_links() -> None:
    assert list(HIT["properties"]) == [*(k for k in HIT_KEYS if k != "score"), *WEB_KEYS,
                                       "score"]
    assert set(HIT["required"]) == set(HIT_KEYS) - {"score"} | set(WEB_KEYS)


def test_a_hit_reads_like_its_json() -> None:
    hit = a_hit()
    assert list(hit.to_dict()) == list(HIT_KEYS) == list(dict(hit))
    assert hit["titles"] is hit.titles and dict(hit) == hit.to_dict()
    with pytest.raises(KeyError):
        hit["release_url"]


@pytest.mark.parametrize("score", [1.5, None])
def test_a_hit_with_the_web_links_matches_the_openapi_schema(score) -> None:
    data = {**a_hit(score=score).to_dict(), "release_url": "/releases/2017-101",
            "topic_links": []}
    schema = {**HIT, "properties": {**HIT["properties"], "topic_links": {"type": "array"}}}
    assert not list(Draft202012Validator(schema).iter_errors(data))
    del data["snippet"]
    assert list(Draft202012Validator(schema).iter_errors(data))


def test_page_hits_are_hits_and_their_json_keeps_its_order() -> None:
    with Archive(sc.corpus_index()) as archive:
        page = archive.search(SearchRequest.from_params({"q": "переговоры"}))
    assert page.hits and all(isinstance(h, Hit) for h in page.hits)
    assert all(list(h) == list(HIT_KEYS) for h in page.to_dict()["hits"])
