"""SIGKILL in the middle of `pressroom index`, `rebuild` and `sync`.

After every kill the index must open, hold either the previous commit or the
complete new one (never a partial run, never a half-written release), and the
next run must complete.  A kill leaves Whoosh's WRITELOCK file, the writer's
temporary folder and unreferenced segment files behind; none may get in the way.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from whoosh import index as whoosh_index

from indexer.location import CURRENT, live_index_dir
from indexer.records import release_from_record
from indexer.store import Store

ROOT = Path(__file__).resolve().parent.parent
PER_FILE = 10
EN = ("minister foreign affairs visit meeting cooperation trade energy pipeline caspian sea "
      "culture visa embassy security conflict transport corridor railway economy summit").split()
RU = ("министр иностранных дел визит встреча сотрудничество торговля энергетика трубопровод "
      "каспийское море культура виза посольство безопасность конфликт транспорт экономика").split()
FIELDS = ("id", "content_hash", "source", "languages", "title_en", "body_en", "title_ru",
          "body_ru", "topics", "indexed_at")


def write_corpus(folder: Path, files: range, version: str) -> dict[str, str]:
    """Write JSON Lines files of generated releases; return id → content hash."""
    folder.mkdir(parents=True, exist_ok=True)
    hashes = {}
    for f in files:
        rng = random.Random(f"{version}-{f}")
        records = []
        for i in range(PER_FILE):
            n = f * PER_FILE + i
            records.append({
                "id": f"c{n}",
                "date": f"{2010 + n % 12}-0{1 + n % 9}-15",
                "en": {"title": " ".join(rng.choices(EN, k=6)),
                       "body": " ".join(rng.choices(EN, k=30)) + f" {version} item{n}"},
                "ru": {"title": " ".join(rng.choices(RU, k=6)),
                       "body": " ".join(rng.choices(RU, k=30)) + f" {version}"},
            })
            hashes[f"c{n}"] = release_from_record(records[-1]).content_hash
        (folder / f"f{f:03d}.jsonl").write_text(
            "\n".join(json.dumps(r, ensure_ascii=False) for r in records), encoding="utf-8")
    return hashes


def pressroom(*args: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "indexer.cli", *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def kill_when(proc: subprocess.Popen, ready: Callable[[], bool], limit: float = 20.0) -> bool:
    """SIGKILL ``proc`` as soon as ``ready()``; False if it finished first."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        if ready():
            proc.send_signal(signal.SIGKILL)
            proc.communicate(timeout=10)
            return True
        time.sleep(0.005)
    proc.kill()
    proc.communicate()
    raise AssertionError("the run neither finished nor reached the kill point in time")


def after(seconds: float) -> Callable[[], bool]:
    start = time.monotonic()
    return lambda: time.monotonic() - start >= seconds


def writer_open(root: Path) -> Callable[[], bool]:
    # The writer's pool folder exists from the first added document on.
    return lambda: any(root.glob("gen-*/MAIN.tmp"))


def committing(root: Path, known: set[str]) -> Callable[[], bool]:
    # Column files of a new segment are written when the commit flushes it.
    return lambda: any(p.name not in known for p in root.glob("gen-*/*.col"))


def complete(proc: subprocess.Popen) -> subprocess.CompletedProcess:
    out, err = proc.communicate(timeout=60)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def snapshot(root: Path) -> dict[str, str]:
    """id → content hash of the live index, after checking every document is whole."""
    ix = whoosh_index.open_dir(str(live_index_dir(root)))
    with ix.searcher() as s:
        docs = list(s.all_stored_fields())
        assert len(docs) == s.doc_count()
    for doc in docs:
        missing = [name for name in FIELDS if name not in doc]
        assert not missing, (doc.get("id"), missing)
        assert doc["body_en"] and doc["body_ru"] and doc["languages"] == "en,ru"
    return {d["id"]: d["content_hash"] for d in docs}


def assert_one_of(root: Path, *states: dict[str, str]) -> dict[str, str]:
    found = snapshot(root)
    assert found in states, (
        f"{len(found)} documents, matching none of the expected commits "
        f"({', '.join(str(len(s)) for s in states)} documents)"
    )
    return found


def assert_clean_after_success(root: Path) -> None:
    live = live_index_dir(root)
    assert not (live / "MAIN.tmp").exists()
    assert not list(live.glob("_MAIN_*.toc.*"))


@pytest.fixture(scope="module")
def taxonomy():
    from indexer.topics import Taxonomy

    return Taxonomy.load()


