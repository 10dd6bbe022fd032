"""BilingualText.index must give exactly the postings of whoosh.fields.TEXT.index."""

from __future__ import annotations

import pickle
import random
from pathlib import Path

import pytest
from whoosh import fields
from whoosh.analysis import IDAnalyzer

from indexer.analysis import BilingualAnalyzer, PlainAnalyzer
from indexer.codec.values import encode_positions
from indexer.fastindex import BilingualText
from tests.index_dump import read_back

#: Every test here runs with the fast codec and with stock Whoosh (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("codec")

ROOT = Path(__file__).resolve().parents[2]
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
    # The field's word analysis (its caches) stays behind: a schema is pickled
    # into every TOC, and Whoosh unpickles it on every refresh.
    assert fast.__dict__.get("_analysis")
    clone = pickle.loads(pickle.dumps(fast))
    assert "_analysis" not in clone.__dict__
    assert clone == fast
    assert postings(clone, "Министерство иностранных дел") == postings(
        fast, "Министерство иностранных дел")


def test_schema_uses_fast_field():
    from indexer.fields import build_schema

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


def _build(folder: Path, batches: list[list[dict]], fast: bool, optimize: bool = False,
           **writer_kw) -> dict:
    from whoosh import index

    from indexer.codec.writer import FastSegmentWriter
    from indexer.fields import build_schema

    ix = index.create_in(str(folder), build_schema() if fast else _plain(build_schema()))
    for batch in batches:
        writer = (FastSegmentWriter(ix, **writer_kw) if fast else ix.writer(**writer_kw))
        for doc in batch:
            writer.add_document(**doc)
        writer.commit(optimize=optimize)
    return read_back(folder)


WRITER_CASES = {
    # Over 128 documents: common terms fill several posting blocks.
    "one-commit": (150, [150], {}),
    # Blocks encoded a few documents at a time and moved to disk as they fill.
    "spill": (300, [300], {"limitmb": 0.01}),
    # A second commit without merging: two segments.
    "two-segments": (40, [25, 15], {}),
    # The second commit merges the first segment in (its postings come
    # through Whoosh's pool): terms with full blocks of ours and merged ones.
    "merge": (300, [140, 160], {"optimize": True}),
}


@pytest.mark.parametrize("case", list(WRITER_CASES))
def test_writer_matches_stock(tmp_path, monkeypatch, case):
    import indexer.codec.writer

    n, sizes, kw = WRITER_CASES[case]
    docs = _docs(n)
    batches = []
    for size in sizes:
        batches.append(docs[sum(len(b) for b in batches):][:size])
    if case == "spill":
        monkeypatch.setattr(indexer.codec.writer, "LOCAL_CHUNK", 16)
    (tmp_path / "stock").mkdir()
    (tmp_path / "fast").mkdir()
    stock = _build(tmp_path / "stock", batches, fast=False, **kw)
    fast = _build(tmp_path / "fast", batches, fast=True, **kw)
    assert fast.keys() == stock.keys()
    assert fast["segments"] == (1 if kw.get("optimize") else len(sizes))
    if n > 128:
        assert max(info[1] for key, info in stock.items() if isinstance(key, tuple)) > 128
    for key in stock:
        assert fast[key] == stock[key], key


def test_chunks_from_elsewhere_match_add_document(tmp_path, codec):
    if codec == "stock":
        pytest.skip("chunks are the fast writer's input; stock Whoosh takes documents")
    """Chunks built apart (as in a worker process) and pickled make the same index."""
    import pickle

    from whoosh import index

    from indexer.codec.chunks import ChunkBuilder
    from indexer.codec.writer import FastSegmentWriter
    from indexer.fields import build_schema

    docs = _docs(200)
    dumps = []
    for name, chunked in (("direct", False), ("chunks", True)):
        folder = tmp_path / name
        folder.mkdir()
        ix = index.create_in(str(folder), build_schema())
        writer = FastSegmentWriter(ix)
        assert writer.takes_chunks
        if chunked:
            for start in range(0, len(docs), 37):
                builder = ChunkBuilder(pickle.loads(pickle.dumps(ix.schema)), start)
                for doc in docs[start:start + 37]:
                    builder.add(doc)
                writer.add_chunk(pickle.loads(pickle.dumps(builder.build())))
        else:
            for doc in docs:
                writer.add_document(**doc)
        writer.commit()
        dumps.append(read_back(folder))
    assert dumps[0] == dumps[1]


