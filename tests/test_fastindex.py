"""BilingualText.index must give exactly the postings of whoosh.fields.TEXT.index."""

from __future__ import annotations

import pickle
import random
from pathlib import Path

import pytest
from whoosh import fields

from indexer.analysis import BilingualAnalyzer, PlainAnalyzer
from indexer.fastindex import BilingualText, encode_positions

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden"

TRICKY = [
    "",
    "   ",
    "и в на the of a",
    "The North-South corridor's 332/17 agreement; Azerbaijan’s North‐South, O'Neil-Smith.",
    "Её объём ещё вырос: армяно-азербайджанского из-за из-за-за 2017-2018 гг.",
    "a-b-c-d the-of и-в 1/2/3 x'y's it's ’s 's- -",
    "Ёлка ёлки ЕЩЁ её ЕЁ ещё",
    "İstanbul ı i̇ Ǆ ß STRASSE Straße",
    "one two three один два три",
    "word_with_underscores __ _a_ a_b",
    "ПРЕСС-РЕЛИЗ № 332/17 от 24.07.2014 — МИД Азербайджана и Армении.",
]


def sample_texts() -> list[str]:
    texts = list(TRICKY)
    for name in ("ru_lemmas.txt", "en_stems.txt", "mixed.txt"):
        for line in (GOLDEN / name).read_text(encoding="utf-8").splitlines():
            if line and not line.startswith("#"):
                texts.append(line.split("|", 1)[0])
    for path in sorted((ROOT / "samples").rglob("*")):
        if path.is_file() and path.suffix in {".txt", ".jsonl", ".html", ".md"}:
            texts.append(path.read_text(encoding="utf-8", errors="replace"))
    return texts


def random_texts(n: int = 200, seed: int = 5) -> list[str]:
    rng = random.Random(seed)
    words = "\n".join(sample_texts()).split()
    pieces = ["-", "/", "'", "’", "‐", " ", ",", "ё", "Ё", "_", "1", "the", "и", "в"]
    out = []
    for _ in range(n):
        parts = []
        for _ in range(rng.randint(0, 60)):
            parts.append(rng.choice(words) if rng.random() < 0.8 else rng.choice(pieces))
            parts.append(rng.choice(["", " ", " ", "-", "/", "'", ", "]))
        out.append("".join(parts))
    return out


def postings(field: fields.FieldType, text: str) -> list[tuple]:
    items = list(field.index(text))
    return sorted(items), sum(freq for _, freq, _, _ in items)


@pytest.fixture(scope="module", params=["bilingual", "plain", "bilingual-best", "boosted"])
def pair(request):
    ana = {
        "bilingual": BilingualAnalyzer,
        "plain": PlainAnalyzer,
        "bilingual-best": lambda: BilingualAnalyzer(lemma_mode="best", surface=False),
        "boosted": BilingualAnalyzer,
    }[request.param]()
    boost = 2.5 if request.param == "boosted" else 1.0
    return (fields.TEXT(analyzer=ana, stored=True, field_boost=boost),
            BilingualText(analyzer=ana, stored=True, field_boost=boost))


def test_same_postings_as_text(pair):
    stock, fast = pair
    for text in sample_texts() + random_texts():
        assert postings(fast, text) == postings(stock, text), text[:200]


def test_same_postings_twice_cached(pair):
    stock, fast = pair
    text = " ".join(sample_texts()[:40])
    first = postings(fast, text)
    assert postings(fast, text) == first == postings(stock, text)


def test_matches_analyzer_chain_directly():
    ana = BilingualAnalyzer()
    fast = BilingualText(analyzer=ana)
    for text in sample_texts()[:300]:
        grouped: dict[str, list[int]] = {}
        for t in ana(text, positions=True, mode="index"):
            grouped.setdefault(t.text, []).append(t.pos)
        expected = sorted((term.encode(), encode_positions(p)) for term, p in grouped.items())
        assert sorted((t, v) for t, _, _, v in fast.index(text)) == expected


def test_sequence_values_fall_back():
    ana = BilingualAnalyzer()
    stock, fast = fields.TEXT(analyzer=ana), BilingualText(analyzer=ana)
    value = ["alpha", "bravo", "alpha"]
    assert sorted(fast.index(value)) == sorted(stock.index(value))


def test_pickles_without_cache_and_equals_text():
    fast = BilingualText(analyzer=BilingualAnalyzer(), stored=True)
    list(fast.index("Министерство иностранных дел"))
    clone = pickle.loads(pickle.dumps(fast))
    assert "_word_cache" not in clone.__dict__
    assert clone == fast
    assert postings(clone, "Министерство иностранных дел") == postings(
        fast, "Министерство иностранных дел")


def test_schema_uses_fast_field():
    from indexer.schema import build_schema

    schema = build_schema()
    assert isinstance(schema["body_ru"], BilingualText)
    assert isinstance(schema["title_en"], BilingualText)
    clone = pickle.loads(pickle.dumps(schema))
    for name in ("title_en", "body_en", "title_ru", "body_ru", "title_other", "body_other"):
        assert type(clone[name]) is BilingualText
        assert clone[name] == schema[name]
