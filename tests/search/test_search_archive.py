"""Archive.search and friends over the generated corpus (tests/search_corpus.py)."""

from __future__ import annotations

from collections import Counter
from functools import lru_cache

import pytest
import search_corpus as sc
from whoosh import fields
from whoosh.filedb.filestore import RamStorage

from indexer.analysis import PlainAnalyzer, analyze, default_analyzer
from indexer.codec.readers import stored_fields
from indexer.release import ANALYZED_LANGUAGES
from search import Archive, QueryError, SearchRequest

#: Every test here runs with the fast codec and with stock Whoosh (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("codec")


@pytest.fixture(scope="module")
def archive(codec):
    with Archive(sc.corpus_index()) as archive:
        yield archive


def run(archive, q="", **params):
    return archive.search(SearchRequest.from_params({"q": q, **params}))


def ids(page) -> set[str]:
    return {h["id"] for h in page.hits}


# ---------------------------------------------------------------- morphology


@pytest.mark.parametrize("queries, expected", [
    (["каспийского моря", "Каспийское море", "каспийском море"],
     {"2017-101", "2017-102", "2016-103"}),
    (["negotiations", "negotiate", "negotiation"], {"2017-101", "2017-102", "2017-110"}),
    (["переговоры", "переговоров", "ПЕРЕГОВОРАМИ"], {"2017-101", "2017-110", "2018-106"}),
])
def test_all_forms_of_a_word_find_the_same_releases(archive, queries, expected) -> None:
    found = [ids(run(archive, q, per_page="50")) - {"2017-332"} for q in queries]
    assert all(f == expected for f in found), dict(zip(queries, found, strict=True))


def test_exact_surface_form_ranks_above_a_lemma_only_match(tmp_path) -> None:
    # Two releases alike in everything but the form of the words; each query
    # must rank the one with its exact form first, in both languages.
    ru_forms = {"201": "Каспийского моря", "202": "Каспийское море"}
    en_forms = {"201": "negotiations", "202": "negotiate"}
    releases = [
        sc._release(int(n), "2020-01-0" + n[-1], [],
                    en=("Talks", f"The ministers {en_forms[n]} today in Baku."),
                    ru=("Встреча", f"Министры обсудили {ru_forms[n]} сегодня в Баку."))
        for n in ru_forms
    ]
    with Archive(sc.build_index(releases, tmp_path / "index")) as tiny:
        for forms, lang in ((ru_forms, "ru"), (en_forms, "en")):
            for n, form in forms.items():
                hits = [h["id"] for h in run(tiny, form, lang=lang).hits]
                assert hits[0] == f"2020-{n}", (form, hits)
                assert len(hits) == 2


def test_mixed_language_query_matches_each_word_in_any_language(archive) -> None:
    # "Lavrov" is only in 106's English version, "переговоры" only in its Russian one.
    page = run(archive, "Lavrov переговоры")
    assert "2018-106" in ids(page) and page.understood.mode == "all"
    # Restricted to English, the Russian word matches nothing: any-word fallback.
    assert run(archive, "Lavrov переговоры", lang="en").understood.mode == "any"


def test_release_number_finds_the_release(archive) -> None:
    page = run(archive, "101/17")
    assert page.hits[0]["id"] == "2017-101"


# ---------------------------------------------------------------- phrases and operators


@pytest.mark.parametrize("q, must, must_not", [
    ('"стратегического партнерства"', {"2015-104"}, {"2015-105"}),
    ('"стратегическое партнерство"', {"2015-104"}, {"2015-105"}),
    ('"strategic partnership"', {"2015-104"}, {"2015-105"}),
    ('"нагорно-карабахского конфликта"', {"2017-110"}, set()),
    ('"армяно-азербайджанский нагорно карабахский"', {"2017-110"}, set()),
    ('title:"Стратегическое партнерство"', {"2015-104"}, {"2015-105"}),
])
def test_phrases_keep_word_order_with_morphology(archive, q, must, must_not) -> None:
    found = ids(run(archive, q))
    assert must <= found and not must_not & found


def test_words_apart_match_without_quotes(archive) -> None:
    assert {"2015-104", "2015-105"} <= ids(run(archive, "стратегическое партнерство"))


