"""Highlighting finds the same words as analyzing every word of the text would."""

from __future__ import annotations

import random
import re

import pytest
import search_corpus as sc

from indexer.analysis import SURFACE_MARK, TOKEN_PATTERN, PlainAnalyzer, default_analyzer
from search.highlight import PREFIX, _best_window, match_spans, snippet

TRICKY = [
    "Е.Лавров и ё-моё: ёлка, елка, Ёлка; переговоры-переговоров, «Переговоры»!",
    "Azerbaijan's vice-president/minister re-elected; co-operation_agreement 5 5th 55 a-5 x--y",
    "Министр—министру, министр–министра; 2017-2018 №332/17 и т.д. р-н Москвы",
    "'quoted' -leading trailing- /slashed/ ’apostrophe’ energy-energies energetic",
]


def reference_spans(text: str, analyzer, terms: frozenset[str]) -> list[tuple[int, int]]:
    """Every word of the text analyzed: marked when a part begins like a query term
    (the documented prefix rule) and its terms meet the query's."""
    starts = {t.removeprefix(SURFACE_MARK)[:PREFIX].replace("ё", "е") for t in terms}
    out = []
    for m in TOKEN_PATTERN.finditer(text.lower()):
        word = m.group()
        parts = re.split(r"['’‐‑/-]", word.replace("ё", "е"))
        if not any(p[:PREFIX] in starts for p in parts):
            continue
        if not terms.isdisjoint(t.text for t in analyzer(word, mode="index")):
            out.append(m.span())
    return out


def query_terms(analyzer, words: list[str]) -> frozenset[str]:
    return frozenset(t.text for w in words for t in analyzer(w, mode="query"))


def texts() -> list[str]:
    bodies = [" ".join(v.body.split()) for r in sc.corpus()[:30] for v in r.versions.values()]
    return TRICKY + bodies


@pytest.mark.parametrize("plain", [False, True], ids=["bilingual", "plain"])
def test_marked_words_are_those_whose_terms_match(plain: bool) -> None:
    analyzer = PlainAnalyzer() if plain else default_analyzer()
    rng = random.Random(5)
    checked = marked = 0
    for text in texts():
        words = TOKEN_PATTERN.findall(text)
        for _ in range(4):
            picked = rng.sample(words, min(3, len(words)))
            terms = query_terms(analyzer, picked + ["ёлка", "5", "a"])
            expected = reference_spans(text, analyzer, terms)
            assert match_spans(text, analyzer, terms) == expected, (picked, text[:80])
            checked += 1
            marked += len(expected)
    assert checked > 100 and marked > checked  # the comparison marked real words


def test_forms_parts_and_yo_spellings_are_marked() -> None:
    analyzer = default_analyzer()
    text = TRICKY[0]
    marked = [text[s:e] for s, e in match_spans(text, analyzer, query_terms(analyzer, ["ёлки"]))]
    assert marked == ["ёлка", "елка", "Ёлка"]
    marked = [text[s:e] for s, e in
              match_spans(text, analyzer, query_terms(analyzer, ["переговоры"]))]
    assert marked == ["переговоры-переговоров", "Переговоры"]
    text = TRICKY[1]
    marked = [text[s:e] for s, e in match_spans(text, analyzer, query_terms(analyzer, ["5"]))]
    assert marked == ["5", "a-5"]


def test_snippet_marks_forms_and_escapes() -> None:
    analyzer = default_analyzer()
    text = ("Вступление.\n\n" + "слово " * 80 + "Стороны  провели\n<b>переговоры</b> в\tБаку.\n"
            + "ещё " * 80 + "\n")
    out = snippet(text, analyzer, set(query_terms(analyzer, ["переговоров"])))
    assert "&lt;b&gt;<mark>переговоры</mark>&lt;/b&gt;" in out
    assert out.startswith("…") and out.endswith("…") and len(out) <= 320
    assert "Стороны провели &lt;b&gt;" in out and "в Баку." in out
    assert not any(space in out for space in ("\n", "\t", "  "))


def brute_force_window(text: str, spans: list[tuple[int, int]], width: int):
    best = (0, min(len(text), width), 0)
    for i, (s, _) in enumerate(spans):
        start = max(0, s - width // 5)
        end = min(len(text), start + width)
        inside = [text[a:b].lower() for a, b in spans[i:] if b <= end]
        score = len(inside) + 2 * len(set(inside))
        if score > best[2]:
            best = (start, end, score)
    return best


def test_best_window_is_the_brute_force_one() -> None:
    rng = random.Random(11)
    vocabulary = ["Море", "море", "морей", "x" * 300, "переговоры", "Баку", "a"]
    for _ in range(300):
        words = [rng.choice(vocabulary) for _ in range(rng.randrange(1, 80))]
        text = " ".join(words)
        spans, at = [], 0
        for word in words:
            if rng.random() < 0.4:
                spans.append((at, at + len(word)))
            at += len(word) + 1
        for width in (40, 150, 280):
            assert _best_window(text, spans, width) == brute_force_window(text, spans, width)