def test_killed_index_runs_leave_the_previous_commit(tmp_path, taxonomy):
    folder, root = tmp_path / "archive", tmp_path / "index"
    old = write_corpus(folder, range(8), "v1")
    Store(root, taxonomy=taxonomy).index_paths([folder])
    assert snapshot(root) == old
    # Every release changes and new ones come: a complete run is unmistakable.
    new = write_corpus(folder, range(11), "v2")

    kills = 0
    known = {p.name for p in root.glob("gen-*/*.col")}
    for point in (after(0.3), writer_open(root), committing(root, known)):
        proc = pressroom("index", "--index", str(root), str(folder))
        kills += kill_when(proc, point)
        assert_one_of(root, old, new)
    assert kills == 3, "every run should have been killed before it finished"
    # The killed runs left their debris; the next run must not mind it.
    assert (live_index_dir(root) / "MAIN_WRITELOCK").exists()

    result = complete(pressroom("index", "--index", str(root), str(folder)))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("added 30, updated 80, unchanged 0, deleted 0, failed 0")
    assert snapshot(root) == new
    assert_clean_after_success(root)


def test_a_killed_rebuild_keeps_the_live_generation(tmp_path, taxonomy):
    folder, root = tmp_path / "archive", tmp_path / "index"
    old = write_corpus(folder, range(8), "v1")
    Store(root, taxonomy=taxonomy).index_paths([folder])
    new = write_corpus(folder, range(10), "v2")

    proc = pressroom("rebuild", "--index", str(root), str(folder))
    assert kill_when(proc, lambda: (root / "gen-000002" / "MAIN.tmp").exists())
    assert (root / CURRENT).read_text().strip() == "gen-000001"
    assert_one_of(root, old)

    result = complete(pressroom("rebuild", "--index", str(root), str(folder)))
    assert result.returncode == 0, result.stderr
    assert snapshot(root) == new
    # The half-built generation was cleared away; the previous one stays for readers.
    assert sorted(p.name for p in root.glob("gen-*")) == ["gen-000001", "gen-000002"]
    assert (root / CURRENT).read_text().strip() == "gen-000002"
    assert not list(root.glob(f"{CURRENT}.tmp-*"))


def test_a_killed_sync_changes_nothing_then_completes(tmp_path, taxonomy):
    folder, root = tmp_path / "archive", tmp_path / "index"
    old = write_corpus(folder, range(8), "v1")
    Store(root, taxonomy=taxonomy).index_paths([folder])
    for gone in ("f000.jsonl", "f001.jsonl"):
        (folder / gone).unlink()
    new = write_corpus(folder, range(5, 10), "v2")
    new.update({k: v for k, v in old.items() if 2 * PER_FILE <= int(k[1:]) < 5 * PER_FILE})

    proc = pressroom("sync", "--index", str(root), str(folder))
    assert kill_when(proc, writer_open(root))
    assert_one_of(root, old, new)

    result = complete(pressroom("sync", "--index", str(root), str(folder)))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("added 20, updated 30, unchanged 30, deleted 20, failed 0")
    assert snapshot(root) == new
    assert_clean_after_success(root)


def test_a_killed_run_with_workers_leaves_no_worker_and_no_lock(tmp_path, taxonomy, monkeypatch):
    import psutil

    folder, root = tmp_path / "archive", tmp_path / "index"
    old = write_corpus(folder, range(3), "v1")
    Store(root, taxonomy=taxonomy).index_paths([folder])
    # Over a thousand releases: analyzed by worker processes.
    new = write_corpus(folder, range(110), "v2")
    monkeypatch.setenv("PRESSROOM_INDEX_WORKERS", "2")

    proc = pressroom("index", "--index", str(root), str(folder))
    workers: list[psutil.Process] = []
    seen: list[float] = []

    def analyzing() -> bool:
        try:
            found = [p for p in psutil.Process(proc.pid).children()
                     if "indexer.workers" in " ".join(p.cmdline())]
        except psutil.Error:
            return False
        if len(found) == 2 and not seen:
            workers[:] = found
            seen.append(time.monotonic())
        return bool(seen) and time.monotonic() - seen[0] > 0.5  # mid-analysis

    assert kill_when(proc, analyzing)
    # Their input closed, the workers exit: none is left to hold the index.
    _, alive = psutil.wait_procs(workers, timeout=30)
    assert not alive
    assert_one_of(root, old)

    result = complete(pressroom("index", "--index", str(root), str(folder)))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("added 1070, updated 30, unchanged 0, deleted 0, failed 0")
    assert snapshot(root) == new
    assert_clean_after_success(root)
