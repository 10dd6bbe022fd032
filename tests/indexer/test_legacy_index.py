"""An index written by the code before the house plan (issue 11) still opens and answers alike.

``tests/data/legacy-index`` was built by commit 4848118 from fourteen of the samples
(eight text files, six HTML pages); ``legacy-answers.json`` holds what that code
answered to a fixed list of searches. Whoosh pickles the schema's field and analyzer
classes (``indexer.fastindex.BilingualText``, ``indexer.analysis.BilingualAnalyzer``)
into the index, so moving them without an alias would fail here.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from search.archive import Archive
from search.request import SearchRequest

#: Every test here runs with the fast codec and with stock Whoosh (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("codec")

DATA = Path(__file__).resolve().parents[1] / "data"
ANSWERS = json.loads((DATA / "legacy-answers.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def legacy_archive(tmp_path_factory: pytest.TempPathFactory, codec: str):
    # A copy: opening an index may leave lock files, and the fixture stays as committed.
    root = tmp_path_factory.mktemp("legacy") / "index"
    shutil.copytree(DATA / "legacy-index", root)
    with Archive(root) as archive:
        yield archive


@pytest.mark.parametrize("answer", ANSWERS, ids=lambda a: json.dumps(a["request"],
                                                                     ensure_ascii=False))
def test_legacy_index_answers_as_before(legacy_archive: Archive, answer: dict) -> None:
    request = {k: tuple(v) if isinstance(v, list) else v for k, v in answer["request"].items()}
    page = legacy_archive.search(SearchRequest(**request))
    assert page.total == answer["total"]
    assert [hit["id"] for hit in page.hits] == answer["ids"]
    facets = {name: [[v["value"], v["count"]] for v in values]
              for name, values in page.facets.items()}
    # Entity facets (issue 13) came later: an index without their fields has them empty.
    assert all(facets.pop(name) == [] for name in ("country", "org", "person"))
    assert facets == answer["facets"]
