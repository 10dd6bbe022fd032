"""Folding a Latin spelling of a name into its script-neutral key.

Only the folding is ours; the standard romanisations of Russian come from
iuliia (``indexer.names.romanising``).  Every spelling, typed or romanised,
goes through the same chain, so two spellings meet when their chains end in
the same key.  What the chain merges (docs/names.md, measured by
``bench/names.py``):

- Azerbaijani and Turkish letters: ə→a, ı→i, ş→sh, ç→ch, ğ→g, ö→o, ü→u, and
  in an Azerbaijani word x→kh ("Xankəndi") and c→dzh ("Hacıyev"); elsewhere x
  is "ks" ("Alexander").
- The letters of the scholarly schemes: č, š, ž, ŝ, â, û, ʹ, ʺ and friends.
- kh/h/x, a silent h after a vowel, y/i (and j where it is й: ``fold``),
  я/ю after a consonant as a/u, ye/e, yu/iu/ju, ya/ia/ja, ts/tz/c, dzh = j,
  doubled letters and the final -iy/-y/-i (and -ie, -ey); c as k before a/o/u
  and consonants ("Clinton" = "Клинтон"), w = v, ph = f, th = t, q = k.
- English spellings read two ways (``latin_keys``): w as в or у, a silent
  final e, u as а ("Hutton" = "Хаттон"), ew as ю ("Newton" = "Ньютон"), ou
  as у ("Aznavour" = "Азнавур"), a Russian feminine surname as the masculine
  one its Russian spelling is lemmatised to ("Aliyeva" = "Алиева"), and
  Azerbaijani q as г ("Qəbələ" = "Габала").
- a/e (Azerbaijani ə is "a" in its Latin romanisation and often "е" in Russian:
  Mammadyarov = Мамедъяров) and g/h (Russian writes Г for H: Гейдар = Heydar,
  Гасанов = Hasanov, Гамбург = Hamburg).
"""

from __future__ import annotations

import re
import unicodedata
from operator import methodcaller
from typing import Any

#: Azerbaijani letters besides ə and x (x only in words that are Azerbaijani).
_AZ_LETTERS = str.maketrans({"ə": "a", "ı": "i", "ş": "sh", "ç": "ch", "ğ": "g",
                             "ö": "o", "ü": "u"})
#: Letters whose presence marks a word as Azerbaijani (then x is "kh").
_AZ_MARKS = re.compile("[əğı]")
#: The scholarly romanisations' letters (GOST 7.79, ISO 9, the scientific scheme).
_SCHOLARLY = str.maketrans({"č": "ch", "š": "sh", "ž": "zh", "ŝ": "shch", "â": "ya",
                            "û": "yu", "ë": "yo", "è": "e", "ʹ": "", "ʺ": "", "`": "",
                            "'": "", "’": "", "”": "", "ʼ": "", "ʻ": ""})

#: Substitutions in order; later ones see the earlier ones' output.
_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), repl) for pattern, repl in (
        (r"shch|shh|sch", "sh"),
        (r"tch", "ch"),
        (r"kh", "h"),
        (r"ph", "f"),
        (r"th", "t"),
        (r"ts|tz|cz", "c"),
        (r"ck|q", "k"),
        # c is k unless it begins ch or stands before e, i, y (Cicero, Ceyhan).
        (r"c(?![heiy])", "k"),
        (r"w", "v"),
        (r"y", "i"),
        # Doubled letters before the vowel folds: "aliyev" → "aliiev" → "aliev".
        (r"(.)\1+", r"\1"),
        # g/h first: a g that became h is as silent after a vowel ("Qarabağ" =
        # "Karabakh" = "Карабах").
        (r"g", "h"),
        # A silent h after a vowel: "John" = "Джон", "Bahrain" = "Бахрейн" (whose kh
        # became h above), "Shah" = "Шах".
        (r"(?<=[aeiou])h(?![aeiou])", ""),
        # The soft я, ю after a consonant: "Luther" = "Лютер", "Pashinyan" = "Пашинян".
        (r"(?<=[^aeiou])i(?=[au])", ""),
        # Final -ie and -ey are -i: "Bennie" = "Бенни", "Wesley" = "Уэсли".
        (r"[ie]i$|ie$", "i"),
        # ye/e: "Yerevan" = "Erevan", "Dostoyevsky" = "Dostoevsky"; not after a
        # consonant, where "aliev" and "aliyev" already meet.
        (r"(^|[aeiou])ie", r"\1e"),
        (r"e", "a"),
        (r"(.)\1+", r"\1"),
    )
)
_NOT_LETTER = re.compile(r"[^a-zJ]")  # J: the дж placeholder (see fold)
#: A letter (or two) without which a rule of ``_RULES`` cannot match: the rule is
#: skipped for a spelling that lacks it (a test is far cheaper than a ``sub``).
_NEEDED = {"shch|shh|sch": "h", r"c(?![heiy])": "c", r"(?<=[aeiou])h(?![aeiou])": "h",
           r"(?<=[^aeiou])i(?=[au])": "i", r"[ie]i$|ie$": "i", r"(^|[aeiou])ie": "ie"}
_LITERAL = re.compile(r"[a-z]+")
#: The replacement r"\1" as a function: ``sub`` expands a template in Python.
_FIRST_GROUP = methodcaller("group", 1)


