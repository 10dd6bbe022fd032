"""Entity tagging (issue 13): precision and recall per type against the golden file.

    python bench/entities.py [--golden tests/golden/entities.toml] [--errors] [--news]

Tags every release of the sample corpus (samples/) and the seed release
(../shared/seed, when present) with the bundled gazetteer and the people
tagger, and compares them with the hand annotations of tests/golden/entities.toml
(see its guidelines).  Prints, per type (countries, orgs, people): precision,
recall, and the counts behind them; ``--errors`` lists every missed and every
wrong value.  Also the tagging time per release (warm, after a first pass).

``--news``: the same on a held-out set, twelve real news articles of
../shared/data/news (tests/golden/entities-news.toml: countries and people),
annotated after the tagger was written and never used to tune it.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from common import REPO, shared_folder

from indexer.entities import tag_release
from indexer.entities.evaluation import TYPES, read_golden, score
from indexer.gazetteer import load_gazetteer
from indexer.inputs.sources import find_input_files, read_releases
from indexer.release import Release, Version

GOLDEN = REPO / "tests" / "golden" / "entities.toml"
NEWS_GOLDEN = REPO / "tests" / "golden" / "entities-news.toml"
NEWS = shared_folder() / "data" / "news" / "wmt_news_en_ru_docs.jsonl"
TARGETS = {"countries": (0.90, 0.90), "orgs": (0.90, 0.90), "people": (0.85, 0.80)}


def corpus() -> list[Release]:
    """The sample releases, and the seed when ../shared has it."""
    files = list(find_input_files([REPO / "samples"]))
    seed = shared_folder() / "seed" / "release-332-17.txt"
    if seed.is_file():
        files.append(seed)
    return [release for path in files for release in read_releases(path)]


def news(wanted: set[str]) -> list[Release]:
    """The annotated news articles as releases (English and Russian versions)."""
    releases = []
    for line in NEWS.read_text(encoding="utf-8").splitlines():
        doc = json.loads(line)
        if doc["id"] in wanted:
            versions = {lang: Version(lang, doc[f"title_{lang}"], doc[f"text_{lang}"])
                        for lang in ("en", "ru")}
            releases.append(Release(versions=versions, id=doc["id"]))
    return releases


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--golden", type=Path, default=GOLDEN)
    parser.add_argument("--errors", action="store_true", help="list each miss and wrong value")
    parser.add_argument("--news", action="store_true",
                        help="the held-out news articles (../shared/data/news) instead")
    args = parser.parse_args()
    if args.news:
        golden = read_golden(NEWS_GOLDEN)
        releases = news(set(golden))
    else:
        golden = read_golden(args.golden)
        releases = [r for r in corpus() if r.id in golden]
    gazetteer = load_gazetteer()
    started = time.perf_counter()
    results = [(r, tag_release(r, gazetteer)) for r in releases]
    cold = time.perf_counter() - started
    started = time.perf_counter()
    for release in releases:
        tag_release(release, gazetteer)
    warm = time.perf_counter() - started
    scores = score(golden, results)
    print(f"releases: {len(releases)} annotated and tagged (golden file: {len(golden)})")
    print(f"{'type':<10} {'precision':>9} {'recall':>7} {'TP':>5} {'FP':>5} {'FN':>5}  target")
    for kind in TYPES:
        if args.news and kind == "orgs":
            continue  # not annotated there
        s = scores[kind]
        p, r = TARGETS[kind]
        ok = "PASS" if s.precision >= p and s.recall >= r else "FAIL"
        print(f"{kind:<10} {s.precision:>9.3f} {s.recall:>7.3f} {s.true_positive:>5} "
              f"{s.false_positive:>5} {s.false_negative:>5}  P>={p} R>={r} {ok}")
    print(f"tagging: {cold / len(releases) * 1000:.1f} ms/release first pass (models and "
          f"caches loading), {warm / len(releases) * 1000:.2f} ms/release warm")
    if args.errors:
        for kind in TYPES:
            for rid, value in scores[kind].missed:
                print(f"missed {kind:<9} {rid:<14} {value}")
            for rid, value in scores[kind].wrong:
                print(f"wrong  {kind:<9} {rid:<14} {value}")


if __name__ == "__main__":
    main()
