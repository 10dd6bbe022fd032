"""Names across scripts (issue 12): the seed release split into an English-only and a
Russian-only release, searched by names in the other script and other romanisations."""

from __future__ import annotations

import dataclasses

import pytest
import search_corpus as sc

from indexer.release import Release, Version
from search import Archive, SearchRequest


@pytest.fixture(scope="module")
def split(codec, tmp_path_factory):
    """(archive, English-only id, Russian-only id, the releases indexed): the seed's
    halves plus a filler corpus, so that the key's weights are those of a real archive."""
    seed = sc.seed_release()
    if seed is None:
        pytest.skip(f"no seed release at {sc.SEED}")
    en = dataclasses.replace(seed, versions={"en": seed.versions["en"]}, id="seed-en")
    ru = dataclasses.replace(seed, versions={"ru": seed.versions["ru"]}, id="seed-ru")
    # Six releases spell him "Mammadyarov", one "Mamedyarov" (the seed's halves too).
    spelled = [Release(versions={"en": Version("en", f"Talks {n}",
                                               f"Minister Elmar {name} met the delegation.")},
                       id=f"spelled-{n}")
               for n, name in enumerate(["Mammadyarov"] * 4 + ["Mamedyarov"])]
    countries = [Release(versions={"en": Version("en", "Visit", "A delegation went to Georgia "
                                                 "and Germany.")}, id="visit-en"),
                 Release(versions={"ru": Version("ru", "Визит", "Делегация посетила Грузию и "
                                                 "Германию.")}, id="visit-ru")]
    # The name in the Russian version only.
    mixed = Release(versions={"en": Version("en", "Talks", "Talks were held."),
                              "ru": Version("ru", "Переговоры", "Переговоры с Лавровым.")},
                    id="mixed")
    releases = [*sc.corpus(), en, ru, *spelled, *countries, mixed]
    root = sc.build_index(releases, tmp_path_factory.mktemp("names"))
    with Archive(root) as archive:
        yield archive, "seed-en", "seed-ru", releases


def ids(archive: Archive, q: str) -> list[str]:
    return [h["id"] for h in archive.search(SearchRequest(q=q, per_page=50)).hits]


@pytest.mark.parametrize("q", ["Lavrov", "Mammadyarov", "Mamedyarov", "Azerbaijan",
                               "Ilham Aliyev", '"Sergey Lavrov"'])
def test_latin_names_find_the_russian_only_release(split, q) -> None:
    archive, _, ru, _ = split
    assert ru in ids(archive, q)


@pytest.mark.parametrize("q", ["Лавров", "Лаврова", "Мамедъяров", "Алиев", "Азербайджан",
                               '"Сергей Лавров"', "Ильхам"])
def test_cyrillic_names_find_the_english_only_release(split, q) -> None:
    archive, en, _, _ = split
    assert en in ids(archive, q)


def test_name_as_typed_ranks_first(split) -> None:
    archive, en, ru, _ = split
    found = ids(archive, "Lavrov")
    assert found.index(en) < found.index(ru)
    found = ids(archive, "Лавров")
    assert found.index(ru) < found.index(en)


def test_a_phrase_needs_its_names_together(split) -> None:
    archive, en, ru, _ = split
    # Both names are in the release, never next to each other.
    assert en not in ids(archive, '"Лавров Мамедъяров"')
    assert ru not in ids(archive, '"Lavrov Aliyev"')


def test_common_russian_words_do_not_reach_the_key(split) -> None:
    archive, en, _, _ = split
    # "министр" is no name: only the English text's own words could find it.
    assert en not in ids(archive, "министр")


def test_page_says_how_the_name_matched_and_marks_it(split) -> None:
    archive, en, _, _ = split
    page = archive.search(SearchRequest(q="Лавров", per_page=50))
    assert any(n.startswith("Лавров also matched") and "Lavrov" in n
               for n in page.understood.notes), page.understood.notes
    hit = next(h for h in page.hits if h["id"] == en)
    assert "<mark>Lavrov</mark>" in hit["snippet"] + hit["title"]
    # Inflections are the same word, not other spellings.
    assert not any("Лавровым" in n for n in page.understood.notes), page.understood.notes


@pytest.mark.parametrize(("q", "found"), [("Грузия", "visit-en"), ("Германии", "visit-en"),
                                          ("Georgia", "visit-ru"), ("Germany", "visit-ru")])
def test_translated_countries_meet(split, q, found) -> None:
    archive, _, _, _ = split
    assert found in ids(archive, q)


