"""A reproducible "archive search box" query mix, drawn from a generated corpus.

    python bench/querymix.py [--corpus FILE] [--n-records 1000] [--count 300] [--seed 5]
                             [--out bench/queries-mix.tsv]

What people type into an archive search box: one to three words, in English or
in Russian, in the forms the words take in the text (Russian words are taken
inflected, as they appear; English words too: "sequenced", "membranes").
About 20 % are two-word phrases that occur adjacent in the corpus, about 30 %
carry one filter (language, topic or a date range), and words are drawn from
three frequency bands: very common, middling and rare.  Multi-word queries take
their words from one release, so most of them match something; a few mix words
of two releases, which may match nothing (as real queries do).

The TSV has a header and the columns ``q``, ``lang``, ``topic``, ``from``,
``to``; empty means no filter.  ``topic`` is the slug of the corpus topic (see
``topic_slug``).  Same corpus + seed give the same file.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE / "queries-mix.tsv"
DEFAULT_CORPUS = Path("/tmp/gen2000.jsonl")

WORD = {
    "en": re.compile(r"[A-Za-z]+(?:'[a-z]+)?"),
    "ru": re.compile(r"[А-Яа-яЁё]+"),
}
# Two words separated by one space only (no punctuation between them).
PAIR = {
    "en": re.compile(r"\b([a-z]+) (?=([a-z]+)\b)"),
    "ru": re.compile(r"(?<![а-яё])([а-яё]+) (?=([а-яё]+)(?![а-яё]))"),
}
# Words nobody types alone into a search box.
STOP = {
    "en": set("the a an and or of to in on at by for with from as is are was were be been "
              "it its this that these those which who whom what when where how than then "
              "but not no also has have had he she they his her their there such into "
              "over after before about between during while can could would should may "
              "most more some other all one two them only many very".split()),
    "ru": set("и в во на не что как по с со к о об от до из за для а но или же ли бы "
              "это этот эта эти тот та те то был была были было быть он она они его её их "
              "который которая которые которых также так уже при под над через между "
              "после перед чем где когда".split()),
}


def topic_slug(topic: str) -> str:
    """The corpus topic ("Fresno,_California") as a taxonomy-style slug."""
    return re.sub(r"[^a-z0-9]+", "-", topic.lower()).strip("-") or "topic"


@dataclass(frozen=True)
class MixQuery:
    q: str
    lang: str = ""
    topic: str = ""
    date_from: str = ""
    date_to: str = ""

    @property
    def is_phrase(self) -> bool:
        return self.q.startswith('"')

    def words(self) -> list[str]:
        return self.q.strip('"').split()

    def params(self) -> dict[str, list[str]]:
        """Pressroom's query-string parameters."""
        out: dict[str, list[str]] = {"q": [self.q]}
        if self.lang:
            out["lang"] = [self.lang]
        if self.topic:
            out["topic"] = [self.topic]
        if self.date_from:
            out["from"] = [self.date_from]
        if self.date_to:
            out["to"] = [self.date_to]
        return out

    def word_lang(self) -> str:
        return "ru" if re.search("[А-Яа-яЁё]", self.q) else "en"


def read_records(corpus: Path, n: int) -> list[dict]:
    out = []
    with corpus.open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                out.append(json.loads(line))
                if len(out) == n:
                    break
    return out


def tokens(text: str, lang: str) -> list[str]:
    return [w.lower() for w in WORD[lang].findall(text)]


def content(words: list[str], lang: str) -> list[str]:
    return [w for w in words if len(w) >= 4 and w not in STOP[lang]]


