"""Unit tests of the bilingual analyzer (indexer/analysis.py)."""

from __future__ import annotations

import pickle

import pytest

from indexer.analysis import (
    SURFACE_MARK,
    BilingualAnalyzer,
    BilingualMorphFilter,
    analyze,
    script_of,
    shared_morph_analyzer,
)


def tokens(analyzer, text: str, mode: str = "index") -> list[tuple[str, int, int, int]]:
    return [
        (t.text, t.pos, t.startchar, t.endchar)
        for t in analyzer(text, positions=True, chars=True, mode=mode)
    ]


def morph_filter(analyzer) -> BilingualMorphFilter:
    return next(f for f in analyzer.items if isinstance(f, BilingualMorphFilter))


@pytest.fixture(scope="module")
def plain():
    return BilingualAnalyzer(lemma_mode="all", surface=False)


def test_script_routing() -> None:
    assert script_of("министр") == "cyrl"
    assert script_of("minister") == "latn"
    assert script_of("332/17") == "other"
    assert script_of("2008") == "other"


def test_cyrillic_lemmatized_latin_stemmed_codes_kept(plain) -> None:
    assert analyze("министрами ministers 332/17", plain) == [
        "министр", "minist", "332/17", "332", "17",
    ]


def test_english_stemmer_is_not_applied_to_russian(plain) -> None:
    # A Latin stemmer would cut "переговоры" to nothing useful; routing keeps pymorphy3's lemma.
    assert analyze("переговорах", plain) == ["переговоры"]


def test_stop_words_dropped_in_both_languages(plain) -> None:
    assert analyze("the of and и в на", plain) == []
    assert analyze("the Ministry of Foreign Affairs", plain) == ["ministri", "foreign", "affair"]
    assert analyze("визит в Баку", plain)[0] == "визит"
    assert "в" not in analyze("визит в Баку", plain)


def test_yo_folded_to_ye(plain) -> None:
    assert analyze("самолёт", plain) == analyze("самолет", plain) == ["самолет"]
    assert analyze("Учёный", plain) == ["ученый"]
    # "ещё" folds to the stop word "еще".
    assert analyze("ещё", plain) == []


def test_hyphenated_word_positions_are_phrase_ready(plain) -> None:
    toks = tokens(plain, "армяно-азербайджанского урегулирования")
    positions = {text: pos for text, pos, _, _ in toks}
    assert positions["армяно-азербайджанский"] == 0
    assert positions["армяно"] == 0
    assert positions["азербайджанский"] == 1
    # The following word shifts past the parts, so "азербайджанского урегулирования" is a phrase.
    assert positions["урегулирование"] == 2


def test_code_parts_consecutive_and_later_tokens_shift(plain) -> None:
    toks = tokens(plain, "North-South 332/17 corridor")
    assert [(text, pos) for text, pos, _, _ in toks] == [
        ("north-south", 0), ("north", 0), ("south", 1),
        ("332/17", 2), ("332", 2), ("17", 3),
        ("corridor", 4),
    ]


def test_chars_point_at_original_text(plain) -> None:
    text = "Встреча с Лавровым, North-South и 332/17"
    for term, _pos, start, end in tokens(plain, text):
        original = text[start:end].lower().replace("ё", "е")
        assert original, term
        # Every term comes from the characters it points at: the word or one of its parts.
        assert any(part in original for part in ("встреч", "лавров", "north", "south", "332", "17"))
    spans = {term: text[start:end] for term, _p, start, end in tokens(plain, text)}
    assert spans["лавров"] == "Лавровым"
    assert spans["north-south"] == "North-South"
    assert spans["south"] == "South"
    assert spans["17"] == "17"


def test_chars_after_a_compound_are_not_disturbed(plain) -> None:
    text = "North-South corridor"
    spans = {term: text[s:e] for term, _p, s, e in tokens(plain, text)}
    assert spans["corridor"] == "corridor"


def test_all_mode_indexes_every_lemma_at_the_same_position() -> None:
    toks = tokens(BilingualAnalyzer(lemma_mode="all", surface=False), "стали")
    assert sorted(t[0] for t in toks) == ["сталь", "стать"]
    assert {t[1] for t in toks} == {0}


def test_best_mode_keeps_the_first_parse_only() -> None:
    assert len(analyze("стали", BilingualAnalyzer(lemma_mode="best", surface=False))) == 1


def test_surface_variant_emitted_when_it_differs() -> None:
    analyzer = BilingualAnalyzer(lemma_mode="all", surface=True)
    assert SURFACE_MARK + "министрами" in analyze("министрами", analyzer)
    # No surface variant when the word already is its own lemma.
    assert analyze("министр", analyzer) == ["министр"]


def test_invalid_lemma_mode_rejected() -> None:
    with pytest.raises(ValueError):
        BilingualMorphFilter(lemma_mode="some")


def test_query_mode_gives_the_same_terms_as_index_mode() -> None:
    analyzer = BilingualAnalyzer()
    text = "Лавров встретился с Мамедъяровым: North-South, 332/17, Azerbaijan's ёлка"
    assert tokens(analyzer, text, mode="query") == tokens(analyzer, text, mode="index")


def test_pickle_round_trip_drops_the_morph_analyzer() -> None:
    analyzer = BilingualAnalyzer(lemma_mode="best", surface=True)
    analyze("министрами", analyzer)  # warm: the lookup and the shared MorphAnalyzer exist now
    blob = pickle.dumps(analyzer)
    assert b"MorphAnalyzer" not in blob
    assert b"pymorphy" not in blob
    restored = pickle.loads(blob)
    assert morph_filter(restored).lemma_mode == "best"
    assert morph_filter(restored).cache_info() is None  # rebuilt lazily, not unpickled
    assert analyze("министрами ministers", restored) == analyze("министрами ministers", analyzer)


def test_unpickled_filter_from_old_state_gets_defaults() -> None:
    # Indexes written before a setting existed must still open.
    f = BilingualMorphFilter.__new__(BilingualMorphFilter)
    f.__setstate__({"_terms_for": None})
    assert f.terms("министрами")[0] == "министр"


def test_shared_morph_analyzer_is_one_instance() -> None:
    assert shared_morph_analyzer() is shared_morph_analyzer()


def test_lemma_cache_is_bounded() -> None:
    f = BilingualMorphFilter(cache_size=3)
    for word in ("один", "министр", "посол", "визит", "встреча"):
        f.terms(word)
    info = f.cache_info()
    assert info.maxsize == 3
    assert info.currsize == 3


def test_morph_filter_is_marked_as_morph() -> None:
    assert BilingualMorphFilter.is_morph is True
    assert morph_filter(BilingualAnalyzer()).is_morph is True
    # Whoosh consults this to decide whether a field can be searched with stemming variations.
    assert BilingualAnalyzer().has_morph()


def test_equal_settings_compare_equal() -> None:
    assert BilingualMorphFilter("all", True) == BilingualMorphFilter("all", True)
    assert BilingualMorphFilter("all", True) != BilingualMorphFilter("best", True)
    assert hash(BilingualMorphFilter("best", False)) == hash(BilingualMorphFilter("best", False))
