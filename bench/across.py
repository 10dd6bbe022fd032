"""How often a plain AND is met only across the two versions of a release.

    PYTHONPATH=. python bench/across.py --index DIR [--queries bench/queries-mix.tsv]

For each query (the ``q`` column, filters ignored) prints nothing; at the end:
queries, queries with a hit matched only across versions, hits, such hits.
A hit is "across" when no single language's fields match the whole query
(the language facet's ``across`` entry, see docs/search-contract.md).
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

from search import Archive, SearchRequest

EXTRA = ["Lavrov каспийском", "Mammadyarov переговоры", "Caspian море", "визит Baku",
         "это public сша"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", required=True, type=Path)
    parser.add_argument("--queries", type=Path, default=Path("bench/queries-mix.tsv"))
    args = parser.parse_args()
    with args.queries.open(encoding="utf-8") as f:
        queries = [row["q"] for row in csv.DictReader(f, delimiter="\t") if row["q"]]
    queries += EXTRA
    with Archive(args.index) as archive:
        with_across = hits = across = 0
        for q in queries:
            page = archive.search(SearchRequest(q=q, per_page=1))
            n = sum(v["count"] for v in page.facets.get("language", []) if v["value"] == "across")
            hits += page.total
            across += n
            with_across += bool(n)
            if n:
                print(f"  {q!r}: {n} of {page.total} hits across versions only")
    print(f"queries {len(queries)}, with an across-only hit {with_across}; "
          f"hits {hits}, across-only {across} ({100 * across / max(1, hits):.2f} %)")


if __name__ == "__main__":
    main()
