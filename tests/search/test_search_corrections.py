"""Corrections: remembered per index generation, bounded, equal to a fresh walk."""

from __future__ import annotations

from whoosh import fields
from whoosh.filedb.filestore import RamStorage

from search.suggest import Corrections, correct_word


def vocabulary_reader():
    ix = RamStorage().create_index(fields.Schema(words=fields.KEYWORD(lowercase=True)))
    with ix.writer() as w:
        w.add_document(words="переговоров министр negotiations")
        w.add_document(words="переговоров министра")
    return ix.reader()


def test_corrections_equal_a_fresh_walk_and_are_remembered(monkeypatch) -> None:
    reader = vocabulary_reader()
    corrections = Corrections(limit=2)
    assert corrections.word(reader, "переговров") == correct_word(reader, "переговров")
    assert corrections.word(reader, "переговров") == "переговоров"

    def no_walk(*_args):
        raise AssertionError("a remembered word walked the vocabulary again")

    monkeypatch.setattr("search.suggest.correct_word", no_walk)
    assert corrections.word(reader, "переговров") == "переговоров"


def test_corrections_stay_bounded() -> None:
    reader = vocabulary_reader()
    corrections = Corrections(limit=2)
    for word in ("минситр", "negotiatons", "переговров", "министрр"):
        corrections.word(reader, word)
    assert len(corrections._known) <= 2
