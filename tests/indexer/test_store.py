"""The index on disk: incremental updates, sync, atomic rebuild, the writer lock."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from whoosh import index as whoosh_index
from whoosh import writing
from whoosh.query import Term

from indexer import store as store_module
from indexer.location import CURRENT, live_index_dir
from indexer.release import Release, Version
from indexer.store import IndexBusy, Store, Summary
from indexer.topics import Taxonomy

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT.parent / "shared" / "seed" / "release-332-17.txt"
CP1251_SAMPLE = ROOT / "samples" / "text" / "release-101-18-cp1251.txt"


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    return Taxonomy.load()


def record(n: int, body: str = "", **extra) -> dict:
    return {
        "id": f"r{n}",
        "date": f"20{10 + n % 10}-0{1 + n % 9}-1{n % 9}",
        "en": {"title": f"Release number {n}", "body": body or f"Ministers discussed item{n}."},
        "ru": {"title": f"Сообщение {n}", "body": f"Министры обсудили вопрос{n}."},
        **extra,
    }


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n",
                    encoding="utf-8")
    return path


def stored(root: Path) -> dict[str, dict]:
    ix = whoosh_index.open_dir(str(live_index_dir(root)))
    with ix.searcher() as s:
        return {d["id"]: d for d in s.all_stored_fields()}


def generation(root: Path) -> int:
    return whoosh_index.open_dir(str(live_index_dir(root))).latest_generation()


def counts(summary: Summary) -> tuple[int, int, int, int, int]:
    return (summary.added, summary.updated, summary.unchanged, summary.deleted,
            len(summary.failed))


def test_a_fresh_index_is_generation_one_behind_current(tmp_path, taxonomy):
    root = tmp_path / "index"
    summary = Store(root, taxonomy=taxonomy).index_paths(
        [write_jsonl(tmp_path / "a.jsonl", [record(1), record(2)])])
    assert counts(summary) == (2, 0, 0, 0, 0) and summary.ok and summary.exit_code == 0
    assert (root / CURRENT).read_text().strip() == "gen-000001"
    assert live_index_dir(root) == root / "gen-000001"
    docs = stored(root)
    assert set(docs) == {"r1", "r2"}
    # Sources are stored as absolute resolved paths, for sync to match on.
    assert docs["r1"]["source"] == str((tmp_path / "a.jsonl").resolve())


def test_add_update_and_skip_unchanged_by_content_hash(tmp_path, taxonomy):
    root = tmp_path / "index"
    store = Store(root, taxonomy=taxonomy)
    source = write_jsonl(tmp_path / "in" / "a.jsonl", [record(1), record(2), record(3)])
    store.index_paths([tmp_path / "in"])
    first_generation = generation(root)

    again = store.index_paths([tmp_path / "in"])
    assert counts(again) == (0, 0, 3, 0, 0)
    # Nothing changed, so nothing was committed.
    assert generation(root) == first_generation

    write_jsonl(source, [record(1), record(2, body="A revised text."), record(3), record(4)])
    changed = store.index_paths([source])
    assert counts(changed) == (1, 1, 2, 0, 0)
    assert generation(root) == first_generation + 1
    docs = stored(root)
    assert docs["r2"]["body_en"] == "A revised text."
    assert len(docs) == 4


def test_duplicate_ids_in_one_run_last_wins_counted_once(tmp_path, taxonomy):
    root = tmp_path / "index"
    a = write_jsonl(tmp_path / "a.jsonl", [record(1, body="First version.")])
    b = write_jsonl(tmp_path / "b.jsonl", [record(1, body="Second version.")])
    summary = Store(root, taxonomy=taxonomy).index_paths([a, b])
    assert counts(summary) == (1, 0, 0, 0, 0)
    ix = whoosh_index.open_dir(str(live_index_dir(root)))
    assert ix.doc_count() == 1
    assert stored(root)["r1"]["body_en"] == "Second version."


def test_a_broken_file_goes_in_not_at_all_and_does_not_stop_the_batch(tmp_path, taxonomy):
    root = tmp_path / "index"
    good = write_jsonl(tmp_path / "good.jsonl", [record(1)])
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(record(2)) + "\n" + json.dumps(record(3)) + "\n{\"id\": \n",
                   encoding="utf-8")
    summary = Store(root, taxonomy=taxonomy).index_paths([bad, good])
    assert counts(summary) == (1, 0, 0, 0, 1) and summary.exit_code == 1
    assert summary.failed[0].path == str(bad) and "invalid JSON" in summary.failed[0].reason
    assert set(stored(root)) == {"r1"}
    report = summary.report().splitlines()
    assert report[0] == "added 1, updated 0, unchanged 0, deleted 0, failed 1"
    assert report[1].startswith(f"  FAILED {bad}: line 3: invalid JSON")
    assert summary.to_dict()["failed"] == [{"path": str(bad), "reason": summary.failed[0].reason}]


def test_add_releases_for_the_ingest_endpoint(tmp_path, taxonomy):
    root = tmp_path / "index"
    store = Store(root, taxonomy=taxonomy)
    release = Release(versions={"en": Version("en", "Visa rules", "New visa rules apply.")},
                      id="api-1")
    assert counts(store.add_releases([release])) == (1, 0, 0, 0, 0)
    assert counts(store.add_releases([release])) == (0, 0, 1, 0, 0)
    assert stored(root)["api-1"]["topics"] == "consular"


def test_sync_adds_updates_and_deletes(tmp_path, taxonomy):
    root = tmp_path / "index"
    folder = tmp_path / "archive"
    write_jsonl(folder / "a.jsonl", [record(1), record(2)])
    write_jsonl(folder / "sub" / "b.jsonl", [record(3)])
    write_jsonl(folder / "c.jsonl", [record(4)])
    elsewhere = write_jsonl(tmp_path / "other" / "d.jsonl", [record(9)])
    store = Store(root, taxonomy=taxonomy)
    store.index_paths([elsewhere])
    assert counts(store.sync(folder)) == (4, 0, 0, 0, 0)

    (folder / "c.jsonl").unlink()  # r4 goes
    write_jsonl(folder / "a.jsonl", [record(1, body="Changed.")])  # r1 changes, r2 goes
    write_jsonl(folder / "e.jsonl", [record(5)])  # r5 comes
    (folder / "broken.jsonl").write_text("{", encoding="utf-8")
    summary = store.sync(folder)
    assert counts(summary) == (1, 1, 1, 2, 1)
    # Releases from outside the folder are not the folder's to delete.
    assert set(stored(root)) == {"r1", "r3", "r5", "r9"}

    # A file that exists but has become unreadable keeps its releases.
    (folder / "sub" / "b.jsonl").write_text("not json at all {", encoding="utf-8")
    summary = store.sync(folder)
    assert summary.deleted == 0 and "r3" in stored(root)
    assert counts(store.sync(tmp_path / "other")) == (0, 0, 1, 0, 0)


def test_a_release_moving_to_another_file_survives_sync(tmp_path, taxonomy):
    root = tmp_path / "index"
    folder = tmp_path / "archive"
    write_jsonl(folder / "old.jsonl", [record(1)])
    store = Store(root, taxonomy=taxonomy)
    store.sync(folder)
    (folder / "old.jsonl").rename(folder / "new.jsonl")
    summary = store.sync(folder)
    assert counts(summary) == (0, 1, 0, 0, 0)
    assert stored(root)["r1"]["source"] == str((folder / "new.jsonl").resolve())


def test_rebuild_swaps_atomically_and_old_readers_keep_working(tmp_path, taxonomy):
    root = tmp_path / "index"
    store = Store(root, taxonomy=taxonomy)
    old = write_jsonl(tmp_path / "old.jsonl", [record(n, body=f"oldword item{n}")
                                              for n in range(1, 6)])
    store.index_paths([old])
    reader_ix = whoosh_index.open_dir(str(live_index_dir(root)))
    searcher = reader_ix.searcher()
    assert len(searcher.search(Term("body_en", "oldword"))) == 5

    new = write_jsonl(tmp_path / "new.jsonl", [record(n, body=f"newword item{n}")
                                              for n in range(3, 9)])
    summary = store.rebuild([new])
    assert counts(summary) == (3, 3, 0, 2, 0)
    assert (root / CURRENT).read_text().strip() == "gen-000002"
    # The reader opened before the swap still answers from the old generation.
    assert len(searcher.search(Term("body_en", "oldword"))) == 5
    searcher.close()
    fresh = whoosh_index.open_dir(str(live_index_dir(root)))
    with fresh.searcher() as s:
        assert len(s.search(Term("body_en", "newword"))) == 6
        assert len(s.search(Term("body_en", "oldword"))) == 0
    assert len(fresh._segments()) == 1  # optimized

    # Another rebuild keeps only the live and the previous generation; a
    # half-written one left by a killed rebuild is removed first.
    (root / "gen-000007").mkdir()
    (root / f"{CURRENT}.tmp-12345").write_text("gen-000007")
    assert counts(store.rebuild([new])) == (0, 0, 6, 0, 0)
    assert sorted(p.name for p in root.iterdir() if p.name.startswith(("gen-", CURRENT))) == [
        CURRENT, "gen-000002", "gen-000003"]


def test_rebuild_of_nothing_but_failures_keeps_the_live_index(tmp_path, taxonomy):
    root = tmp_path / "index"
    store = Store(root, taxonomy=taxonomy)
    store.index_paths([write_jsonl(tmp_path / "a.jsonl", [record(1)])])
    broken = tmp_path / "broken.json"
    broken.write_text("[{", encoding="utf-8")
    summary = store.rebuild([broken])
    assert summary.exit_code == 1 and summary.notes
    assert (root / CURRENT).read_text().strip() == "gen-000001"
    assert set(stored(root)) == {"r1"}


class FakeClock:
    """``time`` for the store's lock wait: sleeping moves the clock, at once."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_a_second_writer_times_out_with_index_busy(tmp_path, taxonomy, monkeypatch):
    root = tmp_path / "index"
    source = write_jsonl(tmp_path / "a.jsonl", [record(1)])
    holder = Store(root, taxonomy=taxonomy)
    clock = FakeClock()
    monkeypatch.setattr(store_module, "time", clock)
    with holder.locked():
        with pytest.raises(IndexBusy, match="index is busy: another pressroom process is writing"):
            Store(root, lock_timeout=0.5, taxonomy=taxonomy).index_paths([source])
        # It tried all through the timeout, every LOCK_POLL, and gave up then.
        assert set(clock.sleeps) == {store_module.LOCK_POLL}
        assert 0.5 <= clock.now < 0.5 + store_module.LOCK_POLL
    # Released: the next writer goes ahead.
    assert Store(root, lock_timeout=0.5, taxonomy=taxonomy).index_paths([source]).added == 1


