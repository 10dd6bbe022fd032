"""Speed (issue 5): Pressroom against tantivy, SQLite FTS5, stock Whoosh and Xapian.

    python bench/speed.py [--n 20000] [--scale 2000,20000,100000] [--quick] [--rounds 2]
                          [--no-xquad] [--no-web] [--web-duration S] [--out FILE]

The one command that measures everything issue 5 asks for, in one run, and
writes docs/benchmarks.md with an acceptance summary (each target, the measured
ratio, PASS/FAIL, computed from the figures) at the top.

One corpus (``gen_corpus.py`` over XQuAD), one query set, every engine built
and queried the same way:

* indexing: each engine builds its index from the JSON records in a fresh
  child process (releases/s, index size on disk, peak RSS of that process,
  segment count);
* latency: each engine is queried in its own fresh child process with a
  long-lived searcher; one warm-up pass, then every query once per round
  (``--rounds``, default 2); p50/p95/p99 over all timed calls.

Query sets:

* the realistic mix (``bench/queries-mix.tsv``, see ``bench/querymix.py``):
  1-3 words or a two-word phrase in English or Russian, ~30 % with a language,
  topic or date filter.  Pressroom answers with the WHOLE results page
  (``Archive.search``: top 10 with snippets, year/topic/language facet counts,
  suggestions); peers answer top 10 by score plus a year facet over all
  matches, with AND of the words, phrase as phrase, filters as filters.
* the XQuAD worst case: the 1,190 XQuAD questions (English for even, Russian
  for odd positions), typed as they are into Pressroom; OR of the ``\\w+``
  tokens for peers (top 10 + year facet).

Then, Pressroom alone:

* scale: built and queried with the realistic mix at every ``--scale`` size
  (the main size reuses the main run's figures);
* web: ``bench/web.py``'s ``run_web(index_root, duration, quick)`` and
  ``web_section(result)`` on the 20,000-release index (else the largest
  built), in a child process; a failing load test is reported, not fatal.
  ``--no-web`` leaves it out.

The corpus is ``/tmp/gen<N>.jsonl`` (the smallest one with enough releases is
reused, else generated).  ``--quick`` is n=1000, the first 150 mix queries,
every 16th XQuAD question, scale 250,1000 and 2-second web runs.  The report is
printed and written to docs/benchmarks.md (``--out``).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.common import child_env  # noqa: E402
from bench.indexing import (  # noqa: E402
    XQUAD_PREP,
    TreeMemory,
    corpus_for,
    ensure_xquad_prep,
    folder_mb,
    read_records,
    rss_mb,
)
from bench.querymix import load  # noqa: E402
from bench.speed_engines import ENGINE_CLASSES, LANGS  # noqa: E402
from bench.speed_report import SCALE_SIZES, TARGET_N, Run, find, pct, report  # noqa: E402

ENGINES = ("pressroom", "tantivy", "fts5", "whoosh-stock", "xapian")
DEFAULT_OUT = REPO / "docs" / "benchmarks.md"
FULL_SCALE = ",".join(map(str, SCALE_SIZES))
QUICK_N, QUICK_QUERIES, QUICK_STEP, QUICK_SCALE = 1000, 150, 16, "250,1000"


# --- child processes ------------------------------------------------------------------


def child_build(engine: str, corpus: Path, n: int, folder: Path) -> dict:
    records = read_records(corpus, n)
    if engine == "pressroom":
        # Dictionaries and taxonomy are loaded before the clock, as in a service.
        from indexer.analysis import shared_morph_analyzer

        shared_morph_analyzer()
    base = rss_mb()
    # Pressroom analyzes in worker processes: memory is the whole process tree's.
    with TreeMemory() as tree:
        started = time.perf_counter()
        segments = ENGINE_CLASSES[engine].build(records, folder)
        elapsed = time.perf_counter() - started
    return {"engine": engine, "n": len(records), "seconds": round(elapsed, 2),
            "rate": round(len(records) / elapsed, 1), "size_mb": round(folder_mb(folder), 1),
            "peak_rss_mb": round(max(rss_mb(), tree.peak / 2**20), 1),
            "base_rss_mb": round(base, 1), "segments": segments}


def xquad_questions(step: int = 1) -> list[str]:
    out = []
    files = {lang: (XQUAD_PREP / f"queries_{lang}.tsv").read_text(encoding="utf-8").splitlines()
             for lang in LANGS}
    for i, (en, ru) in enumerate(zip(files["en"], files["ru"], strict=True)):
        line = en if i % 2 == 0 else ru
        if i % step == 0:
            out.append(line.split("\t")[1])
    return out


def child_latency(engine: str, folder: Path, workload: str, spec: dict) -> dict:
    searcher = ENGINE_CLASSES[engine]().open(folder)
    if workload == "mix":
        items = load(Path(spec["queries"]))[: spec["count"]]
        call = searcher.mix
        warm = items
    else:
        items = xquad_questions(spec["step"])
        call = searcher.xquad
        warm = items[:100]
    # The warm-up pass is timed too: a fresh process meeting each query for the
    # first time (Pressroom's per-generation caches are still empty).
    first = []
    for item in warm:
        started = time.perf_counter()
        call(item)
        first.append((time.perf_counter() - started) * 1000)
    profile = None
    if spec.get("profile") and engine == "pressroom" and workload == "mix":
        import cProfile
        import io
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
        for item in items:
            call(item)
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(25)
        profile = out.getvalue()
    times, matches = [], []
    for _ in range(spec["rounds"]):
        for item in items:
            started = time.perf_counter()
            found = call(item)
            times.append((time.perf_counter() - started) * 1000)
            matches.append(found)
    return {"engine": engine, "workload": workload, "queries": len(items),
            "times": times, "first_pass": first,
            "zero": sum(m == 0 for m in matches[: len(items)]),
            "median_matches": statistics.median(matches[: len(items)]),
            "partial": getattr(searcher, "partial", 0), "rss_mb": round(rss_mb(), 1),
            "profile": profile}


def child_web(index_root: Path, duration: float, quick: bool, out: Path) -> None:
    """bench/web.py's load test and freshness check, in a child, so that a failing load
    test cannot take the main run down."""
    from bench import web

    result = web.run_web(index_root, duration, quick)
    lines = [str(line) for line in web.web_section(result)]
    out.write_text(json.dumps({"lines": lines, "result": result}, default=str),
                   encoding="utf-8")


def run_child(*args: str) -> tuple[dict | None, str]:
    """(result, "") or (None, the child's error output)."""
    env = child_env()
    done = subprocess.run([sys.executable, __file__, "--child", *args],
                          capture_output=True, text=True, env=env)
    if done.returncode:
        return None, (done.stderr or done.stdout).strip()
    return json.loads(done.stdout.strip().splitlines()[-1]), ""


def last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1].strip() if lines else "no output"


