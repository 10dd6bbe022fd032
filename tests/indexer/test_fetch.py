"""`pressroom fetch` against a local site (tests/ministry_site.py): feeds, sitemaps,
listings, conditional requests, robots.txt, 429/500/timeouts.  Nothing here
reaches the internet, and nothing waits: the client's sleeps are recorded."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from whoosh import index as whoosh_index

from indexer.fetching.client import PoliteClient, retry_after
from indexer.fetching.fetcher import Fetcher
from indexer.fetching.sources import Source, SourceError, find_source, load_sources
from indexer.ledger import Ledger
from indexer.location import live_index_dir
from indexer.store import Store
from tests.ministry_site import SOURCES_TOML, ministry_site, release_page
from webui.cli import cli

UA = "Pressroom/test (+https://example.org/contact)"


class FakeTime:
    """The client's clock and sleeper: sleeping advances the clock and is recorded."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture()
def site():
    site = ministry_site()
    yield site
    site.close()


@pytest.fixture()
def fake_time():
    return FakeTime()


def client(fake_time: FakeTime, **kw) -> PoliteClient:
    options = {"interval": 1.0, "timeout": 5.0, "retries": 2} | kw
    return PoliteClient(UA, clock=fake_time.clock, sleep=fake_time.sleep, **options)


def sources(site) -> list[Source]:
    return [Source("rss", "feed", f"{site.base}/feed.xml"),
            Source("atom", "feed", f"{site.base}/atom.xml"),
            Source("map", "sitemap", f"{site.base}/sitemap.xml"),
            Source("news", "listing", f"{site.base}/listing.html", links="ul.news a.title",
                   next="a[rel=next]")]


def stored(root) -> dict[str, dict]:
    ix = whoosh_index.open_dir(str(live_index_dir(root)))
    with ix.searcher() as s:
        return {d["id"]: d for d in s.all_stored_fields()}


def run_all(root, site, fake_time, **kw):
    fetcher = Fetcher(Store(root), client(fake_time, **kw))
    return [fetcher.run(source) for source in sources(site)]


def test_first_run_indexes_every_release_and_obeys_robots(tmp_path, site, fake_time):
    summaries = run_all(tmp_path / "index", site, fake_time)
    assert [s.added for s in summaries] == [2, 1, 2, 3]
    assert all(s.ok for s in summaries)
    assert set(stored(tmp_path / "index")) == {f"2026-{n}" for n in range(1, 9)}
    # robots.txt forbids /private/: never asked for, reported as skipped.
    assert site.hits["/private/9.html"] == 0
    assert site.hits["/robots.txt"] == 1  # once per host and run
    assert any("/private/9.html" in note and "robots.txt" in note for note in summaries[0].notes)
    assert site.agents == {UA}
    # One request per second per host: every request after the first waited its turn.
    requests = sum(site.hits.values())
    assert len([s for s in fake_time.sleeps if s > 0]) == requests - 1
    assert all(0 < s <= 1.0 for s in fake_time.sleeps)
    log = Ledger(tmp_path / "index").history()
    assert [(e["actor"], e["operation"], e["added"]) for e in log] == [
        ("fetch", "ingest", 2), ("fetch", "ingest", 1), ("fetch", "ingest", 2),
        ("fetch", "ingest", 3)]
    assert log[0]["origin"].startswith("rss ")


def test_second_run_indexes_nothing_and_sends_conditional_requests(tmp_path, site, fake_time):
    run_all(tmp_path / "index", site, fake_time)
    before = Ledger(tmp_path / "index").history()
    site.not_modified.clear()
    summaries = run_all(tmp_path / "index", site, fake_time)
    assert [(s.added, s.updated) for s in summaries] == [(0, 0)] * 4
    assert [s.unchanged for s in summaries] == [2, 1, 2, 3]
    # Every page and list page answered 304.
    expected = {f"/news/{n}.html" for n in range(1, 9)} | {
        "/feed.xml", "/atom.xml", "/sitemap.xml", "/listing.html", "/listing-2.html"}
    assert set(site.not_modified) == expected
    assert Ledger(tmp_path / "index").history() == before  # nothing written, nothing logged