def test_a_failed_commit_releases_both_locks(tmp_path, taxonomy, monkeypatch):
    root = tmp_path / "index"
    source = write_jsonl(tmp_path / "a.jsonl", [record(1), record(2)])

    def broken_commit(self, *args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(writing.SegmentWriter, "commit", broken_commit)
    with pytest.raises(OSError, match="disk full"):
        Store(root, taxonomy=taxonomy).index_paths([source])
    monkeypatch.undo()

    ix = whoosh_index.open_dir(str(live_index_dir(root)))
    assert ix.doc_count() == 0
    # Whoosh's own lock was released too: a plain writer gets it at once.
    ix.writer(timeout=0).cancel()
    summary = Store(root, lock_timeout=0.5, taxonomy=taxonomy).index_paths([source])
    assert summary.added == 2
    assert not (live_index_dir(root) / "MAIN.tmp").exists()


def test_stats(tmp_path, taxonomy):
    root = tmp_path / "index"
    store = Store(root, taxonomy=taxonomy)
    records = [record(1), record(2, topics=["energy"]),
               {"id": "ru-only", "date": "2011-02-03", "ru": {"title": "Виза", "body": "Визы."}}]
    store.index_paths([write_jsonl(tmp_path / "a.jsonl", records)])
    data = store.stats()
    assert data["releases"] == 3
    # The shape /api/stats serves: lists of {"value", "label", "count"}.
    counted = {key: {item["value"]: item["count"] for item in data[key]}
               for key in ("languages", "years", "topics")}
    assert counted["languages"] == {"en": 2, "ru": 3}
    assert counted["years"] == {"2011": 2, "2012": 1}
    assert counted["topics"]["energy"] == 1 and counted["topics"]["consular"] == 1
    assert data["generation"] == live_index_dir(root).name
    assert data["index_bytes"] > 1000
    assert data["last_update"][:4].isdigit()


def child_env(tmp_path: Path) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HOME": str(tmp_path)}
    env.pop("PRESSROOM_INDEX", None)
    return env


MEASURE_PEAK_RSS = """
import resource, subprocess, sys
code = subprocess.run(sys.argv[1:]).returncode
print(f"peak_rss_kb={resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}", file=sys.stderr)
sys.exit(code)
"""


def test_mixed_folder_from_the_acceptance_list(tmp_path):
    folder = tmp_path / "mixed"
    folder.mkdir()
    good_terms = {}
    if SEED.exists():
        shutil.copy(SEED, folder / SEED.name)
        good_terms["2017-332"] = ("body_ru", "каспийский")
    else:
        write_jsonl(folder / "seed.jsonl", [record(1, body="Caspian Sea legal status")])
        good_terms["r1"] = ("body_en", "caspian")
    try:
        import indexer.inputs.scraped  # noqa: F401
    except ImportError:
        pass
    else:
        shutil.copy(CP1251_SAMPLE, folder / CP1251_SAMPLE.name)
    write_jsonl(folder / "records.jsonl", [record(7, body="Pipeline talks went well.")])
    good_terms["r7"] = ("body_en", "pipelin")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 40)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "truncated.json").write_text('[{"id": "t", "en": {"title": "T", "bo',
                                           encoding="utf-8")
    with open(folder / "huge.txt", "wb") as out:
        chunk = b"repeated words over and over " * 36_000
        while out.tell() < 50 * 1024 * 1024:
            out.write(chunk)

    root = tmp_path / "index"
    # A fresh wrapper process whose only child is the indexer: its
    # RUSAGE_CHILDREN peak is the indexer's own, whatever else this test
    # session has run (browsers, servers) before.
    result = subprocess.run(
        [sys.executable, "-c", MEASURE_PEAK_RSS, sys.executable, "-m", "indexer.cli", "index",
         "--index", str(root), str(folder)],
        capture_output=True, text=True, env=child_env(tmp_path), timeout=60,
    )
    peak_kb = int(result.stderr.strip().splitlines()[-1].removeprefix("peak_rss_kb="))
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    failed = {line.split(": ", 1)[0].removeprefix("  FAILED "): line.split(": ", 1)[1]
              for line in lines if line.startswith("  FAILED ")}
    assert set(failed) == {str(folder / n) for n in
                           ("binary.txt", "empty.txt", "truncated.json", "huge.txt")}
    assert "empty" in failed[str(folder / "empty.txt")]
    assert "MB" in failed[str(folder / "huge.txt")]
    assert "JSON" in failed[str(folder / "truncated.json")]
    assert "binary" in failed[str(folder / "binary.txt")]
    good = len(list(folder.iterdir())) - 4
    assert lines[0].startswith(f"added {good}, updated 0, unchanged 0, deleted 0, failed 4")
    # ru_maxrss of children is the largest child so far; this one must stay small.
    assert peak_kb < 400 * 1024, f"peak RSS {peak_kb} kB"
    ix = whoosh_index.open_dir(str(live_index_dir(root)))
    assert ix.doc_count() == good
    with ix.searcher() as s:
        for release_id, (fieldname, term) in good_terms.items():
            hits = [h["id"] for h in s.search(Term(fieldname, term))]
            assert release_id in hits, (release_id, term)