def measure_web(folder: Path, size: int, duration: float, quick: bool, work: Path) -> dict:
    out, log = work / "web.json", work / "web.log"
    env = child_env()
    timeout = 240 + 15 * duration
    started = time.perf_counter()
    # Output to a file, not a pipe (a server left running would hold a pipe open), and a
    # session of its own, so that whatever bench/web.py leaves running goes with it.
    with log.open("w", encoding="utf-8") as sink:
        proc = subprocess.Popen(
            [sys.executable, __file__, "--child", "web", str(folder), str(duration),
             "1" if quick else "0", str(out)],
            stdout=sink, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env,
            start_new_session=True)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            return {"status": "failed", "note": f"no answer after {timeout:.0f} s, stopped"}
        finally:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGTERM)
    stderr = log.read_text(encoding="utf-8", errors="replace")
    if proc.returncode or not out.exists():
        return {"status": "failed", "note": last_line(stderr), "detail": stderr}
    data = json.loads(out.read_text(encoding="utf-8"))
    return {"status": "ok", "lines": data["lines"], "result": data["result"],
            "index_n": size, "duration": duration,
            "seconds": time.perf_counter() - started}


# --- the run ----------------------------------------------------------------------------


def parse_sizes(text: str) -> list[int]:
    if text.strip().lower() in ("", "none", "0"):
        return []
    return sorted({int(x.replace("_", "")) for x in text.split(",") if x.strip()})


