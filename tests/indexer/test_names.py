"""The script-neutral name key (issue 12): folding, keys, name detection, the key field.

``tests/golden/names.txt`` holds name pairs across scripts (``latin|cyrillic|same`` or
``different``), judged by hand.  It is small and fast, so every line runs by default
(razdel style: ``PRESSROOM_FULL_GOLDEN`` is not needed); lines listed in
``names_known_failures.txt`` are strict xfails.
"""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
from whoosh import fields

from indexer.names import fold, is_name_candidate, name_keys
from indexer.names.analysis import (
    NameKeyAnalyzer,
    NameKeyText,
    candidates,
    keys_of,
    name_words,
    spelling_terms,
)

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
SAMPLES = Path(__file__).resolve().parents[2] / "samples"


def read_pairs() -> list[tuple[str, str, str]]:
    pairs = []
    for raw in (GOLDEN / "names.txt").read_text(encoding="utf-8").splitlines():
        if raw.strip() and not raw.startswith("#"):
            latin, cyrillic, verdict = raw.split("|")
            pairs.append((latin, cyrillic, verdict))
    return pairs


def read_known_failures() -> dict[tuple[str, str], str]:
    failures = {}
    for raw in (GOLDEN / "names_known_failures.txt").read_text(encoding="utf-8").splitlines():
        if raw.strip() and not raw.startswith("#"):
            latin, cyrillic, reason = raw.split("|", 2)
            failures[latin, cyrillic] = reason
    return failures


def _cases() -> list:
    known = read_known_failures()
    cases = []
    for latin, cyrillic, verdict in read_pairs():
        marks = ()
        if (latin, cyrillic) in known:
            marks = (pytest.mark.xfail(reason=known[latin, cyrillic], strict=True),)
        cases.append(pytest.param(latin, cyrillic, verdict, marks=marks,
                                  id=f"{latin}|{cyrillic}"))
    return cases


def test_golden_file_is_big_and_varied_enough() -> None:
    pairs = read_pairs()
    assert len(pairs) >= 150
    assert sum(v == "different" for _, _, v in pairs) >= 30
    assert {v for _, _, v in pairs} == {"same", "different"}
    assert set(read_known_failures()) <= {(a, b) for a, b, _ in pairs}


@pytest.mark.parametrize(("latin", "cyrillic", "verdict"), _cases())
def test_golden_pair(latin: str, cyrillic: str, verdict: str) -> None:
    shared = set(keys_of(latin)) & set(keys_of(cyrillic))
    assert ("same" if shared else "different") == verdict, (keys_of(latin), keys_of(cyrillic))


@pytest.mark.parametrize("spellings", [
    ("Məmmədyarov", "Mammadyarov", "Mamedyarov", "Мамедъяров", "Мамедъярова"),
    ("Əliyev", "Aliyev", "Aliev", "Алиев", "Алиевым"),
    ("Ilham", "Ilkham", "Ильхам", "Ильхамом"),
    ("Lavrov", "Лавров", "Лаврова", "Лавровым"),
    ("Sergey", "Sergei", "Sergej", "Сергей", "Сергеем"),
    ("Dmitry", "Dmitriy", "Dmitrii", "Dmitri", "Дмитрий"),
    ("Yulia", "Yuliya", "Iuliia", "Julija", "Юлия"),
    ("Tskhinvali", "Tshinvali", "Цхинвали"),
])
def test_variants_share_a_key(spellings) -> None:
    common = set.intersection(*(set(name_keys(s)) for s in spellings))
    assert common, {s: sorted(name_keys(s)) for s in spellings}


def test_fold_rules() -> None:
    assert fold("Khan") == fold("Han") == fold("Xan", x_as="h")
    assert fold("Yusif") == fold("Iusif")
    assert fold("Mammadov") == fold("Mamadov")
    assert fold("Zelenskiy") == fold("Zelensky") == fold("Zelenskii")
    assert fold("Tsvetkov") == fold("Tzvetkov") == fold("Cvetkov")
    assert fold("Jackson") != fold("Iackson")  # j is дж in an English spelling


