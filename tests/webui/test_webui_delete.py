"""Deleting releases (DELETE /api/releases/<id>, `pressroom delete`) and the ingest log
(`pressroom history`, /stats): every write recorded, a log failure never breaks one."""

from __future__ import annotations

import json
import logging
import sqlite3

import pytest
import schemathesis
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import negative_data_rejection, positive_data_acceptance

from indexer import ledger as ledger_module
from indexer.ledger import Ledger
from indexer.store import Store
from tests.conftest import ADMIN_TOKEN
from tests.webui.test_webui_api import validate
from webui import create_app
from webui.cli import cli

AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def record(n: int) -> dict:
    return {"id": f"del-{n}", "date": "2026-03-03",
            "en": {"title": f"Water council {n}", "body": f"The minister met council {n}."}}


@pytest.fixture()
def index(tmp_path):
    root = tmp_path / "index"
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "all.json").write_text(json.dumps([record(n) for n in range(1, 4)]))
    Store(root).index_paths([folder])
    return root


@pytest.fixture()
def app(index):
    return create_app({"TESTING": True, "INDEX": str(index), "ADMIN_TOKEN": ADMIN_TOKEN,
                       "ZERO_RESULTS_LOG": False})


def found(client, query: str) -> set[str]:
    page = client.get(f"/api/search?q={query}&per_page=100").get_json()
    return {hit["id"] for hit in page["hits"]}


