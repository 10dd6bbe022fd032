"""`pressroom index/sync/rebuild/stats/retag`: exit codes, summaries, the index option."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from indexer.cli import (
    EXIT_BUSY,
    EXIT_DISK_FULL,
    EXIT_READ_ONLY,
    STORE_EXITS,
    LogProgress,
    cli,
)
from indexer.store import Store
from tests.jsonl import write_jsonl


def record(n: int, **extra) -> dict:
    return {"id": f"r{n}", "date": f"201{n % 10}-05-0{1 + n % 9}",
            "en": {"title": f"Visa rules {n}", "body": f"New visa rules number {n} apply."},
            "ru": {"title": f"Визовые правила {n}", "body": f"Новые правила выдачи виз {n}."},
            **extra}


@pytest.fixture()
def runner(monkeypatch) -> CliRunner:
    monkeypatch.delenv("PRESSROOM_INDEX", raising=False)
    monkeypatch.delenv("PRESSROOM_TOPICS", raising=False)
    return CliRunner()


def test_index_all_good_exits_0_and_prints_the_summary(tmp_path, runner):
    source = write_jsonl(tmp_path / "in" / "a.jsonl", [record(1), record(2)])
    index = tmp_path / "index"
    result = runner.invoke(cli, ["index", "--index", str(index), str(source.parent)])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["added 2, updated 0, unchanged 0, deleted 0, failed 0"]
    # Progress goes to stderr as plain lines when it is not a terminal.
    assert "indexing: 2/2 done" in result.stderr

    again = runner.invoke(cli, ["index", "--index", str(index), str(source)])
    assert again.exit_code == 0
    assert again.stdout.startswith("added 0, updated 0, unchanged 2, deleted 0, failed 0")


def test_some_inputs_failed_exits_1_and_lists_each(tmp_path, runner):
    folder = tmp_path / "in"
    write_jsonl(folder / "good.jsonl", [record(1)])
    (folder / "empty.txt").write_bytes(b"")
    (folder / "cut.json").write_text('[{"id": "x", "en": {"ti', encoding="utf-8")
    index = tmp_path / "index"
    result = runner.invoke(cli, ["index", "--index", str(index), str(folder)])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == "added 1, updated 0, unchanged 0, deleted 0, failed 2"
    failures = dict(line.removeprefix("  FAILED ").split(": ", 1) for line in lines[1:])
    assert failures.keys() == {str(folder / "cut.json"), str(folder / "empty.txt")}
    assert failures[str(folder / "empty.txt")] == "empty file"
    assert "invalid JSON" in failures[str(folder / "cut.json")]
    # The good release was committed all the same.
    assert Store(index).stats()["releases"] == 1


@pytest.mark.parametrize("args", [
    ["index", "--index", "{tmp}/index", "{tmp}/does-not-exist"],
    ["index", "--index", "{tmp}/index"],
    ["sync", "--index", "{tmp}/index", "{tmp}/does-not-exist"],
    ["stats", "--index", "{tmp}/no-index-here"],
    ["retag", "--index", "{tmp}/no-index-here"],
    ["retag", "--topics", "{tmp}/missing.toml"],
    ["index", "--frobnicate"],
])
def test_usage_errors_exit_2(tmp_path, runner, args):
    result = runner.invoke(cli, [a.format(tmp=tmp_path) for a in args])
    assert result.exit_code == 2, result.output
    assert "Error" in result.stderr


def test_stats_on_a_missing_index_says_how_to_build_one(tmp_path, runner):
    result = runner.invoke(cli, ["stats", "--index", str(tmp_path / "nothing")])
    assert result.exit_code == 2
    assert "no index at" in result.stderr and "pressroom index" in result.stderr


def counted(items: list[dict]) -> dict[str, int]:
    return {item["value"]: item["count"] for item in items}


def test_stats_json_shape(tmp_path, runner):
    index = tmp_path / "index"
    source = write_jsonl(tmp_path / "a.jsonl", [record(1), record(2, topics=["energy"])])
    assert runner.invoke(cli, ["index", "--index", str(index), str(source)]).exit_code == 0
    result = runner.invoke(cli, ["stats", "--index", str(index), "--json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["releases"] == 2
    # The shape /api/stats serves: lists of {"value", "label", "count"}.
    assert counted(data["languages"]) == {"en": 2, "ru": 2}
    assert counted(data["years"]) == {"2011": 1, "2012": 1}
    assert counted(data["topics"]) == {"consular": 1, "energy": 1}
    assert isinstance(data["index_bytes"], int) and data["index_bytes"] > 0
    assert data["generation"] == "gen-000001" and data["last_update"]
    text = runner.invoke(cli, ["stats", "--index", str(index)])
    assert text.exit_code == 0 and "releases:    2" in text.stdout


def test_pressroom_index_environment_variable_is_the_default(tmp_path, runner, monkeypatch):
    env_index = tmp_path / "from-env"
    monkeypatch.setenv("PRESSROOM_INDEX", str(env_index))
    source = write_jsonl(tmp_path / "a.jsonl", [record(1)])
    assert runner.invoke(cli, ["index", str(source)]).exit_code == 0
    assert (env_index / "CURRENT").exists()
    assert json.loads(runner.invoke(cli, ["stats", "--json"]).stdout)["releases"] == 1
    # The option wins over the variable.
    option_index = tmp_path / "from-option"
    assert runner.invoke(cli, ["index", "--index", str(option_index), str(source)]).exit_code == 0
    assert (option_index / "CURRENT").exists()


def test_sync_rebuild_and_retag_commands(tmp_path, runner):
    index, folder = tmp_path / "index", tmp_path / "archive"
    write_jsonl(folder / "a.jsonl", [record(1), record(2)])
    write_jsonl(folder / "b.jsonl", [record(3)])
    result = runner.invoke(cli, ["sync", "--index", str(index), str(folder)])
    assert result.stdout.startswith("added 3, updated 0, unchanged 0, deleted 0, failed 0")
    (folder / "b.jsonl").unlink()
    result = runner.invoke(cli, ["sync", "--index", str(index), str(folder)])
    assert result.stdout.startswith("added 0, updated 0, unchanged 2, deleted 1, failed 0")

    result = runner.invoke(cli, ["rebuild", "--index", str(index), str(folder)])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("added 0, updated 0, unchanged 2, deleted 0, failed 0")
    assert (index / "CURRENT").read_text().strip() == "gen-000002"

    topics = tmp_path / "topics.toml"
    topics.write_text('[topics.rules]\nen = "Rules"\nru = "Правила"\nkeywords = ["rule"]\n',
                      encoding="utf-8")
    result = runner.invoke(cli, ["retag", "--index", str(index), "--topics", str(topics)])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("added 0, updated 2, unchanged 0, deleted 0, failed 0")
    assert counted(Store(index).stats()["topics"]) == {"rules": 2}
    bad = tmp_path / "bad.toml"
    bad.write_text("[topics", encoding="utf-8")
    result = runner.invoke(cli, ["retag", "--index", str(index), "--topics", str(bad)])
    assert result.exit_code == 2 and "not valid TOML" in result.stderr


def test_a_busy_index_exits_75_with_a_clear_message(tmp_path, runner, monkeypatch):
    index = tmp_path / "index"
    source = write_jsonl(tmp_path / "a.jsonl", [record(1)])
    monkeypatch.setenv("PRESSROOM_LOCK_TIMEOUT", "0.2")
    with Store(index).locked():
        result = runner.invoke(cli, ["index", "--index", str(index), str(source)])
    assert result.exit_code == EXIT_BUSY == 75
    assert "index is busy: another pressroom process is writing to" in result.stderr
    assert "try again when it finishes" in result.stderr


def test_help_and_version(runner):
    result = runner.invoke(cli, ["--help"])
    assert result.exit_code == 0
    for command in ("index", "sync", "rebuild", "stats", "retag"):
        assert command in result.stdout
    assert "$PRESSROOM_INDEX" in result.stdout
    # Every exit code a store error ends with is documented.
    documented = {int(code) for code in re.findall(r"(?m)^\s+(\d+)\s{2,}\S", result.stdout)}
    assert set(STORE_EXITS.values()) | {0, 1, 2} <= documented
    assert sorted(STORE_EXITS.values()) == [EXIT_DISK_FULL, EXIT_BUSY, EXIT_READ_ONLY]
    version = runner.invoke(cli, ["--version"])
    assert version.exit_code == 0 and version.stdout.startswith("pressroom, version ")
    assert "unknown" not in version.stdout


def test_log_progress_prints_every_n_items(capsys):
    progress = LogProgress(every=3)
    progress.start("parsing", 7)
    for _ in range(7):
        progress.advance()
    progress.finish()
    assert capsys.readouterr().err.splitlines() == [
        "parsing: 3/7", "parsing: 6/7", "parsing: 7/7 done"]
