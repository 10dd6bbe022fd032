"""Indexing with worker processes writes exactly the index one process writes.

Large runs analyze releases in worker processes (``indexer.workers``) and let
them encode the commit's last posting blocks; the writer stays in the calling
process.  These tests force workers on small inputs (chunks of a few releases,
small block batches) and compare everything Whoosh reads back.
"""

from __future__ import annotations

import datetime as dt
import os
import pickle
import random
from pathlib import Path

import pytest

import indexer.codec.writer
import indexer.store
import indexer.workers
from indexer.codec import fast
from indexer.location import live_index_dir
from indexer.release import Release, Version
from indexer.store import Store
from indexer.topics import Taxonomy
from tests.index_dump import read_back

ROOT = Path(__file__).resolve().parents[2]
WORDS = {
    "en": ("The minister of foreign affairs met the ambassador; North-South corridor talks, "
           "332/17 agreement, Azerbaijan’s visa rules and the Caspian Sea pipeline. "
           "It's O'Neil-Smith's well-known trade and energy cooperation summit").split(),
    "ru": ("Министр иностранных дел встретился с послом; переговоры о коридоре Север-Юг, "
           "соглашение 332/17, визовые правила, Каспийское море и трубопровод. Её объём "
           "ещё вырос, армяно-азербайджанского сотрудничества в сфере энергетики").split(),
    "az": "Xarici işlər naziri İstanbulda səfirlə görüşdü ıı".split(),
}


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    return Taxonomy.load()


def releases(n: int, seed: int = 1, version: str = "") -> list[Release]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        versions = {}
        for lang in ("en", "ru", "az"):
            if lang == "az" and i % 5:
                continue
            body = " ".join(rng.choices(WORDS[lang], k=rng.randint(5, 120)))
            if lang == "en" and i % 3 == 0:
                # A name the gazetteer ignores ("Indian Ocean" is no mention of India):
                # workers read the names with their parent's gazetteer, unpickled.
                body += " across the Indian Ocean"
            versions[lang] = Version(lang, " ".join(rng.choices(WORDS[lang], k=6)),
                                     f"{body} {version} item{i % 37}")
        out.append(Release(versions=versions, date=dt.date(2010 + i % 12, 1 + i % 12, 1),
                           id=f"w{i}", topics=["economy"] if i % 7 == 0 else []))
    return out


@pytest.fixture
def forced(monkeypatch):
    """Workers for any run, with small chunks and block batches; counts the pools."""
    if not fast():
        pytest.skip("worker processes feed the fast writer's chunks; with PRESSROOM_CODEC=stock "
                    "one process writes")
    monkeypatch.setattr(indexer.store, "PARALLEL_MIN", 1)
    monkeypatch.setattr(indexer.workers, "CHUNK_SIZE", 7)
    monkeypatch.setattr(indexer.codec.writer, "TAIL_BATCH", 50)
    monkeypatch.setenv("PRESSROOM_INDEX_WORKERS", "2")
    pools = []
    original = indexer.workers.AnalysisPool.__init__

    def counting(self, *args, **kwargs):
        pools.append(self)
        original(self, *args, **kwargs)

    monkeypatch.setattr(indexer.workers.AnalysisPool, "__init__", counting)
    return pools


def dump(root: Path) -> dict:
    """Everything Whoosh reads back, minus the time of indexing."""
    return read_back(live_index_dir(root), drop_stored=("indexed_at",),
                     columns=("id", "date", "year", "month"))


def test_workers_write_the_same_index(tmp_path, taxonomy, forced, monkeypatch):
    batch = releases(150)
    Store(tmp_path / "parallel", taxonomy=taxonomy).add_releases(batch)
    assert len(forced) == 1
    monkeypatch.setenv("PRESSROOM_INDEX_WORKERS", "1")
    Store(tmp_path / "single", taxonomy=taxonomy).add_releases(batch)
    assert len(forced) == 1
    parallel, single = dump(tmp_path / "parallel"), dump(tmp_path / "single")
    assert parallel["segments"] == 1
    # Common terms fill several posting blocks; topics were tagged.
    assert max(v[1] for k, v in single.items() if isinstance(k, tuple)) > 128
    assert any(doc["topics"] and doc["source_topics"] == [] for doc in single["stored"])
    assert parallel.keys() == single.keys()
    for key in single:
        assert parallel[key] == single[key], key


def test_workers_rebuild_and_update_like_one_process(tmp_path, taxonomy, forced, monkeypatch):
    folder = tmp_path / "archive"
    folder.mkdir()
    for i, part in enumerate((releases(60, seed=2), releases(60, seed=3))):
        lines = [{"id": r.id + f"-{i}", "date": r.date.isoformat(),
                  **{lang: {"title": v.title, "body": v.body} for lang, v in r.versions.items()}}
                 for r in part]
        (folder / f"part{i}.jsonl").write_text(
            "\n".join(__import__("json").dumps(x, ensure_ascii=False) for x in lines),
            encoding="utf-8")
    results = {}
    for mode in ("parallel", "single"):
        if mode == "single":
            monkeypatch.setenv("PRESSROOM_INDEX_WORKERS", "1")
        store = Store(tmp_path / mode, taxonomy=taxonomy)
        store.rebuild([folder])
        # Five small commits, then one that merges them in (MERGE_SMALL): the
        # merged postings join ours term by term.
        for k in range(5):
            store.add_releases(releases(3, seed=10 + k, version=f"v{k}"))
        store.add_releases(releases(40, seed=20, version="big"))
        results[mode] = dump(tmp_path / mode)
    assert len(forced) == 7  # every run of the parallel store
    assert results["parallel"] == results["single"]
    assert results["parallel"]["segments"] < 6


