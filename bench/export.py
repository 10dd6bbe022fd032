"""Export throughput: a whole result set written as CSV (and the other formats), releases/s.

    python bench/export.py [--n 20000] [--corpus FILE] [--index DIR] [--formats csv,...] [--reps R]

The corpus is the peers' generated one (``bench/indexing.py`` finds or makes
/tmp/gen<N>.jsonl); it is indexed once with ``Store.add_releases`` into
``--index`` (default /tmp/pressroom-bench-export-<N>, reused when it already
holds N releases).  Each run exports every release (the empty query, newest
first: the same path as any search, without a result window) and a query that
matches ~97 % of them (``BROAD_QUERY``), by relevance, through ``search.export.export_chunks``,
writing the bytes to /dev/null.  The clock covers finding the matches, reading
every release's stored fields and writing the file.  Target: >= 2,000 releases/s
for CSV on the 20,000-release corpus.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import tracemalloc
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.indexing import corpus_for, read_records, to_release  # noqa: E402

TARGET_RATE = 2000
BASE_URL = "https://pressroom.example"
#: Words of the generated corpus's Russian texts: an OR matching ~97 % of it, by relevance.
BROAD_QUERY = "год OR также OR время"


def ensure_index(corpus: Path, n: int, root: Path) -> Path:
    from search import Archive

    if (root / "CURRENT").exists():
        with Archive(root) as archive:
            if archive.release_count() == n:
                return root
    from indexer.store import Store

    releases = [to_release(r) for r in read_records(corpus, n)]
    started = time.perf_counter()
    summary = Store(root).add_releases(releases)
    print(f"indexed {summary.added} releases in {time.perf_counter() - started:.1f} s",
          file=sys.stderr, flush=True)
    return root


def run_export(archive, request, fmt: str, text: bool) -> dict:
    from search.export import export_chunks

    started = time.perf_counter()
    cpu = time.process_time()
    size = 0
    with open(os.devnull, "w", encoding="utf-8") as sink:
        for chunk in export_chunks(archive, request, fmt, BASE_URL, text):
            sink.write(chunk)
            size += len(chunk.encode("utf-8"))
    seconds = time.perf_counter() - started
    total = archive.all_matches(request)[2].total
    return {"format": fmt, "text": text, "q": request.q, "releases": total,
            "seconds": round(seconds, 3), "cpu_seconds": round(time.process_time() - cpu, 3),
            "rate": round(total / seconds), "mb": round(size / 1e6, 1)}


def peak_memory(archive, request, fmt: str) -> float:
    """Peak traced Python memory (MB) while exporting: flat, whatever the number of matches."""
    from search.export import export_chunks

    tracemalloc.start()
    for _ in export_chunks(archive, request, fmt, BASE_URL, False):
        pass
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return round(peak / 1e6, 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20000)
    parser.add_argument("--corpus", type=Path, default=None)
    parser.add_argument("--index", type=Path, default=None)
    parser.add_argument("--formats", default="csv,jsonl,ris,bibtex")
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args()

    from search import Archive, SearchRequest

    corpus = args.corpus or corpus_for(args.n)
    root = ensure_index(corpus, args.n,
                        args.index or Path(f"/tmp/pressroom-bench-export-{args.n}"))
    requests = [SearchRequest(sort="newest"), SearchRequest(q=BROAD_QUERY)]
    results = []
    with Archive(root, time_limit=120) as archive:
        archive.search(requests[0])  # tables built once, as in a running service
        for fmt in args.formats.split(","):
            for request in requests:
                best = max((run_export(archive, request, fmt, False) for _ in range(args.reps)),
                           key=lambda r: r["rate"])
                results.append(best)
                print(json.dumps(best, ensure_ascii=False), flush=True)
        csv_text = run_export(archive, requests[0], "csv", True)
        print(json.dumps(csv_text, ensure_ascii=False), flush=True)
        half = SearchRequest(sort="newest", per_page=1).replace(
            date_to=_median_date(archive, requests[0]))
        print(f"peak traced memory, CSV of all {args.n}: {peak_memory(archive, requests[0], 'csv')}"
              f" MB; of about half: {peak_memory(archive, half, 'csv')} MB")
    csv_rate = min(r["rate"] for r in results if r["format"] == "csv" and r["releases"])
    verdict = "meets" if csv_rate >= TARGET_RATE else "MISSES"
    print(f"\nCSV export: {csv_rate:,} releases/s at the slower of the two searches "
          f"({verdict} the target of {TARGET_RATE:,}/s)")


def _median_date(archive, request):
    import datetime as dt

    from indexer.codec.readers import stored_fields

    searcher, order, _ = archive.all_matches(request)
    return dt.date.fromisoformat(stored_fields(searcher, int(order[len(order) // 2]))["date"])


if __name__ == "__main__":
    main()