def test_other_spellings_that_find_more_are_offered(split) -> None:
    archive, _, ru, releases = split
    page = archive.search(SearchRequest(q="Mamedyarov", per_page=50))
    notes = [str(n) for n in page.understood.notes]

    def having(name: str) -> int:
        return sum(any(name in v.title or name in v.body for v in r.versions.values())
                   for r in releases)

    assert having("Mamedyarov") == 1
    assert f"Mamedyarov: 1 release; also spelled Mammadyarov: {having('Mammadyarov')}" in notes
    assert having("Mammadyarov") >= 5
    assert ru in {h["id"] for h in page.hits}
    assert len(page.hits) >= 7  # every spelling, the Russian one included
    ru_note = next(n for n in page.understood.notes if str(n).startswith("Mamedyarov: 1"))
    assert "другие написания" in ru_note.ru
    # The more common spelling finds fewer elsewhere: nothing to offer.
    page = archive.search(SearchRequest(q="Mammadyarov", per_page=50))
    assert not any("also spelled" in str(n) for n in page.understood.notes)


def test_a_word_found_only_as_typed_says_nothing(split) -> None:
    archive, _, _, _ = split
    page = archive.search(SearchRequest(q="Caspian", per_page=50))
    assert not any("also matched" in str(n) for n in page.understood.notes)


def test_language_filter_keeps_the_key_to_that_version(split) -> None:
    archive, _, _, _ = split
    assert "mixed" in ids(archive, "Lavrov")
    english = archive.search(SearchRequest.from_params({"q": "Lavrov", "lang": "en",
                                                        "per_page": "50"}))
    assert "mixed" not in {h["id"] for h in english.hits}


def test_the_typed_form_and_the_key_count_once(tmp_path) -> None:
    """A release with the name as typed has its key too: its score is the better of
    the two plus the tie-break share of the other (``BestOf``), not their sum, which
    counted the name twice against the query's other words (docs/names.md)."""
    from whoosh import index as whoosh_index

    from indexer.location import live_index_dir
    from search.archive import WEIGHTING
    from search.matching import TIEBREAK
    from search.names import NameAlternatives
    from search.query import QueryCompiler, parse

    releases = [Release(versions={"en": Version("en", "Talks", "Minister Lavrov met them.")},
                        id="typed"),
                Release(versions={"ru": Version("ru", "Переговоры", "Переговоры с Лавровым.")},
                        id="key"),
                Release(versions={"en": Version("en", "Visit", "The delegation went home.")},
                        id="other")]
    ix = whoosh_index.open_dir(str(live_index_dir(sc.build_index(releases, tmp_path))))
    with ix.searcher(weighting=WEIGHTING) as searcher:
        def scores(compiler: QueryCompiler) -> dict[str, float]:
            q = compiler.compile(parse("Lavrov"), ("en", "ru")).query
            return {hit["id"]: hit.score for hit in searcher.search(q, limit=None)}

        both = scores(QueryCompiler(searcher.reader()))
        text_only = QueryCompiler(searcher.reader())
        text_only.names.enabled = False
        text = scores(text_only)["typed"]
        reader = searcher.reader()
        names = NameAlternatives(reader, lambda f, t: reader.doc_frequency(f, t) > 0)
        alternative = names.query(parse("Lavrov").positive[0].atoms[0], ("en", "ru"))
        key = {hit["id"]: hit.score for hit in searcher.search(alternative)}["typed"]
        assert both["typed"] == pytest.approx(max(text, key) + TIEBREAK * min(text, key))
        assert both["typed"] > both["key"]


@pytest.mark.parametrize("q", ["Mamedyarov", "Лавров", '"Sergey Lavrov"', "Ilham Aliyev"])
def test_a_page_is_the_same_whatever_was_searched_before(split, q) -> None:
    """Name keys and plans are kept per generation and shared by requests; what a request
    matched (notes, marks) is its own: a fresh archive and one that searched the same
    words before (alone, as a phrase, in the other language) give the same page."""
    archive, _, _, _ = split
    for before in ["Mamedyarov Lavrov", '"Sergey Lavrov"', "Лавров", q, "Mammadyarov"]:
        archive.search(SearchRequest(q=before, per_page=50))
        archive.search(SearchRequest.from_params({"q": before, "lang": "ru"}))
    with Archive(archive.root) as fresh:
        first = fresh.search(SearchRequest(q=q, per_page=50)).to_dict()
    again = archive.search(SearchRequest(q=q, per_page=50)).to_dict()
    first.pop("took_ms")
    again.pop("took_ms")
    assert again == first
