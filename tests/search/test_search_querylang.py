"""The query language parser: syntax, malformed input, caps (no index needed)."""

from __future__ import annotations

from search.query import MAX_CLAUSES, MAX_QUERY_CHARS, MIN_PREFIX, parse


def test_plain_words_are_all_required() -> None:
    p = parse("каспийское море Lavrov")
    assert [g.atoms[0].text for g in p.positive] == ["каспийское", "море", "Lavrov"]
    assert p.render() == "каспийское AND море AND Lavrov"
    assert not p.notes


def test_or_joins_neighbours_and_not_excludes() -> None:
    p = parse('Lavrov OR Лавров -Путин NOT "strategic partnership" title:переговоры')
    assert [a.text for a in p.positive[0].atoms] == ["Lavrov", "Лавров"]
    assert [g.atoms[0].text for g in p.negative] == ["Путин", "strategic partnership"]
    assert p.negative[1].atoms[0].phrase
    assert p.positive[1].atoms[0].scope == "title"


def test_scoped_phrase_prefix_and_fuzzy() -> None:
    p = parse('title:"Каспийского моря" азерб* negot* Mamedyarov~ Мамедьяров~2 x~9')
    atoms = [g.atoms[0] for g in p.groups]
    assert atoms[0].phrase and atoms[0].scope == "title"
    assert atoms[1].prefix and atoms[1].text == "азерб"
    assert atoms[2].prefix and atoms[2].text == "negot"
    assert atoms[3].fuzzy == -1 and atoms[4].fuzzy == 2
    assert atoms[5].fuzzy == 2 and any("fuzzy distance 9" in n for n in p.notes)


def test_short_prefix_is_read_as_a_word() -> None:
    p = parse("аз*")
    assert not p.groups[0].atoms[0].prefix and p.groups[0].atoms[0].text == "аз"
    assert any(f"at least {MIN_PREFIX}" in n for n in p.notes)


def test_operator_soup_is_read_without_error_and_explained() -> None:
    p = parse('AND OR NOT -- ~~ "" * - title: ((')
    assert p.is_empty
    joined = " ".join(p.notes)
    for fragment in ("'--'", "'~~'", "empty phrase", "'*'", "'-'", "title:", "OR", "parentheses"):
        assert fragment in joined, fragment


def test_unbalanced_quote_reads_the_rest_as_words() -> None:
    p = parse('"стратегического партнерства')
    assert [g.atoms[0].text for g in p.groups] == ["стратегического", "партнерства"]
    assert not any(a.phrase for g in p.groups for a in g.atoms)
    assert any("unbalanced quote" in n for n in p.notes)


def test_huge_or_lists_and_long_queries_are_capped() -> None:
    p = parse(" OR ".join(f"w{i}" for i in range(200)))
    assert len(p.groups) == 1 and len(p.groups[0].atoms) == MAX_CLAUSES
    assert any(f"first {MAX_CLAUSES}" in n for n in p.notes)
    p = parse("слово " * 1000)
    assert any(f"first {MAX_QUERY_CHARS} characters" in n for n in p.notes)


def test_control_characters_and_surrogates_are_dropped() -> None:
    p = parse("Lav\x00rov \ud800 море\u202e")
    assert [g.atoms[0].text for g in p.groups] == ["Lav", "rov", "море"]