def _steps(rules: tuple[tuple[re.Pattern[str], str], ...]) -> list[tuple[str, Any, Any]]:
    """``rules`` as (needed letters, literal or pattern, replacement): a literal
    pattern is ``str.replace``d, which replaces as ``sub`` does, only faster, and
    r"\1" is ``_FIRST_GROUP``."""
    return [(_NEEDED.get(pattern.pattern, ""),
             pattern.pattern if _LITERAL.fullmatch(pattern.pattern) and "\\" not in repl
             else pattern, _FIRST_GROUP if repl == r"\1" else repl)
            for pattern, repl in rules]


#: ``_steps(_RULES)``, made again when ``_RULES`` is replaced (bench/names.py does).
_made: tuple[Any, list[tuple[str, Any, Any]]] = (_RULES, _steps(_RULES))


def _plain_letters(text: str) -> str:
    """``text`` with marks stripped (é → e) and anything but a-z dropped."""
    decomposed = unicodedata.normalize("NFKD", text)
    if not decomposed.isascii():  # ASCII has no combining marks
        decomposed = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NOT_LETTER.sub("", decomposed)


#: The дж sound while folding (upper case: no other letter is).
_DZH = "J"


def fold(spelling: str, x_as: str | None = None, j_as: str = _DZH) -> str:
    """The key of one Latin spelling (any case, any diacritics).

    ``x_as`` says what x stands for: "h" in a romanised Russian word (the
    scholarly х) or an Azerbaijani one, "ks" in other words; None decides by
    the letters (ə, ğ, ı mark Azerbaijani).  ``j_as`` says what j stands for:
    дж in English and Azerbaijani spellings ("Jackson" = "Джексон", "Hajiyev" =
    "Гаджиев"), й in the romanisations of Russian that write j ("Sergej"), "i".
    Either way "dzh" is дж.
    """
    global _made
    text = unicodedata.normalize("NFC", spelling.lower())
    azerbaijani = _AZ_MARKS.search(text) is not None
    if x_as is None:
        x_as = "h" if azerbaijani else "ks"
    if azerbaijani:
        text = text.replace("c", _DZH)  # Azerbaijani c is дж: "Hacıyev" = "Гаджиев"
    if not text.isascii():
        # (Of ASCII the tables drop only ` and ', as ``_plain_letters`` does.)
        text = text.translate(_AZ_LETTERS).translate(_SCHOLARLY)
    text = _plain_letters(text).replace("x", x_as).replace("dzh", _DZH).replace("j", j_as)
    rules, steps = _made
    if rules is not _RULES:
        _made = rules, steps = _RULES, _steps(_RULES)
    for needed, pattern, repl in steps:
        if needed and needed not in text:
            continue
        text = text.replace(pattern, repl) if type(pattern) is str else pattern.sub(repl, text)
    return text.replace(_DZH, "j")


#: English spellings Russian transcribes by sound: "ew" is ю ("Newton" = "Ньютон").
_ENGLISH_EW = re.compile(r"ew(?![aeiou])")
_SILENT_E = re.compile(r"[^aeiouy]e$")
_FEMININE = re.compile(r"(?:ov|ev|yev|in|yn)a$")
_ENGLISH_U = re.compile(r"([^aeiouy])u(?=([^aeiouy])\2)")
_ENGLISH_UR = re.compile(r"([^aeiouy])ur(?=[^aeiouy])")


def latin_keys(word: str) -> frozenset[str]:
    """The keys of a word written in Latin letters.

    Some letters are read two ways, each giving a key: an x outside an
    Azerbaijani word ("Xachmaz" is Azerbaijani without its marks, "Alexander" is
    not), and an English w, which Russian writes as в ("Washington" = "Вашингтон")
    or у ("William" = "Уильям", "Wales" = "Уэльс"), and a final e after a
    consonant, silent in English.
    """
    lower = _ENGLISH_EW.sub("iu", word.lower())
    spellings = {lower}
    if "w" in lower:
        spellings.add(lower.replace("w", "u"))
    if _AZ_MARKS.search(lower) and "q" in lower:
        spellings.add(lower.replace("q", "g"))  # Azerbaijani q is к or г: "Qəbələ" = "Габала"
    if _FEMININE.search(lower):
        spellings.add(lower[:-1])  # "Aliyeva" = "Алиева", whose lemma is "алиев"
    if "ou" in lower:
        spellings |= {s.replace("ou", "u") for s in spellings}  # "Aznavour" = "Азнавур"
    # A silent final e: "Jacksonville" = "Джэксонвилл", "Lane" = "Лейн".
    spellings |= {s[:-1] for s in spellings if _SILENT_E.search(s)}
    # English u as in "Hutton" = "Хаттон", "Sullivan" = "Салливан", and "ur" as in
    # "Burns" = "Бернс".
    spellings |= {_ENGLISH_UR.sub(r"\1er", _ENGLISH_U.sub(r"\1a", s)) for s in spellings
                  if _ENGLISH_U.search(s) or _ENGLISH_UR.search(s)}
    keys = set()
    for spelling in spellings:
        if "x" in spelling and not _AZ_MARKS.search(spelling):
            keys.add(fold(spelling, "h"))
        if "j" in spelling:
            keys.add(fold(spelling, j_as="i"))  # typed in a scheme writing й as j
        keys.add(fold(spelling))
    return frozenset(keys)