STARTED = time.perf_counter()


def progress(message: str) -> None:
    print(f"[{time.perf_counter() - STARTED:6.1f} s] {message}", file=sys.stderr, flush=True)


def measure_latency(run: Run, engine: str, folder: Path, workload: str,
                    spec: dict, label: str) -> dict | None:
    result, error = run_child("latency", engine, str(folder), workload, json.dumps(spec))
    if result is None:
        run.failures.append(f"{label} {workload} latency: {last_line(error)}")
        progress(f"{label} {workload} latency FAILED:\n{error}")
        return None
    t = result["times"]
    progress(f"{label} {workload}: p50 {pct(t, 50):.2f} p95 {pct(t, 95):.2f} "
             f"p99 {pct(t, 99):.2f} ms")
    return result


def measure_build(run: Run, engine: str, corpus: Path, n: int, folder: Path,
                  label: str) -> dict | None:
    folder.mkdir(parents=True)
    result, error = run_child("build", engine, str(corpus), str(n), str(folder))
    if result is None:
        run.failures.append(f"{label} indexing: {last_line(error)}")
        progress(f"{label} indexing FAILED:\n{error}")
        return None
    progress(json.dumps(result))
    return result


def arguments() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=TARGET_N, help="main corpus size (peers too)")
    parser.add_argument("--quick", action="store_true",
                        help=f"n={QUICK_N}, {QUICK_QUERIES} mix queries, every {QUICK_STEP}th "
                        f"XQuAD question, scale {QUICK_SCALE}, short web runs")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--scale",
                        help=f"Pressroom sizes of the scale section (default {FULL_SCALE}; "
                        f"--quick {QUICK_SCALE}; 'none' to skip)")
    parser.add_argument("--corpus", type=Path,
                        help="JSONL corpus (default: /tmp/gen<N>.jsonl, generated if missing)")
    parser.add_argument("--queries", type=Path, default=HERE / "queries-mix.tsv")
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--no-xquad", action="store_true")
    parser.add_argument("--xquad-step", type=int, default=0,
                        help="every k-th XQuAD question (default 1; --quick 16)")
    parser.add_argument("--no-web", action="store_true", help="leave out bench/web.py")
    parser.add_argument("--web-duration", type=int,
                        help="whole seconds per load run of bench/web.py (default 30, --quick 2)")
    parser.add_argument("--profile", action="store_true",
                        help="append a cProfile of Pressroom's realistic mix to the report")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    return parser


def serve_child(child: list[str]) -> None:
    """One measurement in a child process: its result as JSON on stdout."""
    kind, engine, *rest = child
    if kind == "build":
        result = child_build(engine, Path(rest[0]), int(rest[1]), Path(rest[2]))
    elif kind == "web":
        child_web(Path(engine), float(rest[0]), rest[1] == "1", Path(rest[2]))
        return
    else:
        result = child_latency(engine, Path(rest[0]), rest[1], json.loads(rest[2]))
    print(json.dumps(result))


def measure_engines(run: Run, engines: list[str], workloads: list[str], corpus: Path, n: int,
                    root: Path, spec: dict, web_size: int) -> tuple[dict | None, Path | None]:
    """Build and query each engine's index of ``n`` releases: Pressroom's main build
    and mix, and its folder when the web load test runs on it."""
    web_folder: Path | None = None
    main_press: dict | None = None
    for engine in engines:
        folder = root / engine
        build = measure_build(run, engine, corpus, n, folder, engine)
        if build is None:
            shutil.rmtree(folder, ignore_errors=True)
            continue
        run.builds.append(build)
        for workload in workloads:
            result = measure_latency(run, engine, folder, workload, spec, engine)
            if result is not None:
                run.lat[workload].append(result)
        if engine == "pressroom":
            main_press = {"build": build, "mix": find(run.lat["mix"], "pressroom")}
            if n == web_size:
                web_folder = folder
                continue
        shutil.rmtree(folder, ignore_errors=True)
    return main_press, web_folder