def test_a_failure_in_a_worker_leaves_the_index_as_it_was(tmp_path, taxonomy, forced):
    root = tmp_path / "index"
    store = Store(root, taxonomy=taxonomy)
    store.add_releases(releases(20))
    before = dump(root)
    broken = releases(30, seed=5, version="new")
    broken[25].date = "not a date"  # a new release: release_document fails in a worker
    with pytest.raises(AttributeError) as failure:
        store.add_releases(broken)
    assert any("indexing worker" in note for note in failure.value.__notes__)
    assert dump(root) == before
    # Both locks were released and no worker holds them.
    summary = store.add_releases(releases(30, seed=5, version="new"))
    assert (summary.added, summary.updated) == (10, 20)
    assert len(dump(root)["stored"]) == 30


def test_releases_cross_to_workers_whole():
    import dataclasses
    import pickle

    from indexer.workers import _Packed

    assert {f.name for f in dataclasses.fields(Release)} == {
        "versions", "date", "number", "url", "topics", "id", "source"}, "pack the new field"
    batch = releases(12)
    batch[3].number, batch[3].url, batch[3].source = "332/17", "https://example.org/x", "/a/b"
    assert pickle.loads(pickle.dumps(_Packed(batch))) == batch


def test_a_task_that_cannot_be_made_is_raised_not_waited_for(taxonomy):
    import datetime as dt

    from indexer.fields import build_schema
    from indexer.workers import AnalysisPool, Setup

    def batches():
        yield from ()
        raise RuntimeError("no batch")

    with AnalysisPool(Setup(build_schema(), taxonomy, dt.datetime.now(dt.UTC)), 2) as pool:
        with pytest.raises(RuntimeError, match="no batch"):
            list(pool.encode_blocks(batches(), 1))


STUCK_TAGGER = """
import os, sys, threading


class StuckTaxonomy:
    '''A tagger that never returns: a worker in the middle of a very long task.'''

    def tag(self, release):
        print(f"stuck {os.getpid()}", file=sys.stderr, flush=True)
        threading.Event().wait()
"""

PARENT = """
import datetime as dt
from indexer.release import Release, Version
from indexer.fields import build_schema
from indexer.workers import AnalysisPool, Setup
from stuck_tagger import StuckTaxonomy

release = Release(versions={"en": Version("en", "Ministers met", "They met.")}, id="x")
pool = AnalysisPool(Setup(build_schema(), StuckTaxonomy(), dt.datetime.now(dt.UTC)), 1)
next(pool.chunks([release], 0))  # never comes: the worker is stuck
"""


def test_workers_end_when_their_parent_is_killed_even_mid_task(tmp_path):
    """A worker stuck in a task would never read its closed input: the lifeline
    ends it as soon as the parent dies (fault 2.11: workers outlived a killed indexer)."""
    import os
    import signal
    import subprocess
    import sys

    import psutil

    (tmp_path / "stuck_tagger.py").write_text(STUCK_TAGGER, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join((str(tmp_path), str(ROOT)))}
    parent = subprocess.Popen([sys.executable, "-c", PARENT], env=env,
                              stderr=subprocess.PIPE, text=True)
    worker = None
    try:
        line = parent.stderr.readline()  # the worker says it is stuck: an event, not a delay
        assert line.startswith("stuck "), line
        worker = psutil.Process(int(line.split()[1]))
        parent.send_signal(signal.SIGKILL)
        assert parent.wait(timeout=60) == -signal.SIGKILL
        # The timeout only bounds a failure: a stuck worker without a lifeline never ends.
        _, alive = psutil.wait_procs([worker], timeout=20)
        assert not alive, "the worker outlived its killed parent"
    finally:
        parent.kill()
        parent.wait()
        parent.stderr.close()
        if worker is not None and worker.is_running():
            worker.kill()


def test_workers_adopt_the_parents_gazetteer_while_it_is_current(tmp_path, monkeypatch):
    """A worker takes the gazetteer its parent read (``Setup.completed``) instead of
    building its own, unless the files changed since."""
    from indexer.fields import build_schema
    from indexer.gazetteer import catalog
    from indexer.gazetteer.datafiles import BUNDLED

    folder = tmp_path / "gazetteer"
    folder.mkdir()
    people = folder / "people.toml"
    people.write_text((BUNDLED / "people.toml").read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setenv("PRESSROOM_GAZETTEER", str(folder))
    setup = indexer.workers.Setup(build_schema(), None, dt.datetime.now(dt.UTC)).completed()
    stamp, parents = setup.gazetteer
    shipped = pickle.loads(pickle.dumps(setup, protocol=pickle.HIGHEST_PROTOCOL))
    monkeypatch.setattr(catalog, "_CACHE", {})  # a fresh worker process
    catalog.adopt_gazetteer(*shipped.gazetteer)
    adopted = catalog.load_gazetteer()
    assert adopted is shipped.gazetteer[1] and adopted is not parents
    text = "From the Indian Ocean to Azerbaijan"
    assert adopted.find(text, "en") == parents.find(text, "en") != []
    # Edited since the parent read it: the worker reads the files again.
    people.write_text(people.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    os.utime(people, ns=(people.stat().st_atime_ns, people.stat().st_mtime_ns + 10**9))
    assert catalog.load_gazetteer() is not adopted


def test_a_schema_without_name_or_entity_fields_ships_no_gazetteer():
    from whoosh import fields

    schema = fields.Schema(id=fields.ID(stored=True), body_en=fields.TEXT())
    setup = indexer.workers.Setup(schema, None, dt.datetime.now(dt.UTC))
    assert setup.completed().gazetteer is None
