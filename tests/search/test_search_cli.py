"""`pressroom search`: plain and JSON output, exit status 2 on bad requests."""

from __future__ import annotations

import json

import search_corpus as sc
from click.testing import CliRunner

from search.cli import search_command


def invoke(*args: str):
    return CliRunner().invoke(search_command, ["--index", str(sc.corpus_index()), *args])


def test_json_output_is_the_page_dict() -> None:
    result = invoke("--json", "--lang", "ru", "переговоры")
    assert result.exit_code == 0, result.output
    page = json.loads(result.output)
    assert page["query"]["lang"] == ["ru"] and page["total"] >= 3
    assert "<mark>" in page["hits"][0]["snippet"]


def test_plain_output_lists_hits_facets_and_understanding() -> None:
    result = invoke("--per-page", "3", "vbybcnh")
    assert result.exit_code == 0, result.output
    assert "Showing results for: министр" in result.output
    assert "[" in result.output and "<mark>" not in result.output
    assert "year:" in result.output and "language:" in result.output


def test_bad_request_and_missing_index_exit_2(tmp_path) -> None:
    result = invoke("--from", "yesterday", "море")
    assert result.exit_code == 2 and "YYYY-MM-DD" in result.output
    result = CliRunner().invoke(search_command, ["--index", str(tmp_path / "none"), "море"])
    assert result.exit_code == 2 and "no index" in result.output