def measure_scale(run: Run, sizes: list[int], n: int, main_press: dict | None,
                  corpus: Path | None, root: Path, spec: dict, web_size: int) -> Path | None:
    """Pressroom at each size of the scale section; the folder of the web load
    test's size, if built here."""
    web_folder: Path | None = None
    scale_spec = {**spec, "profile": False}
    for size in sizes:
        if size == n and main_press and main_press["mix"]:
            run.scale.append(main_press)
            continue
        folder = root / f"pressroom-{size}"
        label = f"scale pressroom {size}"
        try:
            size_corpus = corpus or corpus_for(size)
        except (OSError, subprocess.CalledProcessError) as error:
            run.failures.append(f"{label}: no corpus ({error})")
            continue
        build = measure_build(run, "pressroom", size_corpus, size, folder, label)
        mix = build and measure_latency(run, "pressroom", folder, "mix", scale_spec, label)
        if build and mix:
            run.scale.append({"build": build, "mix": mix})
        if build and size == web_size:
            web_folder = folder
        else:
            shutil.rmtree(folder, ignore_errors=True)
    return web_folder


def main() -> None:
    parser = arguments()
    args = parser.parse_args()
    if args.child:
        serve_child(args.child)
        return

    started = STARTED
    n = QUICK_N if args.quick else args.n
    count = QUICK_QUERIES if args.quick else 10**6
    step = args.xquad_step or (QUICK_STEP if args.quick else 1)
    sizes = parse_sizes(args.scale if args.scale is not None
                        else QUICK_SCALE if args.quick else FULL_SCALE)
    engines = [e for e in args.engines.split(",") if e]
    unknown = [e for e in engines if e not in ENGINE_CLASSES]
    if unknown:
        parser.error(f"unknown engine(s) {', '.join(unknown)}; known: {', '.join(ENGINES)}")
    workloads = ["mix"] + ([] if args.no_xquad else ["xquad"])
    web_duration = args.web_duration or (2 if args.quick else 30)
    command = "PYTHONPATH=. .venv/bin/python bench/speed.py " + " ".join(sys.argv[1:])

    # Each size reads the smallest corpus that has it (a 100,000-release corpus is only
    # generated when the scale section reaches it).
    corpus = args.corpus or corpus_for(n)
    if not args.no_xquad:
        ensure_xquad_prep()
    spec = {"queries": str(args.queries), "count": count, "step": step, "rounds": args.rounds,
            "profile": args.profile}
    run = Run(command=command.strip(), n=n, corpus=str(corpus), rounds=args.rounds,
              mix_queries=len(load(args.queries)[:count]), xquad_step=step,
              lat={w: [] for w in workloads})
    # The web load test runs on the 20,000-release Pressroom index, else the largest.
    press_sizes = set(sizes) | ({n} if "pressroom" in engines else set())
    web_size = TARGET_N if TARGET_N in press_sizes else max(press_sizes, default=0)
    root = Path(tempfile.mkdtemp(prefix="pressroom-speed-"))
    try:
        main_press, web_folder = measure_engines(run, engines, workloads, corpus, n, root, spec,
                                                 web_size)
        web_folder = measure_scale(run, sizes, n, main_press, args.corpus, root, spec,
                                   web_size) or web_folder
        if args.no_web:
            run.web = {"status": "skipped"}
        elif web_folder is None:
            run.web = {"status": "no-index"}
        else:
            progress(f"web: bench/web.py on the {web_size}-release index")
            run.web = measure_web(web_folder, web_size, web_duration, args.quick, root)
            progress(f"web: {run.web['status']} {run.web.get('note', '')}".rstrip())
    finally:
        shutil.rmtree(root, ignore_errors=True)
    run.elapsed = time.perf_counter() - started
    profile = next((r["profile"] for r in run.lat["mix"] if r.get("profile")), None)
    text = report(run, profile)
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
