"""Everyday queries through the JSON API, on the bundled samples plus the seed (issue 14)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import search_corpus as sc

from search.querylang import parse

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
