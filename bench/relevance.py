"""Acceptance benchmark: ranking quality on XQuAD, Pressroom against two peers.

    PYTHONPATH=. .venv/bin/python bench/relevance.py [--data DIR] [--quick] [--any] [--diagnose N]

Every XQuAD paragraph becomes one release with an English and a Russian version (the
same id in both corpus files); all 1,190 questions per language are asked in their own
language and scored by MRR@10, R@1 and R@10 against the qrels.

Engines:
  pressroom        the real query side: search.Archive + SearchRequest.from_params over an
                   index written by indexer.store.Store.add_releases (default: all words,
                   falling back to any word when no release has them all);
  pressroom-any    (--any) the same, the question's words joined by OR (any-word semantics);
  whoosh-stock     StemmingAnalyzer on body_en/body_ru, QueryParser with OrGroup;
  tantivy          en_stem / simple+lowercase+Snowball-Russian, parse_query (OR by default).
Peers get the question as \\w+ tokens with operator words lower-cased, i.e. plain words.
"""

from __future__ import annotations

import argparse
import re
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from common import (
    DEFAULT_DATA,
    METRICS_HEADER,
    Doc,
    Metrics,
    Query,
    check_data,
    load_corpus,
    load_queries,
)

LANGS = ("en", "ru")
WORD = re.compile(r"\w+")
#: Operator words of the peers' and Pressroom's query languages.
OPERATORS = {"AND", "OR", "NOT", "NEAR", "TO", "IN"}

Searcher = Callable[[str, str], list[str]]  # (question, lang) → ranked ids


def plain_words(text: str) -> list[str]:
    return [w.lower() if w in OPERATORS else w for w in WORD.findall(text)]


def paragraphs(data: Path) -> list[tuple[str, dict[str, Doc]]]:
    """(id, {lang: Doc}) for ids present in both corpus files."""
    by_lang = {lang: {d.id: d for d in load_corpus(data, lang)} for lang in LANGS}
    ids = [i for i in by_lang["en"] if i in by_lang["ru"]]
    return [(i, {lang: by_lang[lang][i] for lang in LANGS}) for i in ids]


# --- Pressroom ---------------------------------------------------------------------------


class Pressroom:
    """Index through the Store, query through the Archive: what users get."""

    def __init__(self, root: Path, docs: list[tuple[str, dict[str, Doc]]]) -> None:
        from indexer.release import Release, Version
        from indexer.store import Store

        # XQuAD titles are article names (English in both files); peers index the body
        # only, so Pressroom does too.
        releases = [Release(versions={lang: Version(lang, "", d.text) for lang, d in v.items()},
                            id=i) for i, v in docs]
        summary = Store(root).add_releases(releases)
        if not summary.ok:
            raise SystemExit(f"indexing failed: {summary.report()}")
        from search import Archive, SearchRequest

        self.archive = Archive(root)
        self.request = SearchRequest
        self.modes: dict[str, int] = {}

    def search(self, q: str, lang: str, any_word: bool = False) -> list[str]:
        if any_word:
            q = " OR ".join(plain_words(q))
        page = self.archive.search(self.request.from_params(
            {"q": q, "lang": lang, "per_page": "10"}))
        key = f"{lang}{'-any' if any_word else ''}:{page.understood.mode}"
        self.modes[key] = self.modes.get(key, 0) + 1
        return [h["id"] for h in page.hits]


# --- peers -------------------------------------------------------------------------------


class WhooshStock:
    def __init__(self, docs: list[tuple[str, dict[str, Doc]]]) -> None:
        from whoosh import fields
        from whoosh.analysis import StemmingAnalyzer
        from whoosh.filedb.filestore import RamStorage
        from whoosh.qparser import OrGroup, QueryParser

        schema = fields.Schema(id=fields.ID(stored=True), body_en=fields.TEXT(StemmingAnalyzer()),
                               body_ru=fields.TEXT(StemmingAnalyzer()))
        self.ix = RamStorage().create_index(schema)
        with self.ix.writer() as writer:
            for i, v in docs:
                writer.add_document(id=i, **{f"body_{lang}": d.text for lang, d in v.items()})
        self.searcher = self.ix.searcher()
        self.parsers = {lang: QueryParser(f"body_{lang}", schema, group=OrGroup) for lang in LANGS}

    def search(self, q: str, lang: str) -> list[str]:
        parsed = self.parsers[lang].parse(" ".join(plain_words(q)))
        return [h["id"] for h in self.searcher.search(parsed, limit=10)]


class Tantivy:
    def __init__(self, root: Path, docs: list[tuple[str, dict[str, Doc]]]) -> None:
        import tantivy

        builder = tantivy.SchemaBuilder()
        builder.add_text_field("id", stored=True, tokenizer_name="raw")
        builder.add_text_field("body_en", stored=False, tokenizer_name="en_stem")
        builder.add_text_field("body_ru", stored=False, tokenizer_name="ru_stem")
        self.index = tantivy.Index(builder.build(), path=str(root))
        self.index.register_tokenizer("ru_stem", (
            tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
            .filter(tantivy.Filter.remove_long(40))
            .filter(tantivy.Filter.lowercase())
            .filter(tantivy.Filter.stemmer("russian"))
            .build()))
        writer = self.index.writer(heap_size=50_000_000, num_threads=1)
        for i, v in docs:
            writer.add_document(tantivy.Document(
                id=i, **{f"body_{lang}": d.text for lang, d in v.items()}))
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()
        self.searcher = self.index.searcher()

    def search(self, q: str, lang: str) -> list[str]:
        words = plain_words(q)
        if not words:
            return []
        parsed = self.index.parse_query(" ".join(words), [f"body_{lang}"])
        hits = self.searcher.search(parsed, limit=10, count=False).hits
        return [self.searcher.doc(address)["id"][0] for _score, address in hits]