def test_delete_needs_the_token_and_answers_in_the_error_shape(app):
    client = app.test_client()
    path = "/api/releases/{release_id}"
    no_token = client.delete("/api/releases/del-1")
    assert no_token.status_code == 401 and no_token.headers["WWW-Authenticate"]
    validate(no_token, path, "delete")
    wrong = client.delete("/api/releases/del-1", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 403
    validate(wrong, path, "delete")
    missing = client.delete("/api/releases/no-such-release", headers=AUTH)
    assert missing.status_code == 404
    assert "no-such-release" in validate(missing, path, "delete")["error"]["message"]
    off = create_app({"TESTING": True, "INDEX": app.config["INDEX"], "ADMIN_TOKEN": ""})
    assert off.test_client().delete("/api/releases/del-1", headers=AUTH).status_code == 404
    assert found(client, "council") == {"del-1", "del-2", "del-3"}  # nothing deleted


def test_delete_without_an_index_is_503_and_creates_nothing(tmp_path):
    app = create_app({"TESTING": True, "INDEX": str(tmp_path / "none"),
                      "ADMIN_TOKEN": ADMIN_TOKEN})
    response = app.test_client().delete("/api/releases/x", headers=AUTH)
    assert response.status_code == 503
    validate(response, "/api/releases/{release_id}", "delete")
    assert not (tmp_path / "none").exists()


def test_a_deleted_release_is_gone_from_the_next_search(app, index):
    client = app.test_client()
    assert "del-2" in found(client, "council")
    response = client.delete("/api/releases/del-2", headers=AUTH)
    assert response.status_code == 200
    body = validate(response, "/api/releases/{release_id}", "delete")
    assert body["deleted"] == 1 and body["ok"] is True
    assert found(client, "council") == {"del-1", "del-3"}
    assert client.get("/api/releases/del-2").status_code == 404
    # Idempotent: the release stays gone; the second DELETE says it is not there.
    assert client.delete("/api/releases/del-2", headers=AUTH).status_code == 404
    (entry,) = [e for e in Ledger(index).history() if e["operation"] == "delete"]
    assert entry["actor"] == "DELETE /api/releases" and entry["origin"] == "127.0.0.1"
    assert entry["changes"]["deleted"] == ["del-2"]


def test_stats_show_recent_changes(app):
    client = app.test_client()
    client.post("/api/releases", json=record(9), headers=AUTH)
    client.delete("/api/releases/del-1", headers=AUTH)
    stats = validate(client.get("/api/stats"), "/api/stats")
    changes = [(c["actor"], c["added"], c["deleted"]) for c in stats["recent_changes"]]
    assert changes == [("DELETE /api/releases", 0, 1), ("POST /api/releases", 1, 0),
                       ("library", 3, 0)]
    page = client.get("/stats").get_data(as_text=True)
    assert "Recent changes" in page and "DELETE /api/releases" in page


def test_delete_operation_conforms_to_the_openapi_document(app):
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app).include(method="DELETE")
    calls = []
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        @settings(max_examples=15, deadline=None, database=None,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
        @given(case=schema.as_strategy(mode))
        def check(case) -> None:
            for headers in (AUTH, {}, {"Authorization": "Bearer wrong"}):
                response = case.call_and_validate(
                    headers=headers,
                    excluded_checks=[positive_data_acceptance, negative_data_rejection])
                calls.append(response.status_code)

        check()
    assert calls and all(status < 500 for status in calls)
    assert {401, 403, 404} <= set(calls)


# -- the command line ------------------------------------------------------------


def test_delete_command_is_idempotent(index):
    runner = CliRunner()
    first = runner.invoke(cli, ["delete", "--index", str(index), "del-1", "del-3", "nope"])
    assert first.exit_code == 0, first.output
    assert first.output.startswith("added 0, updated 0, unchanged 0, deleted 2, failed 0")
    assert "NOTE not found: nope" in first.output
    again = runner.invoke(cli, ["delete", "--index", str(index), "del-1"])
    assert again.exit_code == 0 and "deleted 0" in again.output
    assert "NOTE not found: del-1" in again.output
    missing = runner.invoke(cli, ["delete", "--index", str(index / "none"), "x"])
    assert missing.exit_code == 2 and not (index / "none").exists()


def test_history_shows_every_write_in_its_documented_shape(index, tmp_path):
    runner = CliRunner()
    folder = tmp_path / "in"
    (folder / "more.json").write_text(json.dumps([record(7)]))
    assert runner.invoke(cli, ["index", "--index", str(index), str(folder)]).exit_code == 0
    (folder / "more.json").unlink()
    assert runner.invoke(cli, ["sync", "--index", str(index), str(folder)]).exit_code == 0
    assert runner.invoke(cli, ["rebuild", "--index", str(index), str(folder)]).exit_code == 0
    assert runner.invoke(cli, ["delete", "--index", str(index), "del-3"]).exit_code == 0
    result = runner.invoke(cli, ["history", "--index", str(index), "--json"])
    assert result.exit_code == 0
    entries = json.loads(result.output)["entries"]
    assert [(e["operation"], e["actor"], e["added"], e["updated"], e["deleted"])
            for e in entries] == [
        ("index", "library", 3, 0, 0),  # the fixture's Store
        ("index", "index", 1, 0, 0),
        ("sync", "sync", 0, 0, 1),
        ("rebuild", "rebuild", 0, 0, 0),
        ("delete", "delete", 0, 0, 1),
    ]
    assert entries[1]["origin"] == str(folder.resolve())
    assert entries[1]["changes"] == {"added": ["del-7"], "updated": [], "deleted": []}
    assert set(entries[0]) == {"id", "at", "operation", "actor", "origin", "added", "updated",
                               "deleted", "failed", "changes"}
    # --since: a date or a time, UTC.
    later = runner.invoke(cli, ["history", "--index", str(index), "--json",
                                "--since", entries[2]["at"][:23]])
    assert [e["id"] for e in json.loads(later.output)["entries"]] == [
        e["id"] for e in entries[2:]]
    future = runner.invoke(cli, ["history", "--index", str(index), "--since", "2999-01-01"])
    assert future.exit_code == 0 and future.output == ""
    text = runner.invoke(cli, ["history", "--index", str(index)]).output.splitlines()
    assert len(text) == 5 and " sync " in text[2] and "deleted 1" in text[2]
    assert runner.invoke(cli, ["history", "--index", str(index), "--since", "soon"]
                         ).exit_code == 2


def test_a_log_that_cannot_be_written_never_breaks_a_commit(index, monkeypatch, caplog):
    def broken(self, *args, **kwargs):
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(ledger_module.Ledger, "record", broken)
    with caplog.at_level(logging.WARNING, logger="indexer.ledger"):
        summary = Store(index).delete(["del-1"])
    assert summary.deleted == 1
    assert "del-1" not in {e for e in _ids(index)}
    assert "ingest log could not record a delete" in caplog.text


def test_a_log_file_that_is_not_a_database_never_breaks_a_commit(index, caplog):
    (index / ledger_module.FILE_NAME).write_bytes(b"this is not a database" * 100)
    for suffix in ("-wal", "-shm"):
        (index / (ledger_module.FILE_NAME + suffix)).unlink(missing_ok=True)
    with caplog.at_level(logging.WARNING, logger="indexer.ledger"):
        assert Store(index).delete(["del-2"]).deleted == 1
    assert "ingest log could not record" in caplog.text


def _ids(root) -> set[str]:
    from whoosh import index as whoosh_index

    from indexer.location import live_index_dir

    ix = whoosh_index.open_dir(str(live_index_dir(root)))
    with ix.searcher() as s:
        return {d["id"] for d in s.all_stored_fields()}