@pytest.mark.parametrize("q, must, must_not", [
    ("Lavrov OR Mammadyarov", {"2018-106", "2015-104"}, set()),
    ("Лавров OR Мамедъяров", {"2018-106", "2015-104"}, set()),
    ("министр -Лавров", {"2015-104"}, {"2018-106"}),
    ("minister NOT Lavrov", {"2015-104"}, {"2018-106"}),
    ("title:переговоры", {"2017-101"}, {"2017-110", "2018-106"}),
    ("body:Caspian", {"2017-101"}, set()),
])
def test_or_not_and_field_operators(archive, q, must, must_not) -> None:
    found = ids(run(archive, q, per_page="50"))
    assert must <= found and not must_not & found, found


@pytest.mark.parametrize("q, must", [
    ("азерб*", {"2017-110"}),
    ("negot*", {"2017-101", "2017-102", "2017-110"}),
    ("negotiation*", {"2017-101"}),
    ("перегов*", {"2017-101", "2017-110", "2018-106"}),
    ("Mamedyarov~", {"2015-104"}),
    ("Mamedyarov~2", {"2015-104"}),
    ("Мамедьяров~", {"2015-104"}),
    ("Mammadyarov~1", {"2015-104"}),
])
def test_prefix_and_fuzzy(archive, q, must) -> None:
    assert must <= ids(run(archive, q, per_page="50"))


def test_fuzzy_does_not_match_far_words(archive) -> None:
    assert run(archive, "Mamedyarov~1", lang="en").total == 0


def test_fallback_to_any_word_is_announced(archive) -> None:
    for q in ("каспийское zzzqqq", "Caspian qqqzzz"):
        page = run(archive, q)
        assert page.total > 0 and page.understood.mode == "any"
        assert any("any of them" in n for n in page.understood.notes)
    assert run(archive, "Caspian sea").understood.mode == "all"


@pytest.mark.parametrize("q", ['AND OR NOT -- ~~ ""', '"', "*", "-", "title:", "((", "~", "NOT"])
def test_malformed_input_lists_releases_with_a_note(archive, q) -> None:
    page = run(archive, q)
    assert page.total == run(archive).total
    assert page.understood.notes


def test_unbalanced_quote_still_searches_the_words(archive) -> None:
    page = run(archive, '"стратегического партнерства')
    assert "2015-104" in ids(page) and page.understood.notes


def test_time_limit_cuts_the_search_short(archive) -> None:
    page = archive.search(SearchRequest(q="министр OR переговоры OR sea"), time_limit=0.0)
    assert page.partial
    assert page.facets_timed_out
    assert any("ran out of time" in n for n in page.understood.notes)
    assert not archive.search(SearchRequest(q="министр")).partial


# ---------------------------------------------------------------- suggestions


@pytest.mark.parametrize("typed, meant", [("vbybcnh", "министр"), ("ьштшыеук", "minister")])
def test_wrong_keyboard_layout_runs_the_converted_query(archive, typed, meant) -> None:
    page = run(archive, typed)
    s = page.suggestion
    assert s is not None and (s.kind, s.q, s.applied) == ("layout", meant, True)
    assert page.total == s.total > 0
    assert any(meant in n for n in page.understood.notes)


def test_layout_is_only_suggested_when_the_typed_query_finds_one(archive) -> None:
    page = run(archive, "ghtpbltyn")  # the literal word is in 109; "президент" in more
    assert page.total == 1
    s = page.suggestion
    assert s is not None and (s.kind, s.q, s.applied) == ("layout", "президент", False)
    assert s.total > 1


@pytest.mark.parametrize("typed, meant", [("переговров", "переговоров"),
                                          ("negotiatons", "negotiations")])
def test_misspelled_word_is_corrected(archive, typed, meant) -> None:
    page = run(archive, typed)
    s = page.suggestion
    assert s is not None and s.kind == "spelling" and s.q == meant and s.applied
    assert page.total > 0


def test_spelling_is_suggested_not_applied_when_something_was_found(archive) -> None:
    page = run(archive, "переговров Лавров")
    assert page.total > 0
    s = page.suggestion
    assert s is not None and s.q == "переговоров Лавров" and not s.applied


def test_known_words_get_no_suggestion(archive) -> None:
    assert run(archive, "переговоры").suggestion is None


# ---------------------------------------------------------------- hits and highlights


def test_hit_shows_the_matching_language_and_names_the_others(archive) -> None:
    hit = next(h for h in run(archive, "переговоры").hits if h["id"] == "2017-101")
    assert hit["lang"] == "ru" and hit["other_languages"] == ["en"]
    assert set(hit["titles"]) == {"en", "ru"}
    assert "<mark>переговоров</mark>" in hit["snippet"]
    assert hit["title"].startswith("<mark>Переговоры</mark>")
    hit = next(h for h in run(archive, "negotiations").hits if h["id"] == "2017-101")
    assert hit["lang"] == "en" and "<mark>negotiations</mark>" in hit["snippet"]


