"""The Markdown report of ``bench/speed.py``: acceptance summary, tables, method.

Every figure and every PASS/FAIL here is computed from the measurements of the
run (``Run``); nothing is hard-coded but the targets of issue 5.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import re
import sqlite3
import statistics
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from bench.indexing import SAMPLE_EVERY

REPO = Path(__file__).resolve().parents[1]

# Issue 5's targets.  Indexing: Pressroom releases/s divided by the peer's (at
# least).  Latency: Pressroom's whole-page p95 divided by the peer's p95 (at most).
TARGET_N = 20000
INDEX_TARGETS = (("whoosh-stock", "stock Whoosh", 2.0), ("xapian", "Xapian", 1.0))
PEAK_RSS_LIMIT_BYTES = 1.5e9
LATENCY_TARGETS = {
    "mix": (("fts5", "SQLite FTS5", 1.0), ("whoosh-stock", "stock Whoosh", 0.5),
            ("tantivy", "tantivy", None), ("xapian", "Xapian", None)),
    "xquad": (("fts5", "SQLite FTS5", None), ("whoosh-stock", "stock Whoosh", None),
              ("tantivy", "tantivy", None), ("xapian", "Xapian", None)),
}
SCALE_SIZES = (2000, 20000, 100000)
# The web targets as bench/web.py states them: search with the page cache on at least
# half the trivial route's requests/s; fresh releases found within 2 s of the commit.
WEB_RATIO_TARGET = 0.5
WEB_FRESH_MS = 2000


@dataclass
class Run:
    command: str
    n: int
    corpus: str
    rounds: int
    mix_queries: int
    xquad_step: int
    elapsed: float = 0.0
    builds: list[dict] = field(default_factory=list)
    lat: dict[str, list[dict]] = field(default_factory=dict)
    scale: list[dict] = field(default_factory=list)  # {"build": ..., "mix": ...}
    web: dict = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    load_before: float = field(default_factory=lambda: os.getloadavg()[0])


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def find(rows: list[dict], engine: str) -> dict | None:
    return next((r for r in rows if r["engine"] == engine), None)


def versions() -> str:
    out = [f"Python {platform.python_version()}"]
    for pkg in ("Whoosh", "tantivy", "pymorphy3"):
        try:
            out.append(f"{pkg} {metadata.version(pkg)}")
        except metadata.PackageNotFoundError:
            out.append(f"{pkg} (not installed)")
    try:
        import xapian

        out.append(f"Xapian {xapian.version_string()}")
    except ImportError:
        out.append("Xapian (not installed)")
    out.append(f"SQLite {sqlite3.sqlite_version}")
    try:
        wrk = os.popen("wrk --version 2>&1").read().split()
        if wrk and wrk[0] == "wrk":
            out.append(f"wrk {wrk[1]}")
    except OSError:
        pass
    return ", ".join(out)


def machine() -> str:
    try:
        import psutil

        mem = f"{psutil.virtual_memory().total / 2**30:.1f} GiB RAM"
    except ImportError:
        mem = "RAM unknown"
    cpu = platform.processor() or platform.machine()
    return f"{os.cpu_count()} CPUs (nproc {len(os.sched_getaffinity(0))}), {mem}, {cpu}"


def ratio_text(ratio: float) -> str:
    return f"{ratio:.2f}×"


# --- acceptance ---------------------------------------------------------------------


def acceptance(run: Run) -> list[str]:
    rows: list[tuple[str, str, str, str]] = []
    press = find(run.builds, "pressroom")
    for engine, label, target in INDEX_TARGETS:
        other = find(run.builds, engine)
        requirement = f"Indexing throughput, Pressroom / {label}"
        if press and other:
            ratio = press["rate"] / other["rate"]
            rows.append((requirement, f"{press['rate']:.1f} / {other['rate']:.1f} releases/s "
                         f"= {ratio_text(ratio)}", f"≥ {target:.1f}×",
                         "PASS" if ratio >= target else "FAIL"))
        else:
            rows.append((requirement, "not measured", f"≥ {target:.1f}×", "n/a"))
    if press:
        segments = press["segments"]
        rows.append(("Pressroom index is a single segment", f"{segments} segment(s)", "1",
                     "PASS" if segments == 1 else "FAIL"))
        peak = press["peak_rss_mb"]
        rows.append(("Peak RSS of Pressroom indexing (the process and its workers)",
                     f"{peak:.0f} MiB",
                     "< 1.5 GB", "PASS" if peak * 2**20 < PEAK_RSS_LIMIT_BYTES else "FAIL"))
    else:
        rows.append(("Peak RSS of Pressroom indexing", "not measured", "< 1.5 GB", "n/a"))
    rows += latency_acceptance(run)
    sizes = [s["build"]["n"] for s in run.scale]
    scale = "Scale: Pressroom page at " + " / ".join(f"{s:,}" for s in SCALE_SIZES) + " releases"
    if sizes:
        missing = [s for s in SCALE_SIZES if s not in sizes]
        rows.append((scale,
                     "measured at " + ", ".join(f"{s:,}" for s in sizes),
                     "all three sizes", "PASS" if not missing else "INCOMPLETE"))
    else:
        rows.append((scale, "not measured", "all three sizes", "n/a"))
    rows += web_acceptance(run.web or {})

    lines = [
        "| requirement | measured | target | result |",
        "|---|---|---|---|",
        *(f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows),
    ]
    note = (f"All ratios above come from this one run (`{run.command}`), "
            f"on {run.n:,} releases.")
    if run.n != TARGET_N:
        note += (f" The targets are set for the {TARGET_N:,}-release corpus, so on "
                 f"{run.n:,} releases the verdicts are only indicative.")
    return [*lines, "", note]


def latency_acceptance(run: Run) -> list[tuple[str, str, str, str]]:
    """Rows for the p95 page latency of each workload, Pressroom against each peer."""
    rows: list[tuple[str, str, str, str]] = []
    names = {"mix": "realistic mix", "xquad": "XQuAD worst case"}
    for workload, targets in LATENCY_TARGETS.items():
        rowset = run.lat.get(workload)
        if rowset is None:
            continue
        mine = find(rowset, "pressroom")
        for engine, label, target in targets:
            requirement = f"Page p95, {names[workload]}: Pressroom / {label}"
            goal = f"≤ {target:.1f}×" if target is not None else "reported"
            other = find(rowset, engine)
            if not (mine and other):
                rows.append((requirement, "not measured", goal, "n/a"))
                continue
            a, b = pct(mine["times"], 95), pct(other["times"], 95)
            ratio = a / b
            verdict = "-" if target is None else ("PASS" if ratio <= target else "FAIL")
            rows.append((requirement, f"{a:.1f} / {b:.2f} ms = {ratio_text(ratio)}", goal,
                         verdict))
    return rows


def web_acceptance(web: dict) -> list[tuple[str, str, str, str]]:
    """Rows for bench/web.py's figures, read defensively (its result is its own)."""
    status = web.get("status")
    if status != "ok":
        text = {"skipped": "skipped (--no-web)"}.get(
            status or "", f"not measured ({status or 'not run'})")
        return [("Web load test (wrk) and freshness", text, "see the Web section", "n/a")]
    result = web.get("result") or {}
    on = f"Web, {web.get('index_n', 0):,}-release index"
    rows = []
    ratio = result.get("ratio_cached")
    if isinstance(ratio, int | float):
        rows.append((f"{on}: search req/s (page cache on) / trivial JSON req/s",
                     ratio_text(ratio), f"≥ {WEB_RATIO_TARGET:.1f}×",
                     "PASS" if ratio >= WEB_RATIO_TARGET else "FAIL"))
    fresh = result.get("freshness")
    if isinstance(fresh, dict) and "delay_ms" in fresh:
        delay = fresh["delay_ms"]
        rows.append((f"{on}: new releases searchable after the commit, under load",
                     "not found" if delay is None else f"{delay:.0f} ms",
                     f"≤ {WEB_FRESH_MS:,} ms",
                     "FAIL" if delay is None or delay > WEB_FRESH_MS else "PASS"))
    return rows or [("Web load test (wrk) and freshness", "measured", "see the Web section",
                     "-")]


