"""The script-neutral key of one name word, and which words are names.

``name_keys`` gives every key of a word: Russian words by their lemmas
(pymorphy3) romanised under several schemes, Latin words as written; all
folded by ``indexer.names.folding``.  ``is_name_candidate`` decides which
words of a text enter the key field (docs/names.md gives the measurements
behind each rule).
"""

from __future__ import annotations

from functools import lru_cache

from indexer.analysis import STOP_WORDS, script_of, shared_morph_analyzer
from indexer.names.folding import latin_keys
from indexer.names.romanising import KEPT, russian_keys

#: pymorphy3's grammemes of proper names: first names, surnames, patronymics,
#: places and organisations.
NAME_TAGS = frozenset({"Name", "Surn", "Patr", "Geox", "Orgn"})
#: The least share of a word's parses (pymorphy3's scores) that must read it as
#: a name: "Вера" (0.30) and "Надежда" (0.46) are names; a capitalised "Мира"
#: (a name in 0.003 of its readings) is the noun (bench/names.py --candidates).
MIN_NAME_SCORE = 0.1
#: Endings of the adjectives made from names ("методистский", "англиканский").
ADJECTIVE_ENDINGS = ("ский", "цкий")
#: The shortest such stem kept ("польский" → "pol" would meet "Pol").
MIN_STEM_LETTERS = 4
#: The shortest name: one letter is an initial ("S. Lavrov"), not a name.
MIN_NAME_LETTERS = 2


@lru_cache(maxsize=KEPT)
def _russian_reading(word: str) -> tuple[tuple[str, ...], bool, bool]:
    """(the lemmas that read ``word`` as a name, else its first lemma; whether it is a
    name: a name reading of at least ``MIN_NAME_SCORE``, or a word the dictionary
    lacks; whether its lemmas are sure: the dictionary has it, as more than another
    name's plural)."""
    morph = shared_morph_analyzer()
    parses = morph.parse(word)
    named = [p for p in parses if NAME_TAGS & p.tag.grammemes]
    share = sum(p.score for p in named)
    # A name in the plural is rare, another name's plural form common: "Алиев" also
    # reads as the genitive plural of "Алий" (which would meet "Ali"), "Лавров" of
    # "Лавр".  Plural readings count only when there is no other.
    singular = [p for p in named if "plur" not in p.tag]
    # A word read only as another name's plural ("Керимов" of "Керим") is most
    # likely a surname the dictionary lacks: the word itself is kept too.
    only_plural = bool(named) and not singular
    named = singular or named
    known = morph.word_is_known(word)
    if not known:
        # Guesses: the nouns among the first readings too ("Мэннинга" reads first
        # as a feminine name, then as the genitive of "мэннинг").
        named += [p for p in parses[:3] if p.tag.POS == "NOUN" and p not in named]
    # Lemmas keep ё (romanised as "yo": "Fyodor") and also come without it.
    lemmas = dict.fromkeys(form for p in (named or parses[:1])
                           for form in (p.normal_form, p.normal_form.replace("ё", "е")))
    if not named:
        first = parses[0] if parses else None
        if first is not None and first.tag.POS == "ADJF" and first.normal_form.endswith(
                ADJECTIVE_ENDINGS):
            # A capitalised adjective of a name: "Методистской" has the key of
            # "методист" too ("Methodist"), "Англиканской" that of "Anglican".
            stem = first.normal_form[:-4]
            if len(stem) >= MIN_STEM_LETTERS:
                lemmas[stem] = None
    return tuple(lemmas), share >= MIN_NAME_SCORE or not known, known and not only_plural


def russian_lemmas(word: str) -> tuple[str, ...]:
    """The lemmas that read a lower-case Russian word as a name, else its first."""
    return _russian_reading(word)[0]


def _lower(word: str) -> str:
    return word.lower().replace("ё", "е")


def is_name_candidate(word: str, lang: str | None = None, initial: bool = False) -> bool:
    """Whether a word as written in a text is a name for the key field.

    Latin: capitalised, not a stop word, and not at the start of a sentence
    (``initial``; the analyzer lets such a word in when the same text also has it
    inside a sentence).  Cyrillic: capitalised and read as a name by pymorphy3, or
    unknown to its dictionary, or inside a sentence (Russian capitalises little
    but names: "Теслы" is the inventor there, though the dictionary knows only the
    unit).  ``lang`` is a hint only: the script decides.
    """
    if len(word) < MIN_NAME_LETTERS or not word[0].isupper():
        return False
    lower = _lower(word)
    if lower in STOP_WORDS:
        return False
    kind = script_of(lower)
    if kind == "latn":
        return not initial
    if kind == "cyrl":
        return not initial or _russian_reading(lower)[1]
    return False


def is_russian_name(word: str) -> bool:
    """Whether a Russian word, in any case, reads as a name (see ``is_name_candidate``)."""
    return _russian_reading(_lower(word))[1]


def name_keys(word: str, lang: str | None = None) -> frozenset[str]:
    """The folded keys of one name word.

    Russian: its name lemmas (else its first lemma), each romanised under every
    scheme, and the word itself when the dictionary lacks it: its lemmas are
    guesses then ("Мамедъяров" → "мамедъяр").  Latin: the word folded.
    Digits and codes have no key.  ``lang`` is a hint only: the script decides.
    """
    # Remembered by the lower-case form: the key field asks with the word as
    # written, the spellings field in lower case, and each must fold it once.
    return _name_keys(_lower(word))


@lru_cache(maxsize=KEPT)
def _name_keys(lower: str) -> frozenset[str]:
    kind = script_of(lower)
    if kind == "latn":
        return latin_keys(lower)
    if kind != "cyrl":
        return frozenset()
    lemmas, _, sure = _russian_reading(lower)
    keys: set[str] = set()
    for spelling in dict.fromkeys(lemmas if sure else (*lemmas, lower)):
        keys |= russian_keys(spelling)
    keys.discard("")
    return frozenset(keys)