def test_a_changed_page_is_updated(tmp_path, site, fake_time):
    root = tmp_path / "index"
    run_all(root, site, fake_time)
    site.put("/news/2.html", release_page(2, site.base, body="The talks were moved to Ganja."))
    summaries = run_all(root, site, fake_time)
    assert [(s.added, s.updated) for s in summaries] == [(0, 1), (0, 0), (0, 0), (0, 0)]
    assert "Ganja" in stored(root)["2026-2"]["body_en"]
    assert Ledger(root).history()[-1]["changes"]["updated"] == ["2026-2"]
    seen = Ledger(root).seen("rss", f"{site.base}/news/2.html")
    assert seen.status == "changed" and seen.release_id == "2026-2" and seen.etag


def test_a_429_is_retried_after_the_delay_the_server_asked_for(tmp_path, site, fake_time):
    site.troubles["/news/1.html"] = [429]
    summary = Fetcher(Store(tmp_path / "index"), client(fake_time)).run(sources(site)[0])
    assert summary.ok and summary.added == 2
    assert 3.0 in fake_time.sleeps  # Retry-After: 3, waited (on the fake clock)
    assert site.hits["/news/1.html"] == 2


def test_5xx_are_retried_with_back_off_then_reported(tmp_path, site, fake_time):
    site.troubles["/news/2.html"] = [503]  # once: the retry succeeds
    site.always_500.add("/news/1.html")
    summary = Fetcher(Store(tmp_path / "index"), client(fake_time)).run(sources(site)[0])
    assert site.hits["/news/1.html"] == 3  # the first try and two retries
    assert 2.0 in fake_time.sleeps  # back-off 1 s, then 2 s (1 s waits are also turns)
    assert summary.added == 1 and summary.exit_code == 1
    assert [(f.path, f.reason) for f in summary.failed] == [
        (f"{site.base}/news/1.html", "HTTP 500")]


def test_one_failing_page_does_not_stop_the_run(tmp_path, site, fake_time):
    site.hang.add("/news/6.html")  # never answers: the client's timeout ends it
    site.always_500.add("/news/7.html")
    site.put("/news/8.html", "<html><body><nav>menu only</nav></body></html>")
    fetcher = Fetcher(Store(tmp_path / "index"), client(fake_time, timeout=0.5, retries=0))
    summary = fetcher.run(sources(site)[3])
    failures = {f.path.removeprefix(site.base): f.reason for f in summary.failed}
    assert failures["/news/6.html"] == "timed out after 0.5 s"
    assert failures["/news/7.html"] == "HTTP 500"
    assert failures["/news/8.html"].startswith("no article text")
    assert summary.exit_code == 1
    # The others of the run (another source) and a retry of the fixed pages go in.
    assert fetcher.run(sources(site)[2]).added == 2
    site.hang.clear()
    site.always_500.clear()
    site.put("/news/8.html", release_page(8, site.base))
    again = fetcher.run(sources(site)[3])
    assert again.ok and again.added == 3


def test_a_page_over_the_size_limit_fails(tmp_path, site, fake_time):
    site.put("/news/1.html", release_page(1, site.base, body="word " * 5000))
    summary = Fetcher(Store(tmp_path / "index"), client(fake_time, max_bytes=10_000)).run(
        sources(site)[0])
    reasons = [f.reason for f in summary.failed]
    assert reasons == ["over the limit of 10000 bytes"] or "over the limit" in reasons[0]
    assert summary.added == 1


def test_an_unreachable_source_is_a_failure_with_its_url(tmp_path, fake_time):
    fetcher = Fetcher(Store(tmp_path / "index"), client(fake_time, retries=0))
    summary = fetcher.run(Source("gone", "feed", "http://127.0.0.1:9/feed.xml"))
    assert summary.failed[0].path == "http://127.0.0.1:9/feed.xml"
    assert summary.failed[0].reason.startswith("robots.txt could not be read (cannot connect")


def test_retry_after_takes_seconds_and_dates():
    assert retry_after("3", 0.0) == 3.0
    assert retry_after("Thu, 01 Jan 1970 00:01:00 GMT", 30.0) == 30.0
    assert retry_after(None, 0.0) is None and retry_after("soon", 0.0) is None