# --- the run -----------------------------------------------------------------------------


def evaluate(search: Searcher, queries: dict[str, list[Query]]) -> tuple[dict, dict, float]:
    """Metrics per language, per-query reciprocal ranks, seconds taken."""
    started = time.perf_counter()
    metrics, per_query = {}, {}
    for lang, qs in queries.items():
        m = metrics[lang] = Metrics()
        for q in qs:
            per_query[lang, q.id] = m.add(search(q.text, lang), q.relevant)
    return metrics, per_query, time.perf_counter() - started


def paired(a: dict, b: dict, lang: str) -> str:
    keys = [k for k in a if k[0] == lang]
    diff = sum(a[k] - b[k] for k in keys) / len(keys)
    wins = sum(a[k] > b[k] for k in keys)
    losses = sum(a[k] < b[k] for k in keys)
    return f"{diff:+.3f} ({wins} better, {losses} worse)"


def diagnose(n: int, pressroom, per_query: dict, peer: dict, queries) -> None:
    """Print the questions Pressroom ranks worst relative to tantivy."""
    by_id = {(lang, q.id): q for lang, qs in queries.items() for q in qs}
    worst = sorted(per_query, key=lambda k: per_query[k] - peer[k])[:n]
    print(f"\nWorst {n} questions relative to tantivy (Pressroom RR vs tantivy RR):")
    for key in worst:
        q = by_id[key]
        page = pressroom.search(q.text, key[0])
        print(f"  [{key[0]}] {per_query[key]:.2f} vs {peer[key]:.2f}  {q.text}"
              f"  → top {page[:1]} want {sorted(q.relevant)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--quick", action="store_true", help="every 5th question only")
    parser.add_argument("--any", action="store_true",
                        help="also run Pressroom with the words OR-ed (doubles the run time)")
    parser.add_argument("--diagnose", type=int, default=0, metavar="N",
                        help="print the N questions where Pressroom trails tantivy most")
    args = parser.parse_args()
    data = check_data(args.data)
    docs = paragraphs(data)
    queries = {lang: load_queries(data, lang) for lang in LANGS}
    if args.quick:
        queries = {lang: qs[::5] for lang, qs in queries.items()}
    print(f"XQuAD: {len(docs)} bilingual releases, "
          + ", ".join(f"{len(qs)} {lang} questions" for lang, qs in queries.items()))

    results: dict[str, tuple[dict, dict, float, float]] = {}
    with tempfile.TemporaryDirectory(prefix="pressroom-relevance-") as tmp:
        started = time.perf_counter()
        pressroom = Pressroom(Path(tmp) / "pressroom", docs)
        built = time.perf_counter() - started
        results["pressroom"] = (*evaluate(pressroom.search, queries), built)
        if args.any:
            results["pressroom-any"] = (
                *evaluate(lambda q, lang: pressroom.search(q, lang, any_word=True), queries), 0.0)

        started = time.perf_counter()
        stock = WhooshStock(docs)
        results["whoosh-stock"] = (*evaluate(stock.search, queries),
                                   time.perf_counter() - started)
        started = time.perf_counter()
        (Path(tmp) / "tantivy").mkdir()
        tv = Tantivy(Path(tmp) / "tantivy", docs)
        results["tantivy"] = (*evaluate(tv.search, queries), time.perf_counter() - started)

        print(f"\n{'engine':22} {'lang':4} {METRICS_HEADER}  {'Δ MRR vs tantivy (paired)':32}"
              f" {'index s':>7} {'query s':>7}")
        peer = results["tantivy"][1]
        for name, (metrics, per_query, qsecs, isecs) in results.items():
            for lang in LANGS:
                vs = "" if name == "tantivy" else paired(per_query, peer, lang)
                print(f"{name:22} {lang:4} {metrics[lang].row()}  {vs:32} {isecs:7.1f}"
                      f" {qsecs:7.1f}")
        print("\nPressroom query modes used (lang:mode → questions): "
              + ", ".join(f"{k} {v}" for k, v in sorted(pressroom.modes.items())))
        first = next(iter(results))
        ru, en = (results[first][0][lang].mrr10 for lang in ("ru", "en"))
        beats = all(results[first][0][lang].mrr10 > results[p][0][lang].mrr10
                    for p in ("tantivy", "whoosh-stock") for lang in LANGS)
        ok = ru >= 0.95 and en >= 0.96 and beats
        print(f"\nAcceptance (ru MRR@10 ≥ 0.95, en ≥ 0.96, ahead of both peers): "
              f"{'PASS' if ok else 'FAIL'}  (ru {ru:.3f}, en {en:.3f})")
        if args.diagnose:
            diagnose(args.diagnose, pressroom, results[first][1], peer, queries)
        pressroom.archive.close()
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