def test_stored_fields_are_read_from_the_right_segment() -> None:
    schema = fields.Schema(id=fields.ID(stored=True, unique=True), body=fields.TEXT(stored=True))
    ix = RamStorage().create_index(schema)
    for segment in range(3):
        with ix.writer() as writer:
            writer.merge = False
            for i in range(4):
                writer.add_document(id=f"{segment}-{i}", body=f"text {segment} {i}")
    with ix.writer() as writer:
        writer.merge = False
        writer.delete_by_term("id", "1-2")
    with ix.searcher() as searcher:
        assert not searcher.reader().is_atomic()
        docnums = list(searcher.reader().all_doc_ids())
        assert len(docnums) == 11
        for docnum in docnums:
            assert stored_fields(searcher, docnum) == searcher.stored_fields(docnum)


def test_release_text_is_escaped(archive) -> None:
    hit = run(archive, "exhibition").hits[0]
    assert "<script>" not in hit["title"] and "&lt;script&gt;" in hit["title"]
    assert "<b>" not in hit["snippet"] and "&lt;b&gt;" in hit["snippet"]
    assert "<mark>Exhibition</mark>" in hit["title"]


def test_snippet_without_query_is_the_opening(archive) -> None:
    for hit in run(archive, per_page="50").hits:
        assert "<mark>" not in hit["snippet"] and 0 < len(hit["snippet"]) <= 320


def test_language_filter_restricts_matching_to_that_version(archive) -> None:
    page = run(archive, "mədəniyyəti", lang="az")
    assert ids(page) == {"2016-108"} and page.hits[0]["lang"] == "az"
    assert run(archive, "mədəniyyəti", lang="en").total == 0
    # A name meets its other spellings in the filtered version only (issue 12):
    # "Azərbaycan" is "Azerbaijan" in the English versions.
    assert "2016-108" in ids(run(archive, "Azərbaycan", lang="en"))


# ---------------------------------------------------------------- browse, sort, paging


def test_empty_query_lists_everything_newest_first(archive) -> None:
    page = run(archive, per_page="100")
    assert page.total == len(sc.corpus()) + (sc.seed_release() is not None)
    dates = [h["date"] for h in page.hits]
    assert dates == sorted(dates, reverse=True)


@pytest.mark.parametrize("sort, reverse", [("newest", True), ("oldest", False)])
def test_sort_by_date(archive, sort, reverse) -> None:
    dates = [h["date"] for h in run(archive, "обсудили", sort=sort, per_page="100").hits]
    assert len(dates) > 5 and dates == sorted(dates, reverse=reverse)


