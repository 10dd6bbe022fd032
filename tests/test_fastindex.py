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


# --- the writer: the index it writes reads back exactly like Whoosh's own ------------------


def _docs(n: int = 40, seed: int = 3) -> list[dict]:
    from indexer.documents import release_document
    from indexer.release import Release, Version

    texts = sample_texts() + random_texts(60, seed)
    rng = random.Random(seed)
    docs = []
    for i in range(n):
        en, ru = rng.sample(texts, 2)
        release = Release(versions={"en": Version("en", en[:80] or "t", en or "body"),
                                    "ru": Version("ru", ru[:80], ru or "тело")},
                          id=f"r{i}")
        doc = release_document(release)
        doc["indexed_at"] = "fixed"
        docs.append(doc)
    return docs


def _plain(schema):
    for name in list(schema.names()):
        field = schema[name]
        if isinstance(field, BilingualText):
            schema.remove(name)
            schema.add(name, fields.TEXT(analyzer=field.analyzer, stored=field.stored,
                                         field_boost=field.format.field_boost))
    return schema


def _dump(folder: Path) -> dict:
    from whoosh import index

    ix = index.open_dir(str(folder))
    out: dict = {"segments": len(ix._segments())}
    with ix.reader() as reader:
        out["stored"] = list(reader.all_stored_fields())
        out["doc_count"] = reader.doc_count_all()
        docnums = range(reader.doc_count_all())
        for name in reader.indexed_field_names():
            if reader.schema[name].scorable:
                out[f"len:{name}"] = ([reader.doc_field_length(d, name) for d in docnums],
                                      reader.field_length(name), reader.max_field_length(name))
            for term in reader.lexicon(name):
                info = reader.term_info(name, term)
                m = reader.postings(name, term)
                out[(name, term)] = (info.weight(), info.doc_frequency(), info.min_length(),
                                     info.max_length(), info.max_weight(),
                                     list(m.all_items()))
    return out


def _build(folder: Path, batches: list[list[dict]], fast: bool, **writer_kw) -> dict:
    from whoosh import index

    from indexer.fastindex import FastSegmentWriter
    from indexer.schema import build_schema

    ix = index.create_in(str(folder), build_schema() if fast else _plain(build_schema()))
    for batch in batches:
        writer = (FastSegmentWriter(ix, **writer_kw) if fast else ix.writer(**writer_kw))
        for doc in batch:
            writer.add_document(**doc)
        writer.commit()
    return _dump(folder)


@pytest.mark.parametrize("case", ["one-commit", "spill", "merge"])
def test_writer_matches_stock(tmp_path, case):
    # Over 128 documents: common terms fill several posting blocks.
    docs = _docs(150 if case == "one-commit" else 40)
    batches = [docs[:25], docs[25:]] if case == "merge" else [docs]
    kw = {"limitmb": 0.01} if case == "spill" else {}
    (tmp_path / "stock").mkdir()
    (tmp_path / "fast").mkdir()
    stock = _build(tmp_path / "stock", batches, fast=False, **kw)
    fast = _build(tmp_path / "fast", batches, fast=True, **kw)
    assert fast.keys() == stock.keys()
    if case == "one-commit":
        assert max(info[1] for key, info in stock.items() if isinstance(key, tuple)) > 128
    for key in stock:
        assert fast[key] == stock[key], key
