"""Names across scripts (issue 12): the seed release split into an English-only and a
Russian-only release, searched by names in the other script and other romanisations."""

from __future__ import annotations

import dataclasses

import pytest
import search_corpus as sc

from search import Archive, SearchRequest


@pytest.fixture(scope="module")
def split(codec, tmp_path_factory):
    """(archive, English-only id, Russian-only id), the seed's halves plus a filler
    corpus so that the key's weights are those of a real archive."""
    seed = sc.seed_release()
    if seed is None:
        pytest.skip(f"no seed release at {sc.SEED}")
    en = dataclasses.replace(seed, versions={"en": seed.versions["en"]}, id="seed-en")
    ru = dataclasses.replace(seed, versions={"ru": seed.versions["ru"]}, id="seed-ru")
    root = sc.build_index([*sc.corpus(), en, ru], tmp_path_factory.mktemp("names"))
    with Archive(root) as archive:
        yield archive, "seed-en", "seed-ru"


def ids(archive: Archive, q: str) -> list[str]:
    return [h["id"] for h in archive.search(SearchRequest(q=q, per_page=50)).hits]


@pytest.mark.parametrize("q", ["Lavrov", "Mammadyarov", "Mamedyarov", "Azerbaijan",
                               "Ilham Aliyev", '"Sergey Lavrov"'])
def test_latin_names_find_the_russian_only_release(split, q) -> None:
    archive, _, ru = split
    assert ru in ids(archive, q)


@pytest.mark.parametrize("q", ["Лавров", "Лаврова", "Мамедъяров", "Алиев", "Азербайджан",
                               '"Сергей Лавров"', "Ильхам"])
def test_cyrillic_names_find_the_english_only_release(split, q) -> None:
    archive, en, _ = split
    assert en in ids(archive, q)


def test_name_as_typed_ranks_first(split) -> None:
    archive, en, ru = split
    found = ids(archive, "Lavrov")
    assert found.index(en) < found.index(ru)
    found = ids(archive, "Лавров")
    assert found.index(ru) < found.index(en)


def test_a_phrase_needs_its_names_together(split) -> None:
    archive, en, ru = split
    # Both names are in the release, never next to each other.
    assert en not in ids(archive, '"Лавров Мамедъяров"')
    assert ru not in ids(archive, '"Lavrov Aliyev"')


def test_common_russian_words_do_not_reach_the_key(split) -> None:
    archive, en, _ = split
    # "министр" is no name: only the English text's own words could find it.
    assert en not in ids(archive, "министр")


def test_page_says_how_the_name_matched_and_marks_it(split) -> None:
    archive, en, _ = split
    page = archive.search(SearchRequest(q="Лавров", per_page=50))
    assert any(n.startswith("Лавров also matched") and "Lavrov" in n
               for n in page.understood.notes), page.understood.notes
    hit = next(h for h in page.hits if h["id"] == en)
    assert "<mark>Lavrov</mark>" in hit["snippet"] + hit["title"]
