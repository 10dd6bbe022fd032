"""Query corrections: the wrong keyboard layout and misspelled words.

Both are drawn from the index's own vocabulary (the ``words`` field), so a
suggestion always names words that occur in some release.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from indexer.analysis import TOKEN_PATTERN

# Standard ЙЦУКЕН ↔ QWERTY: the same physical keys.
_QWERTY = "`qwertyuiop[]asdfghjkl;'zxcvbnm,./"
_JCUKEN = "ёйцукенгшщзхъфывапролджэячсмитьбю."
TO_CYRILLIC = {**dict(zip(_QWERTY, _JCUKEN, strict=True)),
               **dict(zip(_QWERTY.upper(), _JCUKEN.upper(), strict=True))}
# Shifted punctuation keys on QWERTY give Cyrillic capitals.
TO_CYRILLIC.update({"{": "Х", "}": "Ъ", ":": "Ж", '"': "Э", "<": "Б", ">": "Ю", "~": "Ё"})
TO_LATIN = {v: k for k, v in TO_CYRILLIC.items() if v.isalpha()}

_OPERATORS = {"OR", "AND", "NOT"}
_LATIN_WORD = re.compile(r"^[A-Za-z\[\]{};:'\",.<>/`~]+$")
_CYRILLIC_WORD = re.compile(r"^[А-Яа-яЁё]+$")
_AFFIX = re.compile(r"^(-?(?:title:|body:)?)(.*?)([*]|~\d?)?$", re.IGNORECASE)

#: A word found in at most this many releases is a candidate for correction.
RARE_WORD_DF = 0
MAX_EDITS = 2
#: Longer "words" are pasted junk: an edit-distance search over them costs seconds.
MAX_WORD = 40


def convert_word(word: str) -> str | None:
    """The word typed on the other layout, or None when it is not a single-layout word."""
    if _LATIN_WORD.match(word) and any(ch.isalpha() for ch in word):
        return "".join(TO_CYRILLIC.get(ch, ch) for ch in word)
    if _CYRILLIC_WORD.match(word):
        return "".join(TO_LATIN.get(ch, ch) for ch in word)
    return None


def convert_layout(q: str) -> str | None:
    """The whole query as if typed on the other keyboard layout; None if nothing changes.

    Operators, quotes and field prefixes stay as they are.
    """
    out = []
    changed = False
    for token in re.split(r"(\s+)", q):
        if not token or token.isspace() or token in _OPERATORS:
            out.append(token)
            continue
        lead, trail = "", ""
        core = token
        while core[:1] in ('"', "("):
            lead, core = lead + core[0], core[1:]
        while core[-1:] in ('"', ")"):
            trail, core = core[-1] + trail, core[:-1]
        m = _AFFIX.match(core)
        prefix, word, suffix = (m.group(1), m.group(2), m.group(3) or "") if m else ("", core, "")
        converted = convert_word(word) if word else None
        if converted and converted != word:
            changed = True
            word = converted
        out.append(f"{lead}{prefix}{word}{suffix}{trail}")
    return "".join(out) if changed else None


def vocabulary_df(reader, word: str) -> int:
    return reader.doc_frequency("words", word)


def correct_word(reader, word: str) -> str | None:
    """The most frequent vocabulary word near ``word``, when ``word`` itself is unknown."""
    lowered = word.lower().replace("ё", "е")
    if (not 3 <= len(lowered) <= MAX_WORD or lowered.isdigit()
            or vocabulary_df(reader, lowered) > RARE_WORD_DF):
        return None
    edits = 1 if len(lowered) <= 4 else MAX_EDITS
    best: tuple[int, int, str] | None = None
    for distance in range(1, edits + 1):
        for candidate in reader.terms_within("words", lowered, distance, prefix=1):
            candidate = candidate.decode() if isinstance(candidate, bytes) else candidate
            if candidate == lowered:
                continue
            df = vocabulary_df(reader, candidate)
            key = (df, -distance, candidate)
            if best is None or key > best:
                best = key
        if best is not None:
            break
    return best[2] if best else None


class Corrections:
    """Spelling corrections of one index generation, remembered across requests.

    Finding one walks the vocabulary with an edit-distance automaton (ms per
    word); the answer only changes with the index.  Only words are kept, never
    a reader: each call brings the calling thread's reader of that generation.
    """

    def __init__(self, limit: int = 20_000) -> None:
        self.limit = limit
        self._known: dict[str, str | None] = {}

    def word(self, reader, word: str) -> str | None:
        if word in self._known:
            return self._known[word]
        better = correct_word(reader, word)
        if len(self._known) >= self.limit:
            self._known.clear()
        self._known[word] = better
        return better


#: Queries of more words are sentences pasted in, not typed: each unknown word
#: costs an edit-distance walk of the vocabulary, and "did you mean" for a
#: whole sentence helps nobody.
MAX_WORDS_CORRECTED = 6


def correct_query(reader, q: str, corrections: Corrections | None = None,
                  expired: Callable[[], bool] | None = None) -> str | None:
    """``q`` with its unknown words replaced by their likeliest vocabulary neighbours.

    Once ``expired()`` the remaining words are left as typed (each costs a walk
    of the vocabulary)."""
    if len(TOKEN_PATTERN.findall(q)) > MAX_WORDS_CORRECTED:
        return None
    corrections = corrections or Corrections()
    changed = False

    def fix(m: re.Match) -> str:
        nonlocal changed
        word = m.group()
        # Field names, and words the user already made prefix or fuzzy, stay.
        if word in _OPERATORS or m.string[m.end():m.end() + 1] in (":", "~", "*"):
            return word
        if expired is not None and expired():
            return word
        better = corrections.word(reader, word)
        if better is None:
            return word
        changed = True
        return better.capitalize() if word[:1].isupper() else better

    corrected = TOKEN_PATTERN.sub(fix, q)
    return corrected if changed else None