def test_a_retry_after_beyond_the_limit_fails_the_page(tmp_path, site, fake_time):
    site.troubles["/news/1.html"] = [429]
    summary = Fetcher(Store(tmp_path / "index"), client(fake_time, max_wait=2.0)).run(
        sources(site)[0])
    assert summary.failed[0].reason == "HTTP 429; the server asks to wait 3 s (more than 2 s)"
    assert 3.0 not in fake_time.sleeps


# -- the sources file and the command ------------------------------------------


def test_sources_file_errors_are_clear(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[[source]]\nname = "x"\nkind = "listing"\nurl = "https://a.example"\n')
    with pytest.raises(SourceError, match="links"):
        load_sources(bad)
    bad.write_text('[[source]]\nname = "x"\nkind = "rss"\nurl = "https://a.example"\n')
    with pytest.raises(SourceError, match="kind must be one of"):
        load_sources(bad)
    one = tmp_path / "one.toml"
    one.write_text('name = "solo"\nkind = "feed"\nurl = "https://a.example/rss"\n')
    assert find_source(str(one), None).name == "solo"
    with pytest.raises(SourceError, match="no source named"):
        find_source("nope", one)


@pytest.fixture()
def command_env(tmp_path, site, monkeypatch):
    config = tmp_path / "sources.toml"
    config.write_text(SOURCES_TOML.format(base=site.base), encoding="utf-8")
    # The command's real client: no waiting between requests or before retries.
    monkeypatch.setenv("PRESSROOM_FETCH_INTERVAL", "0")
    monkeypatch.setenv("PRESSROOM_FETCH_RETRIES", "0")
    monkeypatch.setenv("PRESSROOM_FETCH_TIMEOUT", "0.5")
    monkeypatch.setenv("PRESSROOM_SOURCES", str(config))
    monkeypatch.setenv("PRESSROOM_FETCH_CONTACT", "https://example.org/contact")
    return tmp_path / "index"


def test_fetch_command_exit_codes_follow_index(command_env, site):
    runner = CliRunner()
    root = str(command_env)
    result = runner.invoke(cli, ["fetch", "--index", root, "--all"])
    assert result.exit_code == 0, result.output
    assert "added 3, updated 0, unchanged 0, deleted 0, failed 0" in result.output
    assert any(agent.startswith("Pressroom/") and agent.endswith("(+https://example.org/contact)")
               for agent in site.agents)
    again = runner.invoke(cli, ["fetch", "--index", root, "rss", "news"])
    assert again.exit_code == 0 and "added 0, updated 0, unchanged 3" in again.output
    site.put("/news/4.html", "<html><body><nav>menu only</nav></body></html>")
    failed = runner.invoke(cli, ["fetch", "--index", root, "map"])
    assert failed.exit_code == 1
    assert f"FAILED {site.base}/news/4.html: no article text" in failed.output
    assert runner.invoke(cli, ["fetch", "--index", root, "nope"]).exit_code == 2
    assert runner.invoke(cli, ["fetch", "--index", root]).exit_code == 2
    history = runner.invoke(cli, ["history", "--index", root])
    assert history.exit_code == 0 and history.output.count(" fetch ") == 4


def test_fetch_and_delete_wait_for_the_lock_then_exit_75(command_env, site, monkeypatch):
    runner = CliRunner()
    root = str(command_env)
    assert runner.invoke(cli, ["fetch", "--index", root, "rss"]).exit_code == 0
    site.put("/news/1.html", release_page(1, site.base, body="Changed while busy."))
    monkeypatch.setenv("PRESSROOM_LOCK_TIMEOUT", "0")
    with Store(command_env).locked():  # another writer holds the index
        busy = runner.invoke(cli, ["fetch", "--index", root, "rss"])
        assert busy.exit_code == 75 and "busy" in busy.output
        assert runner.invoke(cli, ["delete", "--index", root, "2026-1"]).exit_code == 75
    # Nothing was remembered of the busy run: the change is still news.
    again = runner.invoke(cli, ["fetch", "--index", root, "rss"])
    assert again.exit_code == 0 and "updated 1" in again.output
