"""Web speed (issue 5): `pressroom serve` under wrk on loopback, and freshness under load.

    python bench/web.py [--index ROOT | --n 2000] [--duration 30] [--quick]
                        [--workers 2] [--threads 4] [--queries bench/queries-mix.tsv]
                        [--json FILE] [--keep]

Every load run is wrk (Debian's, with a generated Lua script) with 16
connections and 2 threads for ``--duration`` seconds against ``pressroom serve``
(gunicorn with the buffering worker of webui/worker.py, 2 workers x 4 threads by
default: one worker per core) on a free loopback port.  Before each measured run
the same load is applied in 3-second runs until throughput stops rising (and,
with the page cache on, until every query was sent ten times, so that both
workers have it cached), within a time limit: searchers, facet tables and caches are warm.

* trivial: ``/livez``, a JSON route that touches no index (the process answers);
* cached: ``/api/search`` cycling through the realistic mix
  (``bench/queries-mix.tsv``) with the page cache on (``PRESSROOM_PAGE_CACHE_SIZE``
  default), so repeated queries are served from it.  Trivial and cached run on
  the same server taking turns in 5-second slices (ABBA...), ``--duration``
  seconds each in all, so that load from elsewhere on a shared machine weighs on
  both alike; their latency percentiles are merged from wrk's quantile tables;
* uncached: the same with the server restarted with ``PRESSROOM_PAGE_CACHE_SIZE=0``;
* freshness: the cached load again while ``pressroom index`` adds 500 new releases
  that carry a unique marker word; ``/api/search?q=<marker>`` is polled every 50 ms
  until it finds all 500.  The commit moment is the modification time of the TOC
  file of the new commit (``_MAIN_<gen>.toc``, written in full just before Whoosh
  renames it into place, which is the commit); the delay is from then to the end
  of the first poll that found all 500 (so it includes that poll's own wait in the
  queue behind the load).  The load keeps running until the delay is measured
  and 5 s more.

Errors are every non-2xx response plus wrk's socket errors (connect, read,
write, and timeouts of 10 s).  Latencies are wrk's per-request times.  The given
index is never changed: everything runs on a copy.  ``--n N`` first builds an
N-release index from the generated corpus with ``pressroom index``.  ``--quick``
caps runs at 5 s, warms up for 1-3 s and uses the first 50 queries of the mix.

``run_web(index_root, duration, quick)`` returns the figures as a dict and
``web_section(result)`` renders them as Markdown lines (bench/speed.py uses both).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.querymix import load  # noqa: E402
from bench.webfresh import freshness  # noqa: E402
from bench.webload import (  # noqa: E402
    CONNECTIONS,
    SLICE,
    WRK_THREADS,
    measure,
    measure_interleaved,
    warm_up,
)
from bench.webreport import web_section  # noqa: E402
from bench.webserver import (  # noqa: E402
    build_index,
    get_json,
    server_log,
    serving,
)

#: One worker per core; threads let a worker overlap its requests' I/O (the
#: defaults of `pressroom serve`).
WORKERS = 2
THREADS = 4
TRIVIAL_PATH = "/livez"
#: ``--quick`` cycles through the first queries of the mix only, so that its short runs
#: still repeat them.
QUICK_QUERIES = 50
DEFAULT_QUERIES = HERE / "queries-mix.tsv"


# --- scenarios ------------------------------------------------------------------------


def mix_paths(queries: Path) -> list[str]:
    return [f"/api/search?{urlencode(q.params(), doseq=True)}" for q in load(queries)]


def releases_in(port: int) -> int:
    status, body = get_json(port, "/healthz")
    return int(body["releases"]) if status == 200 and body else 0


def run_web(index_root: Path | str, duration: float = 30.0, quick: bool = False, *,
            workers: int = WORKERS, threads: int = THREADS,
            queries: Path = DEFAULT_QUERIES, keep: bool = False) -> dict:
    """Every scenario on a copy of ``index_root``; the figures as a JSON-ready dict.

    ``keep`` leaves the work folder (server logs, wrk scripts, the copy) in place.
    """
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is not installed (Debian: apt-get install wrk)")
    duration = min(duration, 5.0) if quick else duration
    paths = mix_paths(Path(queries))[:QUICK_QUERIES if quick else None]
    started = time.monotonic()
    # The machine may be shared: the load around the run says how far to trust it.
    load_before = os.getloadavg()[0]
    work = Path(tempfile.mkdtemp(prefix="pressroom-web-"))
    warmed: dict[str, float] = {}
    try:
        root = work / "index"
        shutil.copytree(index_root, root)
        options = {"workers": workers, "threads": threads}
        n, after, trivial, cached, uncached, fresh = run_scenarios(
            root, work, paths, duration, quick, options, warmed)
        loads = [trivial, cached, uncached]
        return {
            "index_releases": n,
            "releases_after": after,
            "queries": len(paths),
            "duration": duration,
            "quick": quick,
            "workers": workers,
            "threads": threads,
            "connections": CONNECTIONS,
            "wrk_threads": WRK_THREADS,
            "page_cache_size": page_cache_default(),
            "wrk": wrk_version(),
            "warm_up_seconds": warmed,
            "loads": [x.to_dict() for x in loads],
            "ratio_cached": cached.rps / trivial.rps if trivial.rps else None,
            "ratio_uncached": uncached.rps / trivial.rps if trivial.rps else None,
            # Per pair of slices: how much the ratio moves with the machine's other load.
            "ratio_cached_slices": [c / t for c, t in zip(cached.slices, trivial.slices,
                                                          strict=True) if t],
            "slice_seconds": duration / max(1, round(duration / SLICE)),
            "freshness": fresh,
            "server": server_log(work),
            "work": str(work) if keep else None,
            "seconds": time.monotonic() - started,
            "cpus": os.cpu_count(),
            "load_average": [load_before, os.getloadavg()[0]],
        }
    finally:
        if not keep:
            shutil.rmtree(work, ignore_errors=True)


def run_scenarios(root: Path, work: Path, paths: list[str], duration: float, quick: bool,
                  options: dict, warmed: dict[str, float]) -> tuple:
    """The load runs (trivial and cached together, uncached, freshness), each on a
    server of its own; the warm-up times go into ``warmed``."""
    chunk = 1.0 if quick else 3.0
    limit = 3.0 if quick else max(30.0, 2 * duration)
    # With the page cache on, a path is cached only once each worker has answered it:
    # sent about ten times, it has very likely been to both.
    cache_limit = 3.0 if quick else max(60.0, 3 * duration)
    with serving(root, work, cache_size=None, **options) as port:
        n = releases_in(port)
        warmed["trivial"] = warm_up(port, [TRIVIAL_PATH], chunk, chunk, work)
        warmed["cached"] = warm_up(port, paths, chunk, cache_limit, work, 10 * len(paths))
        trivial, cached = measure_interleaved(port, [
            ("trivial JSON (`/livez`)", [TRIVIAL_PATH]),
            ("search, page cache on (repeated mix)", paths)], duration, work)
    with serving(root, work, cache_size=0, **options) as port:
        warmed["uncached"] = warm_up(port, paths, chunk, limit, work)
        uncached = measure("search, page cache off", port, paths, duration, work)
    with serving(root, work, cache_size=None, **options) as port:
        warmed["freshness"] = warm_up(port, paths, chunk, cache_limit, work,
                                      10 * len(paths))
        fresh = freshness(root, port, paths, duration, work)
        after = releases_in(port)
    return n, after, trivial, cached, uncached, fresh


def page_cache_default() -> int:
    from webui.settings import setting

    return int(setting("PAGE_CACHE_SIZE"))


def wrk_version() -> str:
    done = subprocess.run(["wrk", "-v"], capture_output=True, text=True)
    return (done.stdout or done.stderr).splitlines()[0].split(" [")[0].strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--index", type=Path, help="an existing index (copied, not changed)")
    source.add_argument("--n", type=int, default=2000,
                        help="build an index of N generated releases (default 2000)")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds per load run")
    parser.add_argument("--quick", action="store_true", help="5-second runs, short warm-ups")
    parser.add_argument("--workers", type=int, default=WORKERS)
    parser.add_argument("--threads", type=int, default=THREADS)
    parser.add_argument("--queries", type=Path, default=DEFAULT_QUERIES)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--keep", action="store_true",
                        help="keep the work folder (server logs, wrk scripts, index copy)")
    args = parser.parse_args()
    print(f"pressroom serve: {args.workers} workers x {args.threads} threads (buffering "
          f"worker); wrk: {CONNECTIONS} connections, {WRK_THREADS} threads",
          file=sys.stderr, flush=True)
    work = Path(tempfile.mkdtemp(prefix="pressroom-web-index-"))
    try:
        if args.index:
            root = args.index
        else:
            print(f"indexing {args.n} generated releases with `pressroom index`",
                  file=sys.stderr, flush=True)
            root = build_index(args.n, work)
        result = run_web(root, args.duration, args.quick, workers=args.workers,
                         threads=args.threads, queries=args.queries, keep=args.keep)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, default=str), encoding="utf-8")
    print("\n".join(web_section(result)))


if __name__ == "__main__":
    main()
