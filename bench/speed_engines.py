"""The engines bench/speed.py compares: Pressroom, tantivy, SQLite FTS5, stock Whoosh and
Xapian, each built from the same JSON records and queried the same way.

Each engine: build(records, folder) -> segments (or None); open(folder) -> a
searcher with mix(MixQuery) -> matches and xquad(text) -> matches.  "matches"
is the engine's own total (page total, or the sum of the year facet).
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.querymix import MixQuery, topic_slug  # noqa: E402

LANGS = ("en", "ru")
TEXT_FIELDS = {lang: (f"title_{lang}", f"body_{lang}") for lang in LANGS}
TOKEN = re.compile(r"\w+")


def day_number(date: str) -> int:
    return int(date.replace("-", ""))


def fields_for(query: MixQuery) -> tuple[str, ...]:
    langs = (query.lang,) if query.lang else LANGS
    return tuple(f for lang in langs for f in TEXT_FIELDS[lang])


def or_tokens(text: str) -> list[str]:
    return [t.lower() for t in TOKEN.findall(text)]


class Pressroom:
    name = "pressroom"

    @staticmethod
    def build(records: list[dict], folder: Path) -> int:
        from whoosh import index

        from indexer.store import Store

        releases = [to_release(r) for r in records]
        store = Store(folder)
        summary = store.add_releases(releases)
        assert summary.added == len(releases), summary.report()
        return len(index.open_dir(str(store.live_dir()))._segments())

    def open(self, folder: Path) -> Pressroom:
        from search import Archive, SearchRequest

        self.archive = Archive(folder)
        self.request = SearchRequest
        self.partial = 0
        return self

    def page(self, params: dict):
        page = self.archive.search(self.request.from_params(params))
        self.partial += page.partial
        return page.total

    def mix(self, query: MixQuery) -> int:
        return self.page(query.params())

    def xquad(self, text: str) -> int:
        return self.page({"q": [text]})


def to_release(record: dict):
    from indexer.release import Release, Version

    versions = {lang: Version(lang, record[f"title_{lang}"], record[f"body_{lang}"])
                for lang in LANGS}
    return Release(versions=versions, date=dt.date.fromisoformat(record["date"]),
                   id=record["id"], topics=[topic_slug(record["topic"])])


class Tantivy:
    name = "tantivy"

    @staticmethod
    def schema():
        import tantivy

        b = tantivy.SchemaBuilder()
        b.add_text_field("id", stored=True, tokenizer_name="raw")
        for lang, tok in (("en", "en_stem"), ("ru", "ru_stem")):
            for f in TEXT_FIELDS[lang]:
                b.add_text_field(f, tokenizer_name=tok)
        b.add_integer_field("year", indexed=True, fast=True)
        b.add_integer_field("day", indexed=True, fast=True)
        b.add_text_field("topic", tokenizer_name="raw", fast=True)
        return b.build()

    @staticmethod
    def register(ix) -> None:
        import tantivy

        ix.register_tokenizer("ru_stem", tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
                              .filter(tantivy.Filter.remove_long(40))
                              .filter(tantivy.Filter.lowercase())
                              .filter(tantivy.Filter.stemmer("russian")).build())

    @classmethod
    def build(cls, records: list[dict], folder: Path) -> int:
        import tantivy

        ix = tantivy.Index(cls.schema(), path=str(folder))
        cls.register(ix)
        writer = ix.writer(heap_size=128_000_000, num_threads=1)
        for r in records:
            writer.add_document(tantivy.Document(
                id=r["id"], year=r["year"], day=day_number(r["date"]),
                topic=topic_slug(r["topic"]),
                **{f: r[f] for lang in LANGS for f in TEXT_FIELDS[lang]}))
        writer.commit()
        writer.wait_merging_threads()
        ix.reload()
        return ix.searcher().num_segments

    def open(self, folder: Path) -> Tantivy:
        import tantivy

        self.t = tantivy
        self.ix = tantivy.Index.open(str(folder))
        self.register(self.ix)
        self.ix.reload()
        self.searcher = self.ix.searcher()
        self.schema_ = self.ix.schema
        return self

    def run(self, query) -> int:
        self.searcher.search(query, limit=10, count=False)
        agg = self.searcher.aggregate(query, {"year": {"terms": {"field": "year", "size": 100}}})
        return sum(b["doc_count"] for b in agg["year"]["buckets"])

    def mix(self, query: MixQuery) -> int:
        t = self.t
        # A word the query grammar would reject ("people's") goes in quotes, which
        # makes it a phrase of its tokens, as FTS5 and Whoosh read it.
        words = [w if w.isalnum() else f'"{w}"' for w in query.words()]
        text = " ".join(words)
        if query.is_phrase:
            text = '"' + " ".join(query.words()) + '"'
        q = self.ix.parse_query(text, list(fields_for(query)), conjunction_by_default=True)
        must = [(t.Occur.Must, q)]
        if query.topic:
            must.append((t.Occur.Must, t.Query.term_query(self.schema_, "topic", query.topic)))
        if query.date_from:
            must.append((t.Occur.Must, t.Query.range_query(
                self.schema_, "day", t.FieldType.Integer, day_number(query.date_from),
                day_number(query.date_to))))
        if len(must) > 1:
            q = t.Query.boolean_query(must)
        return self.run(q)

    def xquad(self, text: str) -> int:
        words = " ".join(or_tokens(text))
        q = self.ix.parse_query(words, [f for lang in LANGS for f in TEXT_FIELDS[lang]])
        return self.run(q)


class Fts5:
    name = "fts5"

    @staticmethod
    def build(records: list[dict], folder: Path) -> None:
        db = sqlite3.connect(folder / "fts.db")
        db.executescript("""
            CREATE TABLE docs(rowid INTEGER PRIMARY KEY, id TEXT, year INT, day INT, topic TEXT);
            CREATE INDEX docs_topic ON docs(topic);
            CREATE VIRTUAL TABLE fts_en USING fts5(title, body, content='',
                tokenize='porter unicode61');
            CREATE VIRTUAL TABLE fts_ru USING fts5(title, body, content='', tokenize='unicode61');
        """)
        with db:
            for i, r in enumerate(records, 1):
                db.execute("INSERT INTO docs VALUES (?,?,?,?,?)",
                           (i, r["id"], r["year"], day_number(r["date"]), topic_slug(r["topic"])))
                for lang in LANGS:
                    db.execute(f"INSERT INTO fts_{lang}(rowid, title, body) VALUES (?,?,?)",
                               (i, r[f"title_{lang}"], r[f"body_{lang}"]))
        db.close()
        return None

    def open(self, folder: Path) -> Fts5:
        self.db = sqlite3.connect(folder / "fts.db")
        return self

    def run(self, match: str, langs: tuple[str, ...], cond: str = "1",
            a: object = None, b: object = None) -> int:
        ranked = " UNION ALL ".join(
            f"SELECT rowid, rank AS r FROM fts_{lang} WHERE fts_{lang} MATCH :m" for lang in langs)
        ids = " UNION ".join(
            f"SELECT rowid FROM fts_{lang} WHERE fts_{lang} MATCH :m" for lang in langs)
        params = {"m": match, "a": a, "b": b}
        self.db.execute(f"SELECT m.rowid, min(m.r) AS s FROM ({ranked}) m "
                        f"JOIN docs d ON d.rowid = m.rowid WHERE {cond} "
                        "GROUP BY m.rowid ORDER BY s LIMIT 10", params).fetchall()
        rows = self.db.execute(f"SELECT d.year, count(*) FROM docs d WHERE d.rowid IN ({ids}) "
                               f"AND {cond} GROUP BY d.year", params).fetchall()
        return sum(c for _, c in rows)

    def mix(self, query: MixQuery) -> int:
        words = query.words()
        match = ('"' + " ".join(words) + '"' if query.is_phrase
                 else " ".join(f'"{w}"' for w in words))
        langs = (query.lang,) if query.lang else LANGS
        if query.topic:
            return self.run(match, langs, "d.topic = :a", query.topic)
        if query.date_from:
            return self.run(match, langs, "d.day BETWEEN :a AND :b",
                            day_number(query.date_from), day_number(query.date_to))
        return self.run(match, langs)

    def xquad(self, text: str) -> int:
        tokens = or_tokens(text)
        if not tokens:
            return 0
        return self.run(" OR ".join(f'"{t}"' for t in tokens), LANGS)


class WhooshStock:
    name = "whoosh-stock"

    @staticmethod
    def build(records: list[dict], folder: Path) -> int:
        from whoosh import fields, index
        from whoosh.analysis import StemmingAnalyzer

        ana = StemmingAnalyzer()
        schema = fields.Schema(
            id=fields.ID(stored=True, unique=True), year=fields.ID(stored=True, sortable=True),
            day=fields.ID, topic=fields.ID,
            **{f: fields.TEXT(analyzer=ana) for lang in LANGS for f in TEXT_FIELDS[lang]})
        ix = index.create_in(str(folder), schema)
        writer = ix.writer()
        for r in records:
            writer.add_document(id=r["id"], year=str(r["year"]), day=r["date"],
                                topic=topic_slug(r["topic"]),
                                **{f: r[f] for lang in LANGS for f in TEXT_FIELDS[lang]})
        writer.commit()
        return len(index.open_dir(str(folder))._segments())

    def open(self, folder: Path) -> WhooshStock:
        from whoosh import index, qparser, query

        self.ix = index.open_dir(str(folder))
        self.searcher = self.ix.searcher()
        self.q = query
        self.parsers = {}
        for langs in (LANGS, ("en",), ("ru",)):
            fields = [f for lang in langs for f in TEXT_FIELDS[lang]]
            self.parsers[langs] = qparser.MultifieldParser(fields, self.ix.schema)
        self.or_parser = qparser.MultifieldParser(
            [f for lang in LANGS for f in TEXT_FIELDS[lang]], self.ix.schema,
            group=qparser.OrGroup)
        return self

    def run(self, q, filter_q=None) -> int:
        results = self.searcher.search(q, limit=10, groupedby="year", filter=filter_q)
        return sum(len(v) for v in results.groups("year").values())

    def mix(self, query: MixQuery) -> int:
        langs = (query.lang,) if query.lang else LANGS
        q = self.parsers[langs].parse(query.q)
        filter_q = None
        if query.topic:
            filter_q = self.q.Term("topic", query.topic)
        elif query.date_from:
            filter_q = self.q.TermRange("day", query.date_from, query.date_to)
        return self.run(q, filter_q)

    def xquad(self, text: str) -> int:
        return self.run(self.or_parser.parse(" ".join(or_tokens(text))))


class Xapian:
    """TermGenerator/QueryParser with Snowball english (prefix XE) and russian (prefix XR)
    stemmers, STEM_SOME (Xapian's default), BM25Weight; year facet via ValueCountMatchSpy."""

    name = "xapian"
    PREFIX = {"en": "XE", "ru": "XR"}
    STEMMER = {"en": "english", "ru": "russian"}
    YEAR, DAY = 0, 1  # value slots
    TOPIC = "K"  # boolean-term prefix of the topic slug

    @classmethod
    def build(cls, records: list[dict], folder: Path) -> None:
        import xapian

        db = xapian.WritableDatabase(str(folder / "db"), xapian.DB_CREATE_OR_OVERWRITE)
        generators = {}
        for lang in LANGS:
            tg = xapian.TermGenerator()
            tg.set_stemmer(xapian.Stem(cls.STEMMER[lang]))
            generators[lang] = tg
        for r in records:
            doc = xapian.Document()
            doc.set_data(r["id"])
            for lang, tg in generators.items():
                tg.set_document(doc)
                for f in TEXT_FIELDS[lang]:
                    tg.index_text(r[f], 1, cls.PREFIX[lang])
                    tg.increase_termpos()  # no phrase across title and body
            doc.add_value(cls.YEAR, str(r["year"]))
            doc.add_value(cls.DAY, r["date"].replace("-", ""))
            doc.add_boolean_term(cls.TOPIC + topic_slug(r["topic"]))
            doc.add_boolean_term("Q" + r["id"])
            db.add_document(doc)
        db.commit()
        db.close()
        return None

    def open(self, folder: Path) -> Xapian:
        import xapian

        self.x = xapian
        self.db = xapian.Database(str(folder / "db"))
        self.doccount = self.db.get_doccount()
        self.parsers = {}
        for op_name, op in (("and", xapian.Query.OP_AND), ("or", xapian.Query.OP_OR)):
            for lang in LANGS:
                qp = xapian.QueryParser()
                qp.set_stemmer(xapian.Stem(self.STEMMER[lang]))
                qp.set_stemming_strategy(xapian.QueryParser.STEM_SOME)
                qp.set_database(self.db)
                qp.set_default_op(op)
                qp.add_prefix("", self.PREFIX[lang])
                self.parsers[op_name, lang] = qp
        return self

    def parse(self, text: str, op: str, langs: tuple[str, ...]):
        # One reading per language (its stemmer, its fields), OR-ed: a query's words
        # are of one language, so this is "all words in the fields of either language".
        x = self.x
        parts = [self.parsers[op, lang].parse_query(text, x.QueryParser.FLAG_PHRASE)
                 for lang in langs]
        return parts[0] if len(parts) == 1 else x.Query(x.Query.OP_OR, parts)

    def run(self, query) -> int:
        x = self.x
        enquire = x.Enquire(self.db)
        enquire.set_query(query)
        enquire.set_weighting_scheme(x.BM25Weight())
        spy = x.ValueCountMatchSpy(self.YEAR)
        enquire.add_matchspy(spy)
        enquire.get_mset(0, 10, self.doccount)  # checkatleast=doccount: exact facet counts
        return sum(item.termfreq for item in spy.values())

    def mix(self, query: MixQuery) -> int:
        x = self.x
        langs = (query.lang,) if query.lang else LANGS
        q = self.parse(query.q, "and", langs)
        if query.topic:
            q = x.Query(x.Query.OP_FILTER, q, x.Query(self.TOPIC + query.topic))
        if query.date_from:
            days = x.Query(x.Query.OP_VALUE_RANGE, self.DAY, query.date_from.replace("-", ""),
                           query.date_to.replace("-", ""))
            q = x.Query(x.Query.OP_FILTER, q, days)
        return self.run(q)

    def xquad(self, text: str) -> int:
        tokens = or_tokens(text)
        if not tokens:
            return 0
        return self.run(self.parse(" ".join(tokens), "or", LANGS))


ENGINE_CLASSES = {c.name: c for c in (Pressroom, Tantivy, Fts5, WhooshStock, Xapian)}