def frequency_bands(docs: dict[str, list[list[str]]], n: int) -> dict[str, dict[str, list[str]]]:
    """Per language, the content words of ``n`` releases by document frequency:
    common, middle and rare."""
    df: dict[str, Counter] = {}
    bands: dict[str, dict[str, list[str]]] = {}
    for lang in ("en", "ru"):
        df[lang] = Counter(w for words in docs[lang] for w in set(content(words, lang)))
        ranked = sorted(df[lang], key=lambda w: (-df[lang][w], w))
        bands[lang] = {
            "common": [w for w in ranked if df[lang][w] >= 0.15 * n],
            "middle": [w for w in ranked if 0.01 * n <= df[lang][w] < 0.15 * n],
            "rare": [w for w in ranked if df[lang][w] <= max(2, 0.002 * n)],
        }
    return bands


def generate(records: list[dict], count: int, seed: int) -> list[MixQuery]:
    rng = random.Random(seed)
    docs = {lang: [tokens(r[f"title_{lang}"] + " " + r[f"body_{lang}"], lang) for r in records]
            for lang in ("en", "ru")}
    bands = frequency_bands(docs, len(records))
    years = sorted({r["year"] for r in records})
    out: list[MixQuery] = []
    seen: set[str] = set()
    while len(out) < count:
        lang = rng.choice(("en", "ru"))
        i = rng.randrange(len(records))
        words = docs[lang][i]
        roll = rng.random()
        if roll < 0.2:  # an adjacent pair from the text, as a phrase
            text = records[i][f"body_{lang}"].lower()
            pairs = [(m[1], m[2]) for m in PAIR[lang].finditer(text)
                     if len(m[1]) >= 3 and len(m[2]) >= 3
                     and (m[1] not in STOP[lang] or m[2] not in STOP[lang])]
            if not pairs:
                continue
            q = '"{} {}"'.format(*rng.choice(pairs))
        else:
            k = rng.choices((1, 2, 3), weights=(45, 35, 20))[0]
            band = rng.choices(("common", "middle", "rare"), weights=(35, 45, 20))[0]
            if k == 1:
                q = rng.choice(bands[lang][band])
            else:
                own = content(words, lang)
                if band == "rare" or rng.random() < 0.1:  # words of two releases
                    own = own + content(docs[lang][rng.randrange(len(records))], lang)
                own = sorted(set(own))
                if len(own) < k:
                    continue
                q = " ".join(rng.sample(own, k))
        if q in seen:
            continue
        seen.add(q)
        query = MixQuery(q)
        if rng.random() < 0.3:
            kind = rng.choice(("lang", "topic", "date"))
            if kind == "lang":
                query = MixQuery(q, lang=lang)
            elif kind == "topic":
                query = MixQuery(q, topic=topic_slug(records[i]["topic"]))
            else:
                start = rng.choice(years)
                end = min(years[-1], start + rng.choice((0, 1, 2, 4)))
                query = MixQuery(q, date_from=dt.date(start, 1, 1).isoformat(),
                                 date_to=dt.date(end, 12, 31).isoformat())
        out.append(query)
    return out


def save(queries: list[MixQuery], path: Path) -> None:
    rows = [("q", "lang", "topic", "from", "to")]
    rows += [(q.q, q.lang, q.topic, q.date_from, q.date_to) for q in queries]
    path.write_text("".join("\t".join(row) + "\n" for row in rows), encoding="utf-8")


def load(path: Path = DEFAULT_OUT) -> list[MixQuery]:
    with path.open(encoding="utf-8") as f:
        lines = f.read().splitlines()
    out = []
    for line in lines[1:]:
        if line.strip():
            q, lang, topic, date_from, date_to = line.split("\t")
            out.append(MixQuery(q, lang, topic, date_from, date_to))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--n-records", type=int, default=1000)
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    queries = generate(read_records(args.corpus, args.n_records), args.count, args.seed)
    save(queries, args.out)
    phrases = sum(q.is_phrase for q in queries)
    filtered = sum(bool(q.lang or q.topic or q.date_from) for q in queries)
    ru = sum(q.word_lang() == "ru" for q in queries)
    print(f"{len(queries)} queries -> {args.out}: {phrases} phrases, {filtered} filtered, "
          f"{ru} Russian")


if __name__ == "__main__":
    main()
