"""The shortcuts of the name keys give what the plain way gives.

``fold`` skips a rule whose letters a spelling lacks and ``str.replace``s literal
rules; ``russian_keys`` runs a scheme only where it may differ from one already
run.  Each is checked against the plain way on spellings chosen to hit the rules.
"""

from __future__ import annotations

from itertools import product

import pytest

from indexer.names import folding
from indexer.names.folding import fold
from indexer.names.romanising import _APART, SCHEMES, russian_keys

_SPELLINGS = ["shchukin", "Tschaikowsky", "Khachaturian", "Philip", "Thatcher", "Tsvetaeva",
              "Nietzsche", "Quinn", "Cicero", "Ceyhan", "Wesley", "Yerevan", "Dostoyevsky",
              "Aliyev", "Hacıyev", "Qəbələ", "Şəki", "Müller", "Pashinyan", "Bennie", "John",
              "Bahrain", "Shah", "Luther", "Fëdor", "Sergej", "Xankəndi", "Alexander", "d'Arc",
              "O’Brien", "ab`c", "Dzhabarov", "Jackson", "Ieva", "Zoë", "Chiara", "aa", "",
              "Ffyona", "Schmidt", "Ggg", "hhh", "Yusif", "Iafet", "Aie", "Eie"]


@pytest.mark.parametrize("options", [{}, {"x_as": "h"}, {"j_as": "i"}, {"x_as": "h", "j_as": "i"}])
def test_fold_gives_what_the_plain_rules_give(monkeypatch, options) -> None:
    fast = [fold(s, **options) for s in _SPELLINGS]
    # Every rule by ``re.sub``, none skipped.
    monkeypatch.setattr(folding, "_steps", lambda rules: [("", p, r) for p, r in rules])
    monkeypatch.setattr(folding, "_made", (None, []))
    assert [fold(s, **options) for s in _SPELLINGS] == fast


def test_russian_keys_skip_only_schemes_that_agree() -> None:
    letters = "абвгдеёжзийклмнопрстуфхцчшщъыьэюя"
    some = "аеёийоуцхщъыьэюя"
    words = ["".join(w) for n in (1, 2) for w in product(letters, repeat=n)]
    words += ["".join(w) for w in product(some, repeat=3)][::3]
    words += ["лавров", "алиев", "мамедъяров", "фёдор", "ельцин", "достоевский", "мамед-оглы"]
    for word in words:
        for (j, k), (apart, endings) in _APART.items():
            if apart.isdisjoint(word) and not word.endswith(endings):
                assert SCHEMES[j].translate(word) == SCHEMES[k].translate(word), (word, j, k)
    for word in words[::7]:
        plain = {scheme.translate(word) for scheme in SCHEMES}
        assert russian_keys(word) == {fold(text, x_as="h", j_as="i") for text in plain}, word
