"""Indexing throughput: Pressroom's Store against stock Whoosh and Xapian, in one run.

    python bench/indexing.py [--n N | --quick] [--corpus FILE] [--engines a,b] [--reps R]

The corpus is a JSONL file of bilingual releases as written by the peers'
generator (``gen_corpus.py N out.jsonl --data DIR``; fields id, date, year,
topic, title_en, body_en, title_ru, body_ru).  Without ``--corpus`` it uses
/tmp/gen<N>.jsonl or /tmp/gen2000.jsonl when large enough, else generates
/tmp/gen<N>.jsonl.  Every build runs in a fresh child process into a fresh
folder; the clock starts once the records are read (and, for Pressroom, the
dictionaries loaded, as in a running service).

Each result gives releases/s, CPU seconds (the engine's processes together),
index size, and peak memory: ``peak_rss_mb`` of the engine's own process and
``peak_tree_mb``, sampled over it and every process it started (Pressroom's
analysis workers), which is what the machine must hold.

Engines:

* ``stock``: Whoosh's StemmingAnalyzer on title/body en/ru plus a sortable
  year ID, plain ``ix.writer()`` and one commit.
* ``pressroom``: ``Store(root).add_releases(releases)`` as shipped: worker
  processes analyze (one per CPU, see ``indexer/workers.py``), one writer.
* ``pressroom-plain``: the same with the bilingual fields as plain
  ``whoosh.fields.TEXT`` and Whoosh's own SegmentWriter, in one process
  ("before"; slow).
* ``xapian``: ``bench.speed.Xapian.build``, the Xapian index the speed benchmark
  searches: TermGenerator with Snowball english/russian stemmers, one commit.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.common import child_env, shared_folder  # noqa: E402

SHARED = shared_folder()
PEERS = SHARED / "tools" / "peers"
XQUAD = SHARED / "data" / "xquad"
CORPUS_DIR = Path(tempfile.gettempdir())
XQUAD_PREP = CORPUS_DIR / "pressroom-bench-xquad"
ENGINES = ("stock", "xapian", "pressroom")
#: Seconds between samples of the process tree's memory.
SAMPLE_EVERY = 0.1


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def cpu_seconds() -> float:
    """CPU time of this process and its finished children."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


class TreeMemory:
    """Peak resident memory of this process and its descendants, sampled."""

    def __init__(self) -> None:
        import psutil

        self._me = psutil.Process()
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _tree_rss(self) -> int:
        import psutil

        total = self._me.memory_info().rss
        for child in self._me.children(recursive=True):
            try:
                total += child.memory_info().rss
            except psutil.Error:  # ended meanwhile
                pass
        return total

    def _sample(self) -> None:
        while not self._stop.wait(SAMPLE_EVERY):
            self.peak = max(self.peak, self._tree_rss())

    def __enter__(self) -> TreeMemory:
        self.peak = self._tree_rss()
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._tree_rss())


def folder_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6


def read_records(corpus: Path, n: int) -> list[dict]:
    records = []
    with corpus.open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                records.append(json.loads(line))
                if len(records) == n:
                    break
    return records


def to_release(record: dict):
    import datetime as dt

    from indexer.release import Release, Version

    versions = {
        lang: Version(lang, record.get(f"title_{lang}", ""), record.get(f"body_{lang}", ""))
        for lang in ("en", "ru")
        if record.get(f"body_{lang}")
    }
    return Release(versions=versions, date=dt.date.fromisoformat(record["date"]),
                   id=record["id"])


# --- engines (run in a child process) -----------------------------------------------


def build_stock(records: list[dict], folder: Path) -> None:
    from whoosh import fields, index
    from whoosh.analysis import StemmingAnalyzer

    ana = StemmingAnalyzer()
    schema = fields.Schema(
        id=fields.ID(stored=True, unique=True),
        year=fields.ID(stored=True, sortable=True),
        **{f"{kind}_{lang}": fields.TEXT(analyzer=ana)
           for kind in ("title", "body") for lang in ("en", "ru")},
    )
    ix = index.create_in(str(folder), schema)
    writer = ix.writer()
    for r in records:
        writer.add_document(id=r["id"], year=str(r["date"][:4]),
                            **{k: r[k] for k in ("title_en", "body_en", "title_ru", "body_ru")
                               if r.get(k)})
    writer.commit()


def build_xapian(records: list[dict], folder: Path) -> None:
    # The one Xapian indexer of the benchmarks: bench/speed.py measures the same.
    from bench.speed import Xapian

    Xapian.build(records, folder)


def plain_schema():
    """The shipped schema with every bilingual text field as a plain TEXT."""
    from whoosh import fields

    from indexer.fields import build_schema

    schema = build_schema()
    for name in list(schema.names()):
        field = schema[name]
        if isinstance(field, fields.TEXT) and type(field) is not fields.TEXT:
            plain = fields.TEXT(analyzer=field.analyzer, stored=field.stored,
                                field_boost=field.format.field_boost)
            schema.remove(name)
            schema.add(name, plain)
    return schema


def build_pressroom(records: list[dict], folder: Path, plain: bool = False) -> None:
    from whoosh import index

    import indexer.store as store_module

    if plain:
        store_module.build_schema = plain_schema
        store_module.Store._writer = lambda self, ix: ix.writer(
            limitmb=store_module.WRITER_LIMIT_MB)
    releases = [to_release(r) for r in records]
    store = store_module.Store(folder)
    summary = store.add_releases(releases)
    assert summary.added == len(releases), summary.report()
    ix = index.open_dir(str(store.live_dir()))
    segments = len(ix._segments())
    if segments > 1:
        with store.locked():
            ix.optimize()