def test_paging_covers_every_hit_once(archive) -> None:
    everything = run(archive, "обсудили", per_page="100")
    pages = [run(archive, "обсудили", per_page="7", page=str(n)) for n in range(1, 20)]
    seen = [h["id"] for p in pages for h in p.hits]
    assert seen == [h["id"] for h in everything.hits]
    assert pages[0].pages == -(-everything.total // 7)
    assert run(archive, "обсудили", page="90", per_page="10").hits == []


def test_too_deep_page_is_refused_with_advice(archive) -> None:
    with pytest.raises(QueryError, match="narrow the search"):
        run(archive, "море", page="101", per_page="10")


def test_date_range(archive) -> None:
    page = run(archive, **{"from": "2016-03-01", "to": "2016-12-31", "per_page": "100"})
    assert page.total and all("2016-03-01" <= h["date"] <= "2016-12-31" for h in page.hits)


# ---------------------------------------------------------------- facets vs brute force


@lru_cache(maxsize=1)
def stored_docs() -> list[dict]:
    from whoosh import index as whoosh_index

    from indexer.location import live_index_dir

    ix = whoosh_index.open_dir(str(live_index_dir(sc.corpus_index())))
    with ix.searcher() as s:
        return [dict(f) for f in s.all_stored_fields()]


def version_terms(doc: dict, lang: str) -> set[str]:
    flang = lang if lang in ANALYZED_LANGUAGES else "other"
    analyzer = PlainAnalyzer() if flang == "other" else default_analyzer()
    text = f"{doc.get(f'title_{flang}', '')} {doc.get(f'body_{flang}', '')}"
    return set(analyze(text, analyzer))


def brute_force(q: str, params: dict) -> dict:
    """Expected total and facets, by analyzing every stored release in Python."""
    topics, langs = set(params.get("topic", [])), set(params.get("lang", []))
    year = params.get("year")
    low, high = params.get("from", ""), params.get("to", "9999")

    def matches(doc, in_langs) -> bool:
        if not q:
            return bool(in_langs)
        for lang in in_langs:
            analyzer = PlainAnalyzer() if lang not in ANALYZED_LANGUAGES else default_analyzer()
            if set(analyze(q, analyzer, mode="query")) & version_terms(doc, lang):
                return True
        return False

    def ok(doc, skip=()) -> bool:
        doc_topics = set(doc["topics"].split(",")) - {""}
        return (("topic" in skip or not topics or bool(doc_topics & topics))
                and ("year" in skip or not year or doc["year"] == year)
                and low <= doc["date"] <= high)

    counts = {"year": Counter(), "topic": Counter(), "language": Counter()}
    total = 0
    for doc in stored_docs():
        doc_langs = doc["languages"].split(",")
        selected = [x for x in doc_langs if not langs or x in langs]
        hit = matches(doc, selected)
        if hit and ok(doc):
            total += 1
        if hit and ok(doc, skip=("year",)):
            counts["year"][doc["year"]] += 1
        if hit and ok(doc, skip=("topic",)):
            counts["topic"].update(set(doc["topics"].split(",")) - {""})
        for lang in doc_langs:
            if matches(doc, [lang]) and ok(doc):
                counts["language"][lang] += 1
    return {"total": total, **{k: dict(v) for k, v in counts.items()}}


@pytest.mark.parametrize("q, params", [
    ("обсудили", {}),
    ("discussed", {"topic": ["energy", "culture"]}),
    ("", {"topic": ["bilateral"], "year": "2016"}),
    ("концерт", {"lang": ["ru"]}),
    ("", {"from": "2016-03-01", "to": "2017-06-30", "lang": ["en"]}),
    ("visits", {"topic": ["bilateral"], "lang": ["en"], "year": "2017"}),
    ("Bakıda", {}),
])
def test_disjunctive_facets_match_brute_force(archive, q, params) -> None:
    page = run(archive, q, **params)
    expected = brute_force(q, params)
    assert page.total == expected["total"]
    for name in ("year", "topic", "language"):
        got = {v["value"]: v["count"] for v in page.facets[name] if v["count"]}
        assert got == expected[name], name
        selected = {v["value"] for v in page.facets[name] if v["selected"]}
        wanted = set(params.get(name if name != "language" else "lang", []))
        if name == "year" and "year" in params:
            wanted = {params["year"]}
        assert selected == wanted


def test_months_appear_inside_a_selected_year(archive) -> None:
    page = run(archive, year="2017")
    months = page.facets["month"]
    assert months and all(v["value"].startswith("2017-") for v in months)
    assert sum(v["count"] for v in months) == page.total
    assert "month" not in run(archive).facets


def test_facet_values_carry_bilingual_labels(archive) -> None:
    page = run(archive)
    lang = {v["value"]: v["label"] for v in page.facets["language"]}
    assert lang["ru"] == {"en": "Russian", "ru": "Русский"}
    assert lang["az"]["ru"] == "Азербайджанский"
    assert all(set(v["label"]) == {"en", "ru"} for v in page.facets["topic"])


# ---------------------------------------------------------------- other views


def test_more_like_this_finds_related_releases_but_not_itself(archive) -> None:
    similar = [h["id"] for h in archive.more_like_this("2017-101", limit=3)]
    assert "2017-101" not in similar
    assert similar and similar[0] in {"2017-102", "2016-103", "2017-332"}
    assert archive.more_like_this("no-such-id") == []


def test_release_view_marks_the_query_forms(archive) -> None:
    release = archive.release("2017-101", highlight="переговоры")
    ru = next(v for v in release["versions"] if v["lang"] == "ru")
    assert "<mark>переговоров</mark>" in " ".join(ru["paragraphs_html"])
    assert [v["lang"] for v in release["versions"]] == ["en", "ru"]
    assert archive.release("no-such-id") is None


def test_stats(archive) -> None:
    stats = archive.stats()
    assert stats["releases"] == run(archive).total
    assert sum(y["count"] for y in stats["years"]) == stats["releases"]
    assert stats["index_bytes"] > 0 and stats["last_update"]
    assert "caspian" in archive.topic_labels()
