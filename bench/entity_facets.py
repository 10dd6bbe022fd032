"""What the country, org and person facets (issue 13) add to a search page.

    python bench/entity_facets.py [--docs 20000] [--countries 6] [--orgs 2] [--people 4]
                                  [--distinct-people 5000] [--rounds 50]

A synthetic facet table (no Whoosh: ``search.facets.DocTable`` filled directly)
of ``--docs`` releases, each naming on average that many countries,
organisations and people (Zipf-like: a few are everywhere, most are rare), is
counted the way a search page counts it: all matches, every filter but the
facet's own, the 20 most frequent values kept and labelled (countries and
organisations from the gazetteer, people by id: their stored names are read
once per value and generation, not per page).  Prints milliseconds per page for
the three facets together, for a browse of everything and for a page filtered
by a country and a person.  Figures only; the suite never times anything.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from search import entities  # noqa: E402
from search import facets as fc  # noqa: E402
from search.request import SearchRequest  # noqa: E402

COUNTRY_CODES = "AZ RU AM IR TR GE US FR DE GB CN UA KZ UZ TM IT ES PL JP IN".split()


def synthetic_table(docs: int, per_doc: dict[str, float], distinct: dict[str, list[str]],
                    seed: int = 1) -> fc.DocTable:
    rng = np.random.default_rng(seed)
    live = np.ones(docs, dtype=bool)
    postings: dict[str, dict[str, np.ndarray]] = {}
    for kind, values in distinct.items():
        weights = 1.0 / np.arange(1, len(values) + 1)  # Zipf: rank r named 1/r as often
        weights /= weights.sum()
        counts = rng.poisson(per_doc[kind], size=docs)
        masks = {v: np.zeros(docs, dtype=bool) for v in values}
        for doc, n in enumerate(counts.tolist()):
            for index in rng.choice(len(values), size=min(n, len(values)), replace=False,
                                    p=weights):
                masks[values[index]][doc] = True
        postings[kind] = {v: m for v, m in masks.items() if m.any()}
    years = rng.integers(2008, 2026, size=docs)
    postings["year"] = {str(y): years == y for y in np.unique(years).tolist()}
    dates = np.array([f"{y}-01-01" for y in years.tolist()], dtype=str)
    chronological = np.argsort(dates, kind="stable").astype(np.int64)
    return fc.DocTable(docs, live, postings, dates, chronological,
                       {name: fc._pairs(values) for name, values in postings.items()})


def page_ms(table: fc.DocTable, request: SearchRequest, rounds: int) -> list[float]:
    filters = fc.FilterSets.of(table, request)
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        for kind in entities.KINDS:
            entities.entity_facet(kind, table, filters, table.live, request, None)
        times.append((time.perf_counter() - started) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=20000)
    parser.add_argument("--countries", type=float, default=6.0)
    parser.add_argument("--orgs", type=float, default=2.0)
    parser.add_argument("--people", type=float, default=4.0)
    parser.add_argument("--distinct-people", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=50)
    args = parser.parse_args()
    gaz = entities.gazetteer()
    countries = ([e.id for e in gaz.entities("country")] if gaz else COUNTRY_CODES)
    orgs = [e.id for e in gaz.entities("org")] if gaz else ["osce", "un", "eu", "nato"]
    people = [f"person-{i}" for i in range(args.distinct_people)]
    started = time.perf_counter()
    table = synthetic_table(args.docs, {"country": args.countries, "org": args.orgs,
                                        "person": args.people},
                            {"country": countries, "org": orgs, "person": people})
    built = time.perf_counter() - started
    pairs = sum(len(table.pairs[k][1]) for k in entities.KINDS)
    print(f"{args.docs} releases, {pairs} (release, entity) pairs; table built in {built:.1f} s")
    for name, request in (
        ("browse, no filter", SearchRequest()),
        ("country=AZ&person=person-3", SearchRequest(countries=("AZ",), people=("person-3",))),
    ):
        page_ms(table, request, 3)  # warm-up: labels, caches
        times = sorted(page_ms(table, request, args.rounds))
        p95 = times[int(len(times) * 0.95) - 1]
        print(f"  {name:32} three entity facets: median {statistics.median(times):.2f} ms, "
              f"p95 {p95:.2f} ms over {args.rounds} pages")


if __name__ == "__main__":
    main()
