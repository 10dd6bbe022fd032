"""The editors' report of searches that found nothing: counted, listed in order, nothing
written when off, bounded retention, deletable, and behind the admin token."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sqlite3

import pytest
from click.testing import CliRunner

from search import SearchRequest
from search.zeroresults import FILE_NAME, ZeroResultsLog, normalise_query, outcome_of
from tests.conftest import ADMIN_TOKEN

NOW = dt.datetime(2026, 3, 14, 15, 42, 7, tzinfo=dt.UTC)
NOTHING = {"total": 0, "suggestion": None, "understood": {"mode": "all"}}
FOUND = {"total": 3, "suggestion": None, "understood": {"mode": "all"}}


class Clock:
    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


def request(q: str, **params) -> SearchRequest:
    return SearchRequest.from_params({"q": q, **params})


def test_failed_searches_are_counted_and_listed_most_frequent_first(tmp_path):
    log = ZeroResultsLog(tmp_path, clock=Clock(NOW))
    for _ in range(3):
        log.record(request("Каспийский  ТРУБОПРОВОД"), NOTHING)
    log.record(request("каспийский трубопровод", topic="energy"), NOTHING)
    log.record(request("vbybcnh"), {"total": 4, "suggestion": {"kind": "layout",
                                                                "applied": True},
                                    "understood": {"mode": "all"}})
    log.record(request("vbybcnh"), {"total": 4, "suggestion": {"kind": "layout",
                                                                "applied": True},
                                    "understood": {"mode": "all"}})
    assert not log.record(request("energy"), FOUND)  # found releases: not counted
    log.flush()
    rows = log.report()
    assert [(r["query"], r["filters"], r["outcome"], r["count"]) for r in rows] == [
        ("каспийский трубопровод", "", "nothing", 3),
        ("vbybcnh", "", "layout", 2),
        ("каспийский трубопровод", "topic=energy", "nothing", 1),
    ]
    assert rows[0]["last_seen"] == "2026-03-14T15:00Z"  # the hour, no finer


def test_only_what_is_needed_is_stored(tmp_path):
    log = ZeroResultsLog(tmp_path, clock=Clock(NOW))
    log.record(request("x", lang="ru", sort="newest", page="2"), NOTHING)
    log.flush()
    with sqlite3.connect(tmp_path / FILE_NAME) as db:
        columns = [row[1] for row in db.execute("PRAGMA table_info(zero_results)")]
        rows = db.execute("SELECT * FROM zero_results").fetchall()
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    assert tables == ["zero_results"]
    assert columns == ["query", "filters", "outcome", "hour", "count"]
    assert rows == [("x", "lang=ru", "nothing", "2026-03-14T15:00Z", 1)]  # no sort, no page


@pytest.mark.parametrize(("page", "outcome"), [
    (NOTHING, "nothing"),
    (FOUND, None),
    ({"total": 2, "suggestion": None, "understood": {"mode": "any"}}, "any-word"),
    ({"total": 2, "suggestion": {"kind": "spelling", "applied": True},
      "understood": {"mode": "all"}}, "spelling"),
    ({"total": 2, "suggestion": {"kind": "spelling", "applied": False},
      "understood": {"mode": "all"}}, None),
    ({"total": 2, "suggestion": {"kind": "layout", "applied": True},
      "understood": {"mode": "any"}}, "layout+any-word"),
])
def test_outcome_says_what_the_fallback_did(page, outcome):
    assert outcome_of(page) == outcome


def test_query_text_is_normalised():
    assert normalise_query("  Визит\tМИНИСТРА  ") == "визит министра"
    assert len(normalise_query("слово " * 100)) == 200


def test_nothing_is_written_when_off(tmp_path):
    log = ZeroResultsLog(tmp_path, enabled=False, clock=Clock(NOW))
    assert not log.record(request("nothing here"), NOTHING)
    log.flush()
    assert not (tmp_path / FILE_NAME).exists()
    assert log.report() == []


def test_retention_forgets_old_searches(tmp_path):
    clock = Clock(NOW)
    log = ZeroResultsLog(tmp_path, retention_days=90, clock=clock)
    log.record(request("old"), NOTHING)
    log.flush()
    log.close()
    clock.now = NOW + dt.timedelta(days=91)
    assert log.report() == []  # past the retention: not reported...
    fresh = ZeroResultsLog(tmp_path, retention_days=90, clock=clock)
    fresh.record(request("new"), NOTHING)
    fresh.flush()
    fresh.close()
    assert [r["query"] for r in fresh.report()] == ["new"]
    with sqlite3.connect(tmp_path / FILE_NAME) as db:  # ...and deleted by the writer
        assert [r[0] for r in db.execute("SELECT query FROM zero_results")] == ["new"]


def test_report_since_a_day(tmp_path):
    clock = Clock(NOW)
    log = ZeroResultsLog(tmp_path, clock=clock)
    log.record(request("early"), NOTHING)
    clock.now = NOW + dt.timedelta(days=2)
    log.record(request("late"), NOTHING)
    log.flush()
    assert [r["query"] for r in log.report(since=(NOW + dt.timedelta(days=1)).date())] == ["late"]


def test_the_database_can_be_deleted(tmp_path):
    log = ZeroResultsLog(tmp_path, clock=Clock(NOW))
    log.record(request("one"), NOTHING)
    log.flush()
    for path in tmp_path.glob(FILE_NAME + "*"):
        path.unlink()
    assert log.report() == []
    log.record(request("two"), NOTHING)
    log.flush()
    assert [r["query"] for r in log.report()] == ["two"]


def test_recording_does_not_wait_for_a_locked_database(tmp_path):
    log = ZeroResultsLog(tmp_path, clock=Clock(NOW))
    log.record(request("first"), NOTHING)
    log.flush()
    blocker = sqlite3.connect(tmp_path / FILE_NAME, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        # Returns at once: the row waits on the queue, the search does not.
        assert log.record(request("second"), NOTHING)
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    log.flush()
    log.close()


# ------------------------------------------------------------ the web process


@pytest.fixture()
def index_copy(sample_index, tmp_path):
    root = tmp_path / "index"
    shutil.copytree(sample_index, root, ignore=shutil.ignore_patterns(f"{FILE_NAME}*"))
    return root


def make_client(root, **config):
    from webui import create_app

    app = create_app({"TESTING": True, "INDEX": str(root), "ADMIN_TOKEN": ADMIN_TOKEN,
                      **config})
    app.extensions["pressroom.zeroresults"].clock = Clock(NOW)  # one hour for every search
    return app, app.test_client()


AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def test_web_searches_that_found_nothing_are_reported_in_order(index_copy):
    app, client = make_client(index_copy)
    for _ in range(3):
        client.get("/search?q=qqqzzz")
    client.get("/api/search?q=QQQZZZ")
    client.get("/search?q=xyzzy&topic=energy")
    client.get("/search?q=energy")  # finds releases: not counted
    client.get("/search?q=vbybcnh")  # wrong keyboard layout, corrected
    body = client.get("/api/admin/zero-results", headers=AUTH).get_json()
    assert body["recording"] is True and body["retention_days"] == 90
    # Most frequent first; ties (same count, same hour) by query text.
    assert [(r["query"], r["filters"], r["outcome"], r["count"]) for r in body["searches"]] == [
        ("qqqzzz", "", "nothing", 4),
        ("vbybcnh", "", "layout", 1),
        ("xyzzy", "topic=energy", "nothing", 1),
    ]
    page = client.get("/admin/zero-results", headers=AUTH)
    assert page.status_code == 200 and "qqqzzz" in page.get_data(as_text=True)
    assert (index_copy / FILE_NAME).exists()


def test_web_records_nothing_when_off(index_copy):
    app, client = make_client(index_copy, ZERO_RESULTS_LOG=False)
    client.get("/search?q=qqqzzz")
    client.get("/api/search?q=qqqzzz")
    body = client.get("/api/admin/zero-results", headers=AUTH).get_json()
    assert body == {"recording": False, "retention_days": 90, "searches": []}
    assert not (index_copy / FILE_NAME).exists()


def test_report_needs_the_token(index_copy):
    _, client = make_client(index_copy)
    for path in ("/api/admin/zero-results", "/admin/zero-results"):
        assert client.get(path).status_code == 401
        assert client.get(path, headers={"Authorization": "Bearer wrong"}).status_code == 403
    error = client.get("/api/admin/zero-results").get_json()["error"]
    assert error["status"] == 401
    _, no_token = make_client(index_copy, ADMIN_TOKEN="")
    assert no_token.get("/api/admin/zero-results", headers=AUTH).status_code == 404
    assert client.get("/api/admin/zero-results?since=yesterday", headers=AUTH).status_code == 400
    assert client.get("/api/admin/zero-results?limit=0", headers=AUTH).status_code == 400


def test_cli_report(index_copy, monkeypatch):
    from webui.cli import cli

    app, client = make_client(index_copy)
    log = app.extensions["pressroom.zeroresults"]
    log.clock = lambda: dt.datetime.now(dt.UTC)  # the command reads with the real clock
    client.get("/search?q=qqqzzz")
    client.get("/search?q=qqqzzz")
    log.flush()
    runner = CliRunner()
    result = runner.invoke(cli, ["report", "zero-results", "--index", str(index_copy), "--json"])
    assert result.exit_code == 0, result.output
    [row] = json.loads(result.output)
    assert row["query"] == "qqqzzz" and row["count"] == 2
    text = runner.invoke(cli, ["report", "zero-results", "--index", str(index_copy)])
    assert "qqqzzz" in text.output and text.exit_code == 0
    future = runner.invoke(cli, ["report", "zero-results", "--index", str(index_copy),
                                 "--since", "2999-01-01", "--json"])
    assert json.loads(future.output) == []
    bad = runner.invoke(cli, ["report", "zero-results", "--index", str(index_copy),
                              "--since", "soon"])
    assert bad.exit_code == 2
