"""Names across scripts on XQuAD (issue 12): cross-script retrieval and false conflation.

    PYTHONPATH=. .venv/bin/python bench/names.py [--data DIR] [--variants] [--candidates]

Every XQuAD paragraph is indexed in ONE language only, alternately English and
Russian.  Each paragraph is then searched by the names of its translation in the
other language, spelled as that translation spells them (the name detector of
``indexer.names`` picks them, as it picks a release's names): Russian names
find an English-only paragraph (ru→en), English names a Russian-only one (en→ru).
The query is the names joined by OR, restricted to the target's language
(``lang=``), so that the paragraphs indexed in the query's own language, which
share the article's names as written, do not compete; ``--unrestricted`` drops
the restriction.  Prints MRR@10, R@1 and R@10 per direction.

False conflation:
  - pairs: over the distinct names of the corpus in one script (Latin: distinct
    lower-case spellings; Cyrillic: distinct first lemmas), the share of pairs of
    different names that share a key, with examples;
  - same-script queries: every name of the corpus searched in its own script over
    the paragraphs indexed in both languages, with and without the key; a query
    whose top 10 holds fewer paragraphs that contain the name as typed, or holds
    them lower (DCG), got worse.

``--variants`` repeats the cross-script figures and the pair share with one fold
of ``indexer.names.folding`` left out at a time (the design choices they decided);
``--candidates`` prints how capitalised Russian words were classed (``MIN_NAME_SCORE``).
"""

from __future__ import annotations

import argparse
import math
import re
import tempfile
import time
from collections import Counter, defaultdict
from itertools import combinations
from pathlib import Path

from common import DEFAULT_DATA, METRICS_HEADER, Doc, Metrics, check_data, load_corpus

LANGS = ("en", "ru")
OTHER = {"en": "ru", "ru": "en"}


def paragraphs(data: Path) -> list[tuple[str, dict[str, Doc]]]:
    by_lang = {lang: {d.id: d for d in load_corpus(data, lang)} for lang in LANGS}
    return [(i, {lang: by_lang[lang][i] for lang in LANGS}) for i in by_lang["en"]
            if i in by_lang["ru"]]


def clear_caches() -> None:
    """Forget every remembered key (after a fold rule changed)."""
    from indexer.names import analysis, countries, keys, romanising

    for fn in (keys._name_keys, keys._russian_reading, romanising.russian_keys,
               countries._country_key, countries._phrase_keys, analysis.candidates,
               analysis.keys_of, analysis._is_name, analysis._spelling_terms):
        fn.cache_clear()


def names_of(text: str) -> list[str]:
    """The distinct names of a text, in order, as the index's detector finds them."""
    from indexer.names.analysis import name_words

    return list(dict.fromkeys(name_words(text)))


def build(root: Path, docs: list[tuple[str, dict[str, Doc]]], one_language: bool):
    from indexer.release import Release, Version
    from indexer.store import Store
    from search import Archive

    releases = []
    for n, (i, versions) in enumerate(docs):
        langs = [LANGS[n % 2]] if one_language else list(LANGS)
        releases.append(Release(versions={lang: Version(lang, "", versions[lang].text)
                                          for lang in langs}, id=i))
    summary = Store(root).add_releases(releases)
    if not summary.ok:
        raise SystemExit(f"indexing failed: {summary.report()}")
    return Archive(root)


def search(archive, q: str, lang: str | None) -> list[str]:
    from search import SearchRequest

    params = {"q": q, "per_page": "10"}
    if lang:
        params["lang"] = lang
    return [h["id"] for h in archive.search(SearchRequest.from_params(params)).hits]


def cross_script(docs, restricted: bool) -> dict[str, Metrics]:
    """MRR@10 per direction ("ru→en": Russian names find English-only paragraphs)."""
    with tempfile.TemporaryDirectory(prefix="names-bench-") as tmp:
        archive = build(Path(tmp), docs, one_language=True)
        metrics = {f"{OTHER[lang]}→{lang}": Metrics() for lang in LANGS}
        with archive:
            for n, (i, versions) in enumerate(docs):
                lang = LANGS[n % 2]
                names = names_of(versions[OTHER[lang]].text)
                m = metrics[f"{OTHER[lang]}→{lang}"]
                if not names:
                    continue  # nothing to search by
                ranked = search(archive, " OR ".join(names), lang if restricted else None)
                m.add(ranked, frozenset({i}))
    return metrics


