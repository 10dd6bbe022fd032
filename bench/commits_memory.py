"""Memory through many commits (issue 10, 2.13): a server-side Archive after each of
``--commits`` one-release commits searches (snippets and highlighting included) and
opens a release page; the process's RSS and the word caches are printed at intervals.

Each refresh after a commit unpickles a new schema with new analyzer objects:
caches keyed by analyzer object grew by one per commit.  With them bounded the
RSS levels off once the caches are warm (the index itself grows by one release
per commit).

    PYTHONPATH=. .venv/bin/python bench/commits_memory.py [--commits 1000]

With ``--cycle`` every commit updates one of the first releases instead (its
title toggles between two wordings): the vocabulary and the index stay the same
size, so whatever still grows, grows with the number of commits alone.

Runs on older checkouts too (the cache counts it cannot find read as "-").
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import webserver  # noqa: E402  (bench/webserver.py: corpus records)
from indexing import corpus_for, read_records  # noqa: E402

from indexer import words  # noqa: E402
from indexer.inputs.records import release_from_record  # noqa: E402
from indexer.store import Store  # noqa: E402
from search import Archive, SearchRequest  # noqa: E402
from search import highlight as hl  # noqa: E402

QUERIES = ["minister", "министр переговоры", "energy cooperation", "visit*", "президент"]


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def word_caches() -> str:
    """How many per-analyzer word caches are held (the one cache of indexer.words, or the
    highlighter's own in older commits)."""
    analyses = getattr(words, "_ANALYSES", None)
    if analyses is not None and not hasattr(hl, "_configs"):
        return str(len({id(a) for _, a in analyses}))
    for name in ("_configs", "_word_terms_by_analyzer"):
        found = getattr(hl, name, None)
        if found is not None:
            return str(len(found))
    return "-"


def cached_words() -> str:
    counter = getattr(hl, "cached_words", None) or getattr(words, "cached_words", None)
    if counter is not None:
        return str(counter())
    old = getattr(hl, "_word_terms_by_analyzer", None)
    return "-" if old is None else str(sum(f.cache_info().currsize for f in old.values()))


def updated(release, round_: int):
    """``release`` with its English title in one of two wordings (by ``round_``)."""
    en = release.versions["en"]
    title = en.title if round_ % 2 else f"{en.title} (updated)"
    return dataclasses.replace(
        release, versions={**release.versions, "en": dataclasses.replace(en, title=title)})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--commits", type=int, default=1000)
    parser.add_argument("--base", type=int, default=200, help="releases before the commits")
    parser.add_argument("--every", type=int, default=100, help="print every this many commits")
    parser.add_argument("--cycle", action="store_true",
                        help="update the first releases over and over instead of adding new ones")
    args = parser.parse_args()

    count = args.base if args.cycle else args.base + args.commits
    releases = [release_from_record(webserver.release_record(r))
                for r in read_records(corpus_for(count), count)]
    if args.cycle:
        releases += [updated(releases[i % args.base], i // args.base)
                     for i in range(args.commits)]
    work = Path(tempfile.mkdtemp(prefix="pressroom-commits-"))
    try:
        root = work / "index"
        store = Store(root)
        store.add_releases(releases[:args.base])
        started = time.perf_counter()
        print(f"{'commits':>7} {'RSS MB':>8} {'word caches':>11} {'cached words':>12} "
              f"{'generations':>11} {'seconds':>8}")
        with Archive(root) as archive:
            for i, release in enumerate(releases[args.base:], 1):
                store.add_releases([release])
                page = archive.search(SearchRequest(q=QUERIES[i % len(QUERIES)]))
                if page.hits:
                    archive.release(page.hits[0]["id"], highlight=page.request.q)
                if i % args.every == 0 or i == 1:
                    gc.collect()
                    print(f"{i:>7} {rss_mb():8.1f} {word_caches():>11} {cached_words():>12} "
                          f"{len(archive._generations):>11} {time.perf_counter() - started:8.1f}",
                          flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