def test_names_are_told_from_common_words() -> None:
    assert is_name_candidate("Lavrov")
    assert not is_name_candidate("Lavrov", initial=True)  # sentence start: unproven
    assert not is_name_candidate("The") and not is_name_candidate("lavrov")
    assert is_name_candidate("Лаврова", initial=True)  # the dictionary knows the name
    assert is_name_candidate("Мамедъяров", initial=True)  # unknown to the dictionary
    assert not is_name_candidate("Мир", initial=True)  # the noun, at a sentence start
    assert not is_name_candidate("Министр", initial=True)


def test_text_names_and_positions() -> None:
    text = ("Minister Elmar Mammadyarov met Sergey Lavrov. Lavrov said the minister "
            "and Ilham Aliyev met in Baku. Южно-Африканской Республике и Мамедъярову.")
    words = name_words(text)
    assert "Minister" not in words  # also written in lower case in the text
    assert {"Elmar", "Mammadyarov", "Sergey", "Lavrov", "Ilham", "Aliyev", "Baku"} <= set(words)
    positions: dict[str, int] = {}
    for word, _, _, pos, _ in candidates(text):
        positions.setdefault(word, pos)  # first occurrences
    assert positions["Lavrov"] == positions["Sergey"] + 1
    assert positions["Ilham"] > positions["Lavrov"] + 1  # other words between
    analyzed = [(t.text, t.pos) for t in NameKeyAnalyzer()(text, positions=True)]
    assert ("=za", positions["Южно"]) in analyzed  # a two-word country's gazetteer key
    assert "lavrov|lavrov" in spelling_terms(text).split()


def test_analyzer_pickles_small() -> None:
    analyzer = NameKeyAnalyzer()
    data = pickle.dumps(analyzer)
    assert b"Morph" not in data and len(data) < 1_000
    text = "Foreign Minister Elmar Mammadyarov met Sergey Lavrov in Baku."
    assert [t.text for t in pickle.loads(data)(text)] == [t.text for t in analyzer(text)]


def _texts() -> list[str]:
    paths = sorted(p for p in SAMPLES.rglob("*") if p.is_file())
    return [p.read_text(encoding="utf-8", errors="ignore") for p in paths] + [
        "", "no names at all", "Lavrov", "Lavrov's visit. Lavrov's talks",
        "«Азербайджан» — Ильхам Алиев; Иран, Ирак!", "\ufeffBOM Baku\n\nTitle Case Line",
        # A gazetteer key ahead of a word before it in its run; one key, two words.
        "Lavrov met Russian Russian Federation officials, then Lavrov's Minister South Africa.",
        "Визит Лаврова в Соединенных Штатах Америки; Лавров, Лавровым"]


def test_key_field_indexes_exactly_like_a_text_field() -> None:
    fast = NameKeyText(analyzer=NameKeyAnalyzer(), phrase=True)
    stock = fields.TEXT(analyzer=NameKeyAnalyzer(), phrase=True)
    for text in _texts():
        assert list(fast.index(text)) == list(stock.index(text)), text[:80]


def test_another_gazetteer_folder_is_read_at_once(tmp_path, monkeypatch) -> None:
    """Switching the GAZETTEER folder (as `retag --gazetteer` does) changes the keys
    at once, however soon after an earlier load."""
    from indexer.names.countries import country_key

    assert country_key("Xanadu") is None  # the bundled gazetteer, loaded just now
    (tmp_path / "countries.toml").write_text('[countries.AZ]\nen = ["Xanadu"]\n',
                                             encoding="utf-8")
    monkeypatch.setenv("PRESSROOM_GAZETTEER", str(tmp_path))
    assert country_key("Xanadu") == "=az"
