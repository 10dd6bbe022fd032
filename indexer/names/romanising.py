"""Russian spellings romanised under the schemes a translator might have used.

The schemes are iuliia's (a maintained library of the standards): the passport
and ICAO scheme (ICAO Doc 9303), BGN/PCGN, GOST 7.79 (system B), the scholarly
(scientific) one and the common "Wikipedia" style.  Each romanisation is then
folded (``indexer.names.folding``); a word has as many keys as distinct folds.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import iuliia

from indexer.names.folding import fold

#: The schemes, by iuliia's names.
SCHEMES = (
    iuliia.ICAO_DOC_9303,
    iuliia.BGN_PCGN,
    iuliia.GOST_779_ALT,
    iuliia.SCIENTIFIC,
    iuliia.WIKIPEDIA,
)

#: Distinct Russian spellings whose keys are remembered.
KEPT = 200_000


def _definition(scheme: Any) -> dict | None:
    """A scheme's rules as iuliia's schema file gives them; None if it has no file."""
    path = getattr(scheme, "path", None)
    if path is None:
        return None
    return json.loads(Path(path).read_text(encoding="utf-8"))


def _apart(a: dict, b: dict) -> tuple[frozenset[str], tuple[str, ...]]:
    """(the letters two schemes may romanise differently: mapped apart, or by a rule
    that looks at a neighbour in either scheme; the endings either has a rule for)."""
    letters: set[str] = set()
    endings: set[str] = set()
    for rules in (a, b):
        letters |= {key[-1] for key in rules.get("prev_mapping") or {}}  # (prev, this)
        letters |= {key[0] for key in rules.get("next_mapping") or {}}   # (this, next)
        endings |= set(rules.get("ending_mapping") or {})
    mapping_a, mapping_b = a.get("mapping") or {}, b.get("mapping") or {}
    letters |= {letter for letter in mapping_a.keys() | mapping_b.keys()
                if mapping_a.get(letter, letter) != mapping_b.get(letter, letter)}
    return frozenset(letters), tuple(sorted(endings))


def _pairs() -> dict[tuple[int, int], tuple[frozenset[str], tuple[str, ...]]]:
    """``_apart`` of each earlier scheme j and later scheme k of ``SCHEMES``, by (j, k)."""
    rules = [_definition(scheme) for scheme in SCHEMES]
    return {(j, k): _apart(rules[j], rules[k])
            for k in range(len(SCHEMES)) for j in range(k)
            if rules[j] is not None and rules[k] is not None}


#: Which letters (and endings) set two schemes apart; read from the schema files once.
_APART = _pairs()


@lru_cache(maxsize=KEPT)
def russian_keys(spelling: str) -> frozenset[str]:
    """The keys of one Russian spelling (lower case, ё or е)."""
    # The scholarly schemes write х as x and й as j; дж is "dzh" in every scheme.
    # Most words read alike in most schemes: a scheme is not run on a single
    # lower-case word that has none of the letters (nor an ending) that set it apart
    # from one already run, and each distinct romanisation is folded once.
    plain = spelling.isalpha() and spelling.islower()
    romanised: set[str] = set()
    run: list[int] = []
    for k, scheme in enumerate(SCHEMES):
        if plain and any((apart := _APART.get((j, k))) is not None
                         and apart[0].isdisjoint(spelling) and not spelling.endswith(apart[1])
                         for j in run):
            continue  # the same romanisation as scheme j's
        romanised.add(scheme.translate(spelling))
        run.append(k)
    return frozenset(fold(text, x_as="h", j_as="i") for text in romanised)