# --- tables -------------------------------------------------------------------------

WHAT = {
    "mix": {"pressroom": "whole page: top 10 + snippets + year/topic/language facets",
            "other": "top 10 + year facet"},
    "xquad": {"pressroom": "whole page, question as typed",
              "other": "top 10 + year facet, OR of tokens"},
}


def latency_table(rows: list[dict], workload: str) -> list[str]:
    press = find(rows, "pressroom")
    lines = ["| engine | measured | queries x rounds | p50 ms | p95 ms | p99 ms | mean ms "
             "| first pass p50 / p95 ms | no match | median matches "
             "| Pressroom p95 / engine p95 |",
             "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        t = r["times"]
        what = WHAT[workload]["pressroom" if r["engine"] == "pressroom" else "other"]
        ratio = "-" if r["engine"] == "pressroom" or not press else \
            ratio_text(pct(press["times"], 95) / pct(t, 95))
        lines.append(f"| {r['engine']} | {what} | {r['queries']} x {len(t) // r['queries']} "
                     f"| {pct(t, 50):.2f} | {pct(t, 95):.2f} | {pct(t, 99):.2f} "
                     f"| {statistics.fmean(t):.2f} | {first_pass(r)} | {r['zero']} "
                     f"| {r['median_matches']:g} "
                     f"| {ratio} |")
    return lines


def first_pass(row: dict) -> str:
    first = row.get("first_pass") or []
    return f"{pct(first, 50):.2f} / {pct(first, 95):.2f}" if first else "-"


def indexing_table(builds: list[dict]) -> list[str]:
    lines = ["| engine | releases | releases/s | seconds | index MB | peak RSS MB (tree) "
             "| base RSS MB | segments |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for b in builds:
        seg = "-" if b["segments"] is None else b["segments"]
        lines.append(f"| {b['engine']} | {b['n']} | {b['rate']:.1f} | {b['seconds']:.2f} "
                     f"| {b['size_mb']:.1f} | {b['peak_rss_mb']:.1f} | {b['base_rss_mb']:.1f} "
                     f"| {seg} |")
    return lines


def scale_section(run: Run) -> list[str]:
    if not run.scale:
        return ["Not measured in this run (`--scale none`)."]
    first = run.scale[0]
    base_p95 = pct(first["mix"]["times"], 95)
    lines = ["| releases | releases/s | seconds | index MB | index MB per 1,000 | peak RSS MB "
             "| page p50 ms | page p95 ms | page p99 ms | p95 vs smallest |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for s in run.scale:
        b, t = s["build"], s["mix"]["times"]
        lines.append(f"| {b['n']:,} | {b['rate']:.1f} | {b['seconds']:.1f} | {b['size_mb']:.1f} "
                     f"| {1000 * b['size_mb'] / b['n']:.2f} | {b['peak_rss_mb']:.0f} "
                     f"| {pct(t, 50):.2f} | {pct(t, 95):.2f} | {pct(t, 99):.2f} "
                     f"| {ratio_text(pct(t, 95) / base_p95)} |")
    if len(run.scale) > 1:
        last = run.scale[-1]
        a, b = first["build"], last["build"]
        p50 = pct(last["mix"]["times"], 50) / pct(first["mix"]["times"], 50)
        p95 = pct(last["mix"]["times"], 95) / base_p95
        lines += ["", f"From {a['n']:,} to {b['n']:,} releases ({b['n'] / a['n']:.0f}× the "
                  f"releases) the index grows {b['size_mb'] / a['size_mb']:.1f}×, "
                  f"indexing throughput changes {b['rate'] / a['rate']:.2f}×, and the "
                  f"page's p50 grows {p50:.1f}× and its p95 {p95:.1f}×."]
    return lines


def web_section(run: Run) -> list[str]:
    web = run.web or {}
    status = web.get("status")
    if status == "ok":
        lines = [str(line) for line in web.get("lines", [])]
        intro = (f"`bench/web.py` (`run_web`/`web_section`) on the Pressroom index of "
                 f"{web['index_n']:,} releases, {web['duration']:g} s per load run, "
                 f"took {web['seconds']:.0f} s:")
        if lines and lines[0].startswith("#"):  # web_section's own heading, as a section
            return ["## " + lines[0].lstrip("#").strip(), "", intro, *lines[1:]]
        return ["## Web: load test and freshness", "", intro, "", *lines]
    reasons = {
        "skipped": "skipped: the run was made with `--no-web`.",
        "no-index": "not measured: the Pressroom index it runs on was not built.",
    }
    text = reasons.get(status or "", f"not measured: `bench/web.py` failed ({web.get('note')}).")
    if status == "failed" and web.get("detail"):
        return ["## Web: load test and freshness", "", text[0].upper() + text[1:], "", "```",
                *web["detail"].rstrip().splitlines()[-15:], "```"]
    return ["## Web: load test and freshness", "", text[0].upper() + text[1:]]


def strip_profile(text: str) -> list[str]:
    """pstats output with the repository and site-packages prefixes cut."""
    site = str(Path(json.__file__).parent)
    lines = []
    for line in text.strip().splitlines():
        line = line.replace(str(REPO) + "/", "")
        line = re.sub(r"\S*/site-packages/", "", line).replace(site + "/", "")
        lines.append(line.rstrip())
    return lines


# --- the report ---------------------------------------------------------------------


def method(run: Run) -> list[str]:
    partial = ", ".join(f"{w} {r['partial']}" for w, rows in run.lat.items() for r in rows
                        if r["engine"] == "pressroom") or "-"
    xquad = "every XQuAD question" if run.xquad_step == 1 else \
        f"every {run.xquad_step}th XQuAD question"
    return [
        f"- Corpus: the first {run.n:,} releases of `gen_corpus.py` over XQuAD "
        f"(`{run.corpus}`; deterministic and prefix-stable, so the first n releases of a "
        "larger corpus are the n-release corpus; English and Russian title and body in every "
        "release, 22 years, 48 topics). Each record becomes a `Release` with both versions, "
        "its date, id and the topic slug.",
        "- Indexing: every engine builds from the JSON records (read before the clock) in a "
        "fresh child process, one commit. Pressroom: `Store(root).add_releases(releases)` "
        "(pymorphy3 loaded before the clock); tantivy: `en_stem` on English fields, a "
        "Snowball Russian analyzer (simple | remove_long(40) | lowercase | stemmer(russian)) "
        "on Russian fields, fast integer `year`/`day` and a raw `topic`, 1 writer thread; "
        "FTS5: two contentless tables (`porter unicode61` English, `unicode61` Russian) plus "
        "a docs table (year, day, topic); stock Whoosh: `StemmingAnalyzer` on the four text "
        "fields, sortable ID `year`, ID `day`/`topic`; Xapian: one glass database, "
        "`TermGenerator` with the Snowball english stemmer and prefix `XE` on the English "
        "title and body and the russian stemmer and prefix `XR` on the Russian ones "
        "(positions indexed), year and day as values, the topic as a boolean term, not "
        "compacted. Peak RSS is the whole child process with any process it started (sampled "
        f"every {SAMPLE_EVERY:g} s; Python baseline and the records included).",
        "- Latency: each engine in its own fresh child process with one long-lived "
        "searcher (Pressroom: one `Archive`, `archive.search(SearchRequest.from_params(...))`). "
        "One warm-up pass (whole mix; first 100 XQuAD questions), then every query once "
        f"per round, {run.rounds} rounds; percentiles over all timed calls. The warm-up "
        "pass is timed as well (\"first pass\": a fresh process meeting each query for "
        "the first time). Pressroom keeps per index generation the decoded postings of "
        "the terms queried (an LRU of 10 million postings), term presence and spelling "
        "answers; the warm-up fills them as a running service's traffic would. It keeps "
        "no results: every timed call evaluates the query, counts the facets and builds "
        "the snippets (the web page cache is only in `bench/web.py`'s cached scenario).",
        f"- Realistic mix: the first {run.mix_queries} rows of `bench/queries-mix.tsv` "
        "(`bench/querymix.py`, seed 5): 1-3 words or a two-word phrase, English or Russian, "
        "corpus forms (inflected Russian), common, middling and rare words; about 30 % "
        "with one filter. Peers: AND of the words over title+body of both languages "
        "(of one language with a language filter), the phrase as a phrase query, topic and "
        "date range as filters. Xapian: `QueryParser` (Snowball stemmer of the language, "
        "`STEM_SOME`, `OP_AND`, phrases in quotes), one reading per language OR-ed, the "
        "topic and date range by `OP_FILTER`, `BM25Weight`, year facet by "
        "`ValueCountMatchSpy` with checkatleast = document count (exact). Pressroom gets the "
        "same text and filters as query parameters and builds its whole results page.",
        f"- XQuAD worst case: {xquad}, English at even and Russian at odd "
        "positions. Pressroom gets the question as typed (all words, falling back to any "
        "word when nothing has them all); peers get an OR of its `\\w+` tokens (Xapian: "
        "`OP_OR` in both languages' fields). On this corpus an OR query matches nearly every "
        "release.",
        "- `no match` counts queries with zero results in one round; `median matches` is the "
        "engine's own total (Pressroom's page total, peers' sum of the year facet). "
        f"Pressroom queries stopped by its time limit: {partial}.",
        "- Scale: Pressroom alone, built and queried the same way (realistic mix, same "
        "queries and rounds) at each size; the row of the main size is the main run's.",
        "- Web: `bench/web.py` in its own child process, after everything else, on the "
        "Pressroom index of 20,000 releases when one was built, else the largest.",
    ]


def report(run: Run, profile: str | None = None) -> str:
    lines = [
        "# Benchmarks: Pressroom against peers",
        "",
        f"Measured {dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M')} UTC on {machine()}; "
        f"{versions()}. The whole run took {run.elapsed / 60:.1f} min; the 1-minute load "
        f"average was {run.load_before:.1f} at its start and {os.getloadavg()[0]:.1f} at its "
        "end (above the CPU count, other work on the machine slowed the figures).",
        "",
        f"Command: `{run.command}`",
        "",
        "## Acceptance summary (issue 5)",
        "",
        *acceptance(run),
    ]
    if run.failures:
        lines += ["", "## Failures", "", *(f"- {f}" for f in run.failures)]
    lines += ["", "## Method", "", *method(run), "",
              f"## Indexing ({run.n:,} releases)", "", *indexing_table(run.builds)]
    titles = {"mix": "Latency: realistic mix", "xquad": "Latency: XQuAD worst case"}
    for workload, rows in run.lat.items():
        if not rows:
            continue
        lines += ["", f"## {titles[workload]} ({run.n:,} releases)", "",
                  *latency_table(rows, workload)]
        rss = ", ".join(f"{r['engine']} {r['rss_mb']:.0f}" for r in rows)
        lines += ["", f"Peak RSS of the query processes (MB): {rss}."]
    lines += ["", "## Scale: Pressroom's results page by corpus size (realistic mix)", "",
              *scale_section(run), "", *web_section(run)]
    if profile:
        lines += ["", "## Where Pressroom's whole-page time goes (realistic mix)", "",
                  "cProfile of one extra pass over the mix after the warm-up "
                  "(not part of the timed rounds), top functions by cumulative time:",
                  "", "```", *strip_profile(profile), "```"]
    return "\n".join(lines) + "\n"