def test_a_chunk_out_of_order_is_refused(tmp_path, codec):
    if codec == "stock":
        pytest.skip("chunks are the fast writer's input; stock Whoosh takes documents")
    from whoosh import index

    from indexer.codec.chunks import ChunkBuilder
    from indexer.codec.writer import FastSegmentWriter
    from indexer.fields import build_schema

    ix = index.create_in(str(tmp_path), build_schema())
    writer = FastSegmentWriter(ix)
    builder = ChunkBuilder(ix.schema, 5)
    builder.add(_docs(1)[0])
    with pytest.raises(ValueError, match="expected 0"):
        writer.add_chunk(builder.build())
    writer.cancel()


def test_deflate_reads_back_with_zlib():
    import zlib

    from indexer.codec.blocks import deflate

    rng = random.Random(7)
    for size in (0, 1, 63, 300, 5000, 70000):
        data = bytes(rng.choice(b"abcde\x00\x01") for _ in range(size))
        assert zlib.decompress(deflate(data, 3)) == data


def test_pickled_values_load_back():
    import pickle

    from indexer.codec.values import pickled_bytes, pickled_positions, unpickled_bytes

    rng = random.Random(11)
    for n in (1, 2, 3, 80, 999, 1000, 1001, 1500):
        for top in (10, 300, 5000, 100000):
            poslist = sorted(rng.randrange(top) for _ in range(n))
            value = encode_positions(poslist)
            assert encode_positions(poslist) == fields.TEXT().format.encode(poslist)
            pickled = pickled_positions(poslist)
            assert pickled == pickled_bytes(value)
            assert pickle.loads(b"\x80\x03" + pickled + b".") == value
            assert unpickled_bytes(pickled) == value
    assert pickled_bytes(b"") == b"" and unpickled_bytes(b"") == b""


def _chunk_postings(fieldobj, values: list) -> dict:
    """term → [(docnum, weight, value)] as a ChunkBuilder groups one field's values."""
    from indexer.codec.chunks import ChunkBuilder
    from indexer.codec.values import unpickled_bytes, values_pickled

    builder = ChunkBuilder(fields.Schema(f=fieldobj), 0)
    for value in values:
        builder.add({"f": value})
    postings = builder.build().postings["f"]
    out, start, offset = {}, 0, 0
    for term, count in zip(postings.terms, postings.counts, strict=True):
        rows = []
        for i in range(start, start + count):
            size = postings.value_lengths[i]
            value = postings.values[offset:offset + size]
            offset += size
            rows.append((postings.docnums[i], postings.weights[i],
                         unpickled_bytes(value) if values_pickled(fieldobj) else value))
        out[term] = rows
        start += count
    return out


def _stock_postings(fieldobj, values: list) -> dict:
    out: dict = {}
    for docnum, value in enumerate(values):
        for term, _, weight, vbytes in fieldobj.index(value):
            out.setdefault(term, []).append((docnum, weight, vbytes))
    return out


@pytest.mark.parametrize("fieldobj", [
    fields.KEYWORD(lowercase=True, scorable=True),
    fields.KEYWORD(scorable=True, field_boost=2.0),
    fields.ID(),
    fields.ID(analyzer=IDAnalyzer(lowercase=True), field_boost=1.5),
    fields.KEYWORD(commas=True),
    BilingualText(analyzer=BilingualAnalyzer()),
])
def test_fast_paths_group_what_field_index_gives(fieldobj):
    values = ["alpha beta alpha", "", " lead trail ", "tab\tand\nnewline  double",
              "İstanbul ÀB àb", "332/17 north-south", "one", "Её объём ещё",
              "a,b, c", "alpha"]
    assert _chunk_postings(fieldobj, values) == _stock_postings(fieldobj, values)