def distinct_names(docs) -> dict[str, dict[str, str]]:
    """script → {identity: spelling} over the names of both languages: Latin names by
    lower-case spelling without diacritics ("Amazonía" is "Amazonia"), Cyrillic names
    by first lemma (two spellings with one lemma are one name).  Pairs are compared
    within a script only: across scripts, telling the same name from another needs
    a human (tests/golden/names.txt)."""
    import unicodedata

    from indexer.analysis import script_of
    from indexer.names.keys import russian_lemmas

    out: dict[str, dict[str, str]] = {"latn": {}, "cyrl": {}}
    for _, versions in docs:
        for lang in LANGS:
            for word in names_of(versions[lang].text):
                lower = word.lower().replace("ё", "е")
                script = script_of(lower)
                if script == "latn":
                    plain = "".join(ch for ch in unicodedata.normalize("NFKD", lower)
                                    if not unicodedata.combining(ch))
                    out["latn"].setdefault(plain, word)
                elif script == "cyrl":
                    out["cyrl"].setdefault(russian_lemmas(lower)[0].replace("ё", "е"), word)
    return out


def conflated_pairs(names: dict[str, str]) -> tuple[int, list[tuple[str, str]]]:
    """(pairs of different names, those sharing a key)."""
    from indexer.names import name_keys

    by_key: dict[str, set[str]] = defaultdict(set)
    for identity, word in names.items():
        for key in name_keys(word):
            by_key[key].add(identity)
    shared = set()
    for members in by_key.values():
        shared.update(combinations(sorted(members), 2))
    n = len(names)
    return n * (n - 1) // 2, sorted((names[a], names[b]) for a, b in shared)


def pair_figures(docs, show: int) -> None:
    for script, names in distinct_names(docs).items():
        total, shared = conflated_pairs(names)
        share = len(shared) / total if total else 0.0
        print(f"  {script}: {len(names):,} names, {total:,} pairs, {len(shared)} share a key "
              f"({share * 1e6:.1f} ppm)")
        if show:
            print("    e.g. " + "; ".join(f"{a}={b}" for a, b in shared[:show]))


def dcg(ranked: list[str], relevant: set[str]) -> float:
    return sum(1 / math.log2(r + 1) for r, d in enumerate(ranked[:10], 1) if d in relevant)


def same_script(docs, limit: int) -> None:
    """Same-script name queries with and without the key: how many got worse."""
    import search.names as sn

    texts = {i: {lang: d.text.lower().replace("ё", "е") for lang, d in v.items()}
             for i, v in docs}
    queries = Counter()
    for _, versions in docs:
        for lang in LANGS:
            for word in names_of(versions[lang].text):
                queries[(word, lang)] += 1
    chosen = sorted(queries)[:limit] if limit else sorted(queries)
    original = sn.NameAlternatives.query
    with tempfile.TemporaryDirectory(prefix="names-bench-") as tmp:
        archive = build(Path(tmp), docs, one_language=False)
        with archive:
            worse = better = changed = 0
            examples = []
            for word, lang in chosen:
                pattern = re.compile(rf"(?<!\w){re.escape(word.lower().replace('ё', 'е'))}(?!\w)")
                relevant = {i for i, t in texts.items() if pattern.search(t[lang])}
                with_key = search(archive, word, None)
                sn.NameAlternatives.query = lambda self, atom, field_langs: None
                try:
                    without = search(archive, word, None)
                finally:
                    sn.NameAlternatives.query = original
                if with_key == without:
                    continue
                changed += 1
                a, b = dcg(with_key, relevant), dcg(without, relevant)
                if a < b - 1e-9:
                    worse += 1
                    examples.append(word)
                elif a > b + 1e-9:
                    better += 1
    n = len(chosen)
    print(f"  {n:,} same-script name queries: top 10 changed {changed} ({changed / n:.1%}), "
          f"worse {worse} ({worse / n:.1%}), better {better} ({better / n:.1%})")
    if examples:
        print("    worse: " + ", ".join(examples[:15]))