def child(engine: str, corpus: Path, n: int, folder: Path) -> dict:
    records = read_records(corpus, n)
    if engine.startswith("pressroom"):
        # Load dictionaries and the taxonomy before the clock starts, as a
        # long-running service has them.
        from indexer.analysis import shared_morph_analyzer

        shared_morph_analyzer()
    builders = {"stock": build_stock, "pressroom": build_pressroom, "xapian": build_xapian,
                "pressroom-plain": lambda r, f: build_pressroom(r, f, plain=True)}
    if engine not in builders:
        raise SystemExit(f"unknown engine {engine}")
    base = rss_mb()
    cpu = cpu_seconds()
    with TreeMemory() as tree:
        started = time.perf_counter()
        builders[engine](records, folder)
        elapsed = time.perf_counter() - started
    cpu = cpu_seconds() - cpu
    if engine == "xapian":
        import xapian

        docs, segments = xapian.Database(str(folder / "db")).get_doccount(), None
    else:
        from whoosh import index

        live = folder
        if (folder / "CURRENT").exists():
            live = folder / (folder / "CURRENT").read_text().strip()
        ix = index.open_dir(str(live))
        with ix.reader() as reader:
            docs = reader.doc_count()
        segments = len(ix._segments())
    return {
        "engine": engine, "n": len(records), "docs": docs, "segments": segments,
        "seconds": round(elapsed, 2), "rate": round(len(records) / elapsed, 1),
        "cpu_seconds": round(cpu, 1), "size_mb": round(folder_mb(folder), 1),
        "peak_rss_mb": round(rss_mb(), 1), "peak_tree_mb": round(tree.peak / 2**20, 1),
        "base_rss_mb": round(base, 1),
    }


def ensure_xquad_prep() -> None:
    if not (XQUAD_PREP / "queries_ru.tsv").exists() or \
            not (XQUAD_PREP / "docs_ru.jsonl").exists():
        subprocess.run([sys.executable, str(PEERS / "prep_xquad.py"), str(XQUAD),
                        str(XQUAD_PREP)], check=True, capture_output=True)


def has_records(path: Path, n: int) -> bool:
    """At least n complete lines (a corpus still being written has a partial last one)."""
    count = 0
    with path.open("rb") as f:
        for line in f:
            if not line.endswith(b"\n"):
                return False
            count += bool(line.strip())
            if count >= n:
                return True
    return False


def corpus_for(n: int) -> Path:
    """A ``gen_corpus.py`` corpus with at least n releases.

    The generator is prefix-stable (the first n releases of a larger corpus are the
    n-release corpus), so the smallest complete ``/tmp/gen<N>.jsonl`` with N >= n is
    reused; otherwise ``/tmp/gen<n>.jsonl`` is generated (and kept for the next run).
    """
    found = []
    for path in CORPUS_DIR.glob("gen*.jsonl"):
        m = re.fullmatch(r"gen(\d+)\.jsonl", path.name)
        if m and int(m[1]) >= n:
            found.append((int(m[1]), path))
    for _, path in sorted(found):
        if has_records(path, n):
            return path
    ensure_xquad_prep()
    out = CORPUS_DIR / f"gen{n}.jsonl"
    part = CORPUS_DIR / f"gen{n}.jsonl.{os.getpid()}.part"
    print(f"generating {out} ({n} releases)", file=sys.stderr, flush=True)
    try:
        subprocess.run([sys.executable, str(PEERS / "gen_corpus.py"), str(n), str(part),
                        "--data", str(XQUAD_PREP)], check=True)
        part.replace(out)
    finally:
        part.unlink(missing_ok=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--quick", action="store_true", help="500 releases")
    parser.add_argument("--corpus", type=Path)
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--reps", type=int, default=1)
    parser.add_argument("--child", nargs=4, metavar=("ENGINE", "CORPUS", "N", "DIR"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        engine, corpus, n, folder = args.child
        print(json.dumps(child(engine, Path(corpus), int(n), Path(folder))))
        return
    n = 500 if args.quick else args.n
    corpus = args.corpus or corpus_for(n)
    results: dict[str, list[dict]] = {}
    for _ in range(args.reps):
        for engine in args.engines.split(","):
            folder = Path(tempfile.mkdtemp(prefix=f"bench-{engine}-"))
            try:
                env = child_env()
                out = subprocess.run(
                    [sys.executable, __file__, "--child", engine, str(corpus), str(n),
                     str(folder)],
                    check=True, capture_output=True, text=True, env=env).stdout
            finally:
                shutil.rmtree(folder, ignore_errors=True)
            result = json.loads(out.strip().splitlines()[-1])
            results.setdefault(engine, []).append(result)
            print(json.dumps(result), flush=True)
    def best_rate(engine: str) -> float | None:
        return max((r["rate"] for r in results.get(engine, [])), default=None)

    stock, xap = best_rate("stock"), best_rate("xapian")
    print(f"\n{'engine':16} {'rel/s':>7} {'x stock':>7} {'x xapian':>8} {'sec':>7} "
          f"{'CPU s':>7} {'MB':>7} {'RSS MB':>7} {'tree MB':>7} {'segs':>4}")
    for engine, runs in results.items():
        best = max(runs, key=lambda r: r["rate"])
        ratios = [f"{best['rate'] / base:.2f}" if base else "-" for base in (stock, xap)]
        print(f"{engine:16} {best['rate']:7.1f} {ratios[0]:>7} {ratios[1]:>8} "
              f"{best['seconds']:7.2f} {best['cpu_seconds']:7.1f} {best['size_mb']:7.1f} "
              f"{best['peak_rss_mb']:7.1f} {best['peak_tree_mb']:7.1f} "
              f"{best['segments'] if best['segments'] is not None else '-':>4}")


if __name__ == "__main__":
    main()
