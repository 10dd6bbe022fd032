"""Speed: Pressroom against tantivy, SQLite FTS5 and stock Whoosh, in one run.

    python bench/speed.py [--n 20000] [--quick] [--rounds 2] [--no-xquad] [--out FILE]

One corpus (``gen_corpus.py`` over XQuAD), one query set, every engine built
and queried the same way:

* indexing: each engine builds its index in a fresh child process (releases/s,
  index size on disk, peak RSS of that process, segment count);
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

``--quick`` is n=1000, the first 150 mix queries and every 8th XQuAD question.
The report is printed and written to docs/benchmarks.md (``--out``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.indexing import ensure_corpus, folder_mb, read_records, rss_mb  # noqa: E402
from bench.querymix import MixQuery, load, topic_slug  # noqa: E402

ENGINES = ("pressroom", "tantivy", "fts5", "whoosh-stock")
PEERS = Path("/work/shared/tools/peers")
XQUAD = Path("/work/shared/data/xquad")
DEFAULT_OUT = REPO / "docs" / "benchmarks.md"
LANGS = ("en", "ru")
TEXT_FIELDS = {lang: (f"title_{lang}", f"body_{lang}") for lang in LANGS}
TOKEN = re.compile(r"\w+")


def day_number(date: str) -> int:
    return int(date.replace("-", ""))


def fields_for(query: MixQuery) -> tuple[str, ...]:
    langs = (query.lang,) if query.lang else LANGS
    return tuple(f for lang in langs for f in TEXT_FIELDS[lang])


def or_tokens(text: str) -> list[str]:
    return [t.lower() for t in TOKEN.findall(text)]


# --- engines --------------------------------------------------------------------------
#
# Each engine: build(records, folder) -> segments (or None); open(folder) -> a
# searcher with mix(MixQuery) -> matches and xquad(text) -> matches.  "matches"
# is the engine's own total (page total, or the sum of the year facet).


class Pressroom:
    name = "pressroom"

    @staticmethod
    def build(records: list[dict], folder: Path) -> int:
        from whoosh import index

        from indexer.store import Store

        releases = [to_release(r) for r in records]
        store = Store(folder)
        summary = store.add_releases(releases)
        assert summary.added == len(releases), summary.report()
        return len(index.open_dir(str(store.live_dir()))._segments())

    def open(self, folder: Path) -> Pressroom:
        from search import Archive, SearchRequest

        self.archive = Archive(folder)
        self.request = SearchRequest
        self.partial = 0
        return self

    def page(self, params: dict):
        page = self.archive.search(self.request.from_params(params))
        self.partial += page.partial
        return page.total

    def mix(self, query: MixQuery) -> int:
        return self.page(query.params())

    def xquad(self, text: str) -> int:
        return self.page({"q": [text]})


def to_release(record: dict):
    from indexer.release import Release, Version

    versions = {lang: Version(lang, record[f"title_{lang}"], record[f"body_{lang}"])
                for lang in LANGS}
    return Release(versions=versions, date=dt.date.fromisoformat(record["date"]),
                   id=record["id"], topics=[topic_slug(record["topic"])])


class Tantivy:
    name = "tantivy"

    @staticmethod
    def schema():
        import tantivy

        b = tantivy.SchemaBuilder()
        b.add_text_field("id", stored=True, tokenizer_name="raw")
        for lang, tok in (("en", "en_stem"), ("ru", "ru_stem")):
            for f in TEXT_FIELDS[lang]:
                b.add_text_field(f, tokenizer_name=tok)
        b.add_integer_field("year", indexed=True, fast=True)
        b.add_integer_field("day", indexed=True, fast=True)
        b.add_text_field("topic", tokenizer_name="raw", fast=True)
        return b.build()

    @staticmethod
    def register(ix) -> None:
        import tantivy

        ix.register_tokenizer("ru_stem", tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
                              .filter(tantivy.Filter.remove_long(40))
                              .filter(tantivy.Filter.lowercase())
                              .filter(tantivy.Filter.stemmer("russian")).build())

    @classmethod
    def build(cls, records: list[dict], folder: Path) -> int:
        import tantivy

        ix = tantivy.Index(cls.schema(), path=str(folder))
        cls.register(ix)
        writer = ix.writer(heap_size=128_000_000, num_threads=1)
        for r in records:
            writer.add_document(tantivy.Document(
                id=r["id"], year=r["year"], day=day_number(r["date"]),
                topic=topic_slug(r["topic"]),
                **{f: r[f] for lang in LANGS for f in TEXT_FIELDS[lang]}))
        writer.commit()
        writer.wait_merging_threads()
        ix.reload()
        return ix.searcher().num_segments

    def open(self, folder: Path) -> Tantivy:
        import tantivy

        self.t = tantivy
        self.ix = tantivy.Index.open(str(folder))
        self.register(self.ix)
        self.ix.reload()
        self.searcher = self.ix.searcher()
        self.schema_ = self.ix.schema
        return self

    def run(self, query) -> int:
        self.searcher.search(query, limit=10, count=False)
        agg = self.searcher.aggregate(query, {"year": {"terms": {"field": "year", "size": 100}}})
        return sum(b["doc_count"] for b in agg["year"]["buckets"])

    def mix(self, query: MixQuery) -> int:
        t = self.t
        # A word the query grammar would reject ("people's") goes in quotes, which
        # makes it a phrase of its tokens, as FTS5 and Whoosh read it.
        words = [w if w.isalnum() else f'"{w}"' for w in query.words()]
        text = " ".join(words)
        if query.is_phrase:
            text = '"' + " ".join(query.words()) + '"'
        q = self.ix.parse_query(text, list(fields_for(query)), conjunction_by_default=True)
        must = [(t.Occur.Must, q)]
        if query.topic:
            must.append((t.Occur.Must, t.Query.term_query(self.schema_, "topic", query.topic)))
        if query.date_from:
            must.append((t.Occur.Must, t.Query.range_query(
                self.schema_, "day", t.FieldType.Integer, day_number(query.date_from),
                day_number(query.date_to))))
        if len(must) > 1:
            q = t.Query.boolean_query(must)
        return self.run(q)

    def xquad(self, text: str) -> int:
        words = " ".join(or_tokens(text))
        q = self.ix.parse_query(words, [f for lang in LANGS for f in TEXT_FIELDS[lang]])
        return self.run(q)


class Fts5:
    name = "fts5"

    @staticmethod
    def build(records: list[dict], folder: Path) -> None:
        db = sqlite3.connect(folder / "fts.db")
        db.executescript("""
            CREATE TABLE docs(rowid INTEGER PRIMARY KEY, id TEXT, year INT, day INT, topic TEXT);
            CREATE INDEX docs_topic ON docs(topic);
            CREATE VIRTUAL TABLE fts_en USING fts5(title, body, content='',
                tokenize='porter unicode61');
            CREATE VIRTUAL TABLE fts_ru USING fts5(title, body, content='', tokenize='unicode61');
        """)
        with db:
            for i, r in enumerate(records, 1):
                db.execute("INSERT INTO docs VALUES (?,?,?,?,?)",
                           (i, r["id"], r["year"], day_number(r["date"]), topic_slug(r["topic"])))
                for lang in LANGS:
                    db.execute(f"INSERT INTO fts_{lang}(rowid, title, body) VALUES (?,?,?)",
                               (i, r[f"title_{lang}"], r[f"body_{lang}"]))
        db.close()
        return None

    def open(self, folder: Path) -> Fts5:
        self.db = sqlite3.connect(folder / "fts.db")
        return self

    def run(self, match: str, langs: tuple[str, ...], cond: str = "1",
            a: object = None, b: object = None) -> int:
        ranked = " UNION ALL ".join(
            f"SELECT rowid, rank AS r FROM fts_{lang} WHERE fts_{lang} MATCH :m" for lang in langs)
        ids = " UNION ".join(
            f"SELECT rowid FROM fts_{lang} WHERE fts_{lang} MATCH :m" for lang in langs)
        params = {"m": match, "a": a, "b": b}
        self.db.execute(f"SELECT m.rowid, min(m.r) AS s FROM ({ranked}) m "
                        f"JOIN docs d ON d.rowid = m.rowid WHERE {cond} "
                        "GROUP BY m.rowid ORDER BY s LIMIT 10", params).fetchall()
        rows = self.db.execute(f"SELECT d.year, count(*) FROM docs d WHERE d.rowid IN ({ids}) "
                               f"AND {cond} GROUP BY d.year", params).fetchall()
        return sum(c for _, c in rows)

    def mix(self, query: MixQuery) -> int:
        words = query.words()
        match = ('"' + " ".join(words) + '"' if query.is_phrase
                 else " ".join(f'"{w}"' for w in words))
        langs = (query.lang,) if query.lang else LANGS
        if query.topic:
            return self.run(match, langs, "d.topic = :a", query.topic)
        if query.date_from:
            return self.run(match, langs, "d.day BETWEEN :a AND :b",
                            day_number(query.date_from), day_number(query.date_to))
        return self.run(match, langs)

    def xquad(self, text: str) -> int:
        tokens = or_tokens(text)
        if not tokens:
            return 0
        return self.run(" OR ".join(f'"{t}"' for t in tokens), LANGS)


class WhooshStock:
    name = "whoosh-stock"

    @staticmethod
    def build(records: list[dict], folder: Path) -> int:
        from whoosh import fields, index
        from whoosh.analysis import StemmingAnalyzer

        ana = StemmingAnalyzer()
        schema = fields.Schema(
            id=fields.ID(stored=True, unique=True), year=fields.ID(stored=True, sortable=True),
            day=fields.ID, topic=fields.ID,
            **{f: fields.TEXT(analyzer=ana) for lang in LANGS for f in TEXT_FIELDS[lang]})
        ix = index.create_in(str(folder), schema)
        writer = ix.writer()
        for r in records:
            writer.add_document(id=r["id"], year=str(r["year"]), day=r["date"],
                                topic=topic_slug(r["topic"]),
                                **{f: r[f] for lang in LANGS for f in TEXT_FIELDS[lang]})
        writer.commit()
        return len(index.open_dir(str(folder))._segments())

    def open(self, folder: Path) -> WhooshStock:
        from whoosh import index, qparser, query

        self.ix = index.open_dir(str(folder))
        self.searcher = self.ix.searcher()
        self.q = query
        self.parsers = {}
        for langs in (LANGS, ("en",), ("ru",)):
            fields = [f for lang in langs for f in TEXT_FIELDS[lang]]
            self.parsers[langs] = qparser.MultifieldParser(fields, self.ix.schema)
        self.or_parser = qparser.MultifieldParser(
            [f for lang in LANGS for f in TEXT_FIELDS[lang]], self.ix.schema,
            group=qparser.OrGroup)
        return self

    def run(self, q, filter_q=None) -> int:
        results = self.searcher.search(q, limit=10, groupedby="year", filter=filter_q)
        return sum(len(v) for v in results.groups("year").values())

    def mix(self, query: MixQuery) -> int:
        langs = (query.lang,) if query.lang else LANGS
        q = self.parsers[langs].parse(query.q)
        filter_q = None
        if query.topic:
            filter_q = self.q.Term("topic", query.topic)
        elif query.date_from:
            filter_q = self.q.TermRange("day", query.date_from, query.date_to)
        return self.run(q, filter_q)

    def xquad(self, text: str) -> int:
        return self.run(self.or_parser.parse(" ".join(or_tokens(text))))


ENGINE_CLASSES = {c.name: c for c in (Pressroom, Tantivy, Fts5, WhooshStock)}


# --- child processes ------------------------------------------------------------------


def child_build(engine: str, corpus: Path, n: int, folder: Path) -> dict:
    records = read_records(corpus, n)
    if engine == "pressroom":
        # Dictionaries and taxonomy are loaded before the clock, as in a service.
        from indexer.analysis import shared_morph_analyzer

        shared_morph_analyzer()
    base = rss_mb()
    started = time.perf_counter()
    segments = ENGINE_CLASSES[engine].build(records, folder)
    elapsed = time.perf_counter() - started
    return {"engine": engine, "n": len(records), "seconds": round(elapsed, 2),
            "rate": round(len(records) / elapsed, 1), "size_mb": round(folder_mb(folder), 1),
            "peak_rss_mb": round(rss_mb(), 1), "base_rss_mb": round(base, 1),
            "segments": segments}


def xquad_questions(step: int = 1) -> list[str]:
    out = []
    files = {lang: (XQUAD_PREP / f"queries_{lang}.tsv").read_text(encoding="utf-8").splitlines()
             for lang in LANGS}
    for i, (en, ru) in enumerate(zip(files["en"], files["ru"], strict=True)):
        line = en if i % 2 == 0 else ru
        if i % step == 0:
            out.append(line.split("\t")[1])
    return out


XQUAD_PREP = Path(tempfile.gettempdir()) / "pressroom-bench-xquad"


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
    for item in warm:
        call(item)
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
            "times": times, "zero": sum(m == 0 for m in matches[: len(items)]),
            "median_matches": statistics.median(matches[: len(items)]),
            "partial": getattr(searcher, "partial", 0), "rss_mb": round(rss_mb(), 1),
            "profile": profile}


def run_child(*args: str) -> dict:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, __file__, "--child", *args],
                          capture_output=True, text=True, env=env)
    if done.returncode:
        raise SystemExit(f"child {args[:2]} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- report -----------------------------------------------------------------------------


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def versions() -> str:
    out = [f"Python {platform.python_version()}"]
    for pkg in ("Whoosh", "tantivy", "pymorphy3"):
        try:
            out.append(f"{pkg} {metadata.version(pkg)}")
        except metadata.PackageNotFoundError:
            out.append(f"{pkg} (not installed)")
    out.append(f"SQLite {sqlite3.sqlite_version}")
    return ", ".join(out)


def machine() -> str:
    try:
        import psutil

        mem = f"{psutil.virtual_memory().total / 2**30:.1f} GiB RAM"
    except ImportError:
        mem = "RAM unknown"
    cpu = platform.processor() or platform.machine()
    return f"{os.cpu_count()} CPUs (nproc {len(os.sched_getaffinity(0))}), {mem}, {cpu}"


WHAT = {
    "mix": {"pressroom": "whole page: top 10 + snippets + year/topic/language facets",
            "other": "top 10 + year facet"},
    "xquad": {"pressroom": "whole page, question as typed",
              "other": "top 10 + year facet, OR of tokens"},
}


def latency_table(rows: list[dict], workload: str) -> list[str]:
    press = next((r for r in rows if r["engine"] == "pressroom"), None)
    lines = ["| engine | measured | queries x rounds | p50 ms | p95 ms | p99 ms | mean ms "
             "| no match | median matches | Pressroom p95 / engine p95 |",
             "|---|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        t = r["times"]
        what = WHAT[workload]["pressroom" if r["engine"] == "pressroom" else "other"]
        ratio = "-" if r["engine"] == "pressroom" or not press else \
            f"{pct(press['times'], 95) / pct(t, 95):.1f}x"
        lines.append(f"| {r['engine']} | {what} | {r['queries']} x {len(t) // r['queries']} "
                     f"| {pct(t, 50):.2f} | {pct(t, 95):.2f} | {pct(t, 99):.2f} "
                     f"| {statistics.fmean(t):.2f} | {r['zero']} | {r['median_matches']:g} "
                     f"| {ratio} |")
    return lines


def strip_profile(text: str) -> list[str]:
    """pstats output with the repository and site-packages prefixes cut."""
    site = str(Path(json.__file__).parent)
    lines = []
    for line in text.strip().splitlines():
        line = line.replace(str(REPO) + "/", "")
        line = re.sub(r"\S*/site-packages/", "", line).replace(site + "/", "")
        lines.append(line.rstrip())
    return lines


def report(args, n: int, builds: list[dict], lat: dict[str, list[dict]], command: str,
           queries: int, elapsed: float) -> str:
    lines = [
        "# Benchmarks: Pressroom against peers",
        "",
        f"Measured {dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M')} UTC on {machine()}; "
        f"{versions()}. The whole run took {elapsed / 60:.1f} min.",
        "",
        f"Command: `{command}`",
        "",
        "## Method",
        "",
        f"- Corpus: the first {n} releases of `gen_corpus.py` over XQuAD (deterministic; "
        "English and Russian title and body in every release, 22 years, 48 topics). Each "
        "record becomes a `Release` with both versions, its date, id and the topic slug.",
        "- Indexing: every engine builds in a fresh child process, one commit. Pressroom: "
        "`Store(root).add_releases(releases)` (pymorphy3 loaded before the clock); tantivy: "
        "`en_stem` on English fields, a Snowball Russian analyzer "
        "(simple | remove_long(40) | lowercase | stemmer(russian)) on Russian fields, "
        "fast integer `year`/`day` and a raw `topic`, 1 writer thread; FTS5: two contentless "
        "tables (`porter unicode61` English, `unicode61` Russian) plus a docs table "
        "(year, day, topic); stock Whoosh: `StemmingAnalyzer` on the four text fields, "
        "sortable ID `year`, ID `day`/`topic`. Peak RSS is the whole child process "
        "(Python baseline included).",
        "- Latency: each engine in its own fresh child process with one long-lived "
        "searcher (Pressroom: one `Archive`, `archive.search(SearchRequest.from_params(...))`). "
        "One warm-up pass (whole mix; first 100 XQuAD questions), then every query once "
        f"per round, {args.rounds} rounds; percentiles over all timed calls.",
        f"- Realistic mix: the first {queries} rows of `bench/queries-mix.tsv` "
        "(`bench/querymix.py`, seed 5): 1-3 words or a two-word phrase, English or Russian, "
        "corpus forms (inflected Russian), common, middling and rare words; about 30 % "
        "with one filter. Peers: AND of the words over title+body of both languages "
        "(of one language with a language filter), the phrase as a phrase query, topic and "
        "date range as filters. Pressroom gets the same text and filters as query "
        "parameters and builds its whole results page.",
        "- XQuAD worst case: XQuAD questions, English at even and Russian at odd "
        "positions. Pressroom gets the question as typed (all words, falling back to any "
        "word when nothing has them all); peers get an OR of its `\\w+` tokens. On this "
        "corpus an OR query matches nearly every release.",
        "- `no match` counts queries with zero results in one round; `median matches` is the "
        "engine's own total (Pressroom's page total, peers' sum of the year facet). "
        "Pressroom queries stopped by its time limit: "
        + ", ".join(f"{w} {r['partial']}" for w, rows in lat.items() for r in rows
                    if r["engine"] == "pressroom") + ".",
        "",
        "## Indexing",
        "",
        "| engine | releases | releases/s | seconds | index MB | peak RSS MB | base RSS MB "
        "| segments |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for b in builds:
        seg = "-" if b["segments"] is None else b["segments"]
        lines.append(f"| {b['engine']} | {b['n']} | {b['rate']:.1f} | {b['seconds']:.2f} "
                     f"| {b['size_mb']:.1f} | {b['peak_rss_mb']:.1f} | {b['base_rss_mb']:.1f} "
                     f"| {seg} |")
    titles = {"mix": "Latency: realistic mix", "xquad": "Latency: XQuAD worst case"}
    for workload, rows in lat.items():
        lines += ["", f"## {titles[workload]}", "", *latency_table(rows, workload)]
        rss = ", ".join(f"{r['engine']} {r['rss_mb']:.0f}" for r in rows)
        lines += ["", f"Peak RSS of the query processes (MB): {rss}."]
    for rows in lat.values():
        for r in rows:
            if r.get("profile"):
                lines += ["", "## Where Pressroom's whole-page time goes (realistic mix)", "",
                          "cProfile of one extra pass over the mix after the warm-up "
                          "(not part of the timed rounds), top functions by cumulative time:",
                          "", "```", *strip_profile(r["profile"]), "```"]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20000)
    parser.add_argument("--quick", action="store_true",
                        help="n=1000, 150 mix queries, every 8th XQuAD question")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--corpus", type=Path)
    parser.add_argument("--queries", type=Path, default=HERE / "queries-mix.tsv")
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--no-xquad", action="store_true")
    parser.add_argument("--profile", action="store_true",
                        help="append a cProfile of Pressroom's realistic mix to the report")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, engine, *rest = args.child
        if kind == "build":
            result = child_build(engine, Path(rest[0]), int(rest[1]), Path(rest[2]))
        else:
            result = child_latency(engine, Path(rest[0]), rest[1], json.loads(rest[2]))
        print(json.dumps(result))
        return
    started = time.perf_counter()
    n = 1000 if args.quick else args.n
    count = 150 if args.quick else 10**6
    step = 8 if args.quick else 1
    corpus = args.corpus or ensure_corpus(n)
    if not args.no_xquad and not (XQUAD_PREP / "queries_ru.tsv").exists():
        subprocess.run([sys.executable, str(PEERS / "prep_xquad.py"), str(XQUAD),
                        str(XQUAD_PREP)], check=True, capture_output=True)
    engines = args.engines.split(",")
    workloads = ["mix"] + ([] if args.no_xquad else ["xquad"])
    spec = {"queries": str(args.queries), "count": count, "step": step, "rounds": args.rounds,
            "profile": args.profile}
    builds: list[dict] = []
    lat: dict[str, list[dict]] = {w: [] for w in workloads}
    root = Path(tempfile.mkdtemp(prefix="pressroom-speed-"))
    try:
        for engine in engines:
            folder = root / engine
            folder.mkdir()
            builds.append(run_child("build", engine, str(corpus), str(n), str(folder)))
            print(json.dumps(builds[-1]), file=sys.stderr, flush=True)
            for workload in workloads:
                result = run_child("latency", engine, str(folder), workload, json.dumps(spec))
                lat[workload].append(result)
                t = result["times"]
                print(f"{engine} {workload}: p50 {pct(t, 50):.2f} p95 {pct(t, 95):.2f} "
                      f"p99 {pct(t, 99):.2f} ms", file=sys.stderr, flush=True)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    queries = lat["mix"][0]["queries"] if lat["mix"] else 0
    command = "PYTHONPATH=. .venv/bin/python bench/speed.py " + " ".join(sys.argv[1:])
    text = report(args, n, builds, lat, command.strip(), queries, time.perf_counter() - started)
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