def print_cross(docs, label: str, restricted: bool = True) -> None:
    metrics = cross_script(docs, restricted)
    for direction, m in metrics.items():
        print(f"{label:<24} {direction:<6} {m.n:>5} {m.row()}")




def variants(docs) -> None:
    """The cross-script figures and pair shares with one fold left out at a time."""
    from indexer.names import folding

    rules = folding._RULES
    for label, pattern in (("without a/e", "e"), ("without g/h", "g"),
                           ("without ye/e", "(^|[aeiou])ie")):
        folding._RULES = tuple(r for r in rules if r[0].pattern != pattern)
        clear_caches()
        try:
            print_cross(docs, label)
            pair_figures(docs, 0)
        finally:
            folding._RULES = rules
            clear_caches()


def candidates_report(docs) -> None:
    """How capitalised Russian words were classed, and how often a common word let in
    (capitalised inside a sentence, no name reading) meets a Latin name of the corpus
    through its key: the "Мир" = "Mir" accidents."""
    from indexer.analysis import shared_morph_analyzer
    from indexer.names.analysis import candidates, keys_of
    from indexer.names.keys import MIN_NAME_SCORE, _russian_reading, is_name_candidate

    reasons: Counter = Counter()
    common: Counter = Counter()
    latin_keys: dict[str, str] = {}
    for _, versions in docs:
        for word in names_of(versions["en"].text):
            for key in keys_of(word):
                latin_keys.setdefault(key, word)
        for word, _, _, _, initial in candidates(versions["ru"].text):
            if not re.match("[А-ЯЁ]", word):
                continue
            lower = word.lower().replace("ё", "е")
            _, named, _ = _russian_reading(lower)
            known = shared_morph_analyzer().word_is_known(lower)
            if not is_name_candidate(word, initial=initial):
                reasons["dropped (sentence start, no name reading)"] += 1
            elif named and known:
                reasons[f"name reading ≥ {MIN_NAME_SCORE}"] += 1
            elif not known:
                reasons["unknown to the dictionary"] += 1
            else:
                reasons["common word inside a sentence"] += 1
                common[word] += 1
    print("capitalised Russian words of the XQuAD paragraphs:")
    for reason, n in reasons.most_common():
        print(f"  {reason}: {n:,}")
    accidents = {w: latin_keys[k] for w in common for k in keys_of(w) if k in latin_keys}
    print(f"  common words let in: {len(common):,} distinct; meeting a Latin name of the corpus "
          f"by key: {len(accidents)} ({len(accidents) / max(1, len(common)):.1%})")
    print("    " + ", ".join(f"{w}={latin}" for w, latin in sorted(accidents.items())[:20]))
    print("  most frequent common words let in: "
          + ", ".join(f"{w} {n}" for w, n in common.most_common(15)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--variants", action="store_true")
    parser.add_argument("--candidates", action="store_true")
    parser.add_argument("--unrestricted", action="store_true")
    parser.add_argument("--name-boost", type=float, default=None,
                        help="weight of the key alternative (search.names.NAME_BOOST)")
    parser.add_argument("--same-script-limit", type=int, default=0,
                        help="ask only the first N same-script name queries (0: all)")
    args = parser.parse_args()
    docs = paragraphs(check_data(args.data))
    if args.name_boost is not None:
        import search.names

        search.names.NAME_BOOST = args.name_boost
    started = time.monotonic()
    import search.names

    print(f"XQuAD: {len(docs)} paragraphs, each indexed in one language (alternately en, ru); "
          f"NAME_BOOST {search.names.NAME_BOOST}")
    print(f"{'':<24} {'dir':<6} {'n':>5} {METRICS_HEADER}")
    print_cross(docs, "names, lang-restricted")
    if args.unrestricted:
        print_cross(docs, "names, all languages", restricted=False)
    print("false conflation, pairs of different names sharing a key:")
    pair_figures(docs, 12)
    print("false conflation, same-script queries:")
    same_script(docs, args.same_script_limit)
    if args.variants:
        variants(docs)
    if args.candidates:
        candidates_report(docs)
    print(f"({time.monotonic() - started:.0f} s)")


if __name__ == "__main__":
    main()
