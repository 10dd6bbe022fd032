"""Russian spellings romanised under the schemes a translator might have used.

The schemes are iuliia's (a maintained library of the standards): the passport
and ICAO scheme (ICAO Doc 9303), BGN/PCGN, GOST 7.79 (system B), the scholarly
(scientific) one and the common "Wikipedia" style.  Each romanisation is then
folded (``indexer.names.folding``); a word has as many keys as distinct folds.
"""

from __future__ import annotations

from functools import lru_cache

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


@lru_cache(maxsize=KEPT)
def russian_keys(spelling: str) -> frozenset[str]:
    """The keys of one Russian spelling (lower case, ё or е)."""
    # The scholarly schemes write х as x and й as j; дж is "dzh" in every scheme.
    # Most words read alike in most schemes: each distinct romanisation is folded once.
    romanised = {scheme.translate(spelling) for scheme in SCHEMES}
    return frozenset(fold(text, x_as="h", j_as="i") for text in romanised)
