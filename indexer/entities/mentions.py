"""People named in one text: full names found by their shape and context.

English (and other Latin-script text): runs of capitalised words, titles
("Foreign Minister", "H.E. Mr") stripped from their front; a run of two to four
words that no gazetteer name covers and that ends in no institution's noun
("Corridor", "Council") is a candidate, and counts as a person when a title or
honorific stood before it (``Mention.cued``) or when the release's Russian
version names the same person (``indexer.entities.people``).

Russian: runs of capitalised words, their leading title words ("Министр",
"Президентом") stripped; a first name pymorphy3 knows followed by a surname
(or a word its dictionary lacks) is a person; any other run of two to four
words is one when natasha's recogniser says so (``indexer.entities.ner``).

A surname alone is never a person here: "Aliyev" may be another Aliyev.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

from indexer.analysis import TOKEN_PATTERN, script_of, shared_morph_analyzer
from indexer.entities import ner

#: Words of titles and honorifics that stand before a name (English).
TITLES = frozenset("""
mr mrs ms miss dr sir h e he his her excellency president vice prime minister ministers
deputy foreign affairs secretary general secretary-general under-secretary ambassador
ambassadors envoy special representative chairman chairperson chairwoman chair co-chair
co-chairs speaker director executive head commissioner high king queen prince princess emir
sheikh shaykh professor prof senator governor mayor consul counsellor spokesperson spokesman
adviser advisor assistant state acting former chief permanent first defence defense energy
economy trade the met with by and of for to as from said spoke honorable honourable
lady lord archbishop patriarch pope president-elect delegation leader premier chancellor
""".split())
#: Title words that show the words after them are a person's name (a cue).
CUES = TITLES - frozenset("the met with by and of for to as from said state energy economy "
                          "trade defence defense foreign affairs first delegation".split())
#: Nouns ending the names of institutions, places, events and documents, never a person's.
NOT_NAME_ENDS = frozenset("""
company corporation airlines airways railways railway bank fund foundation sea ocean lake
river gulf bay strait basin corridor pipeline route road bridge port airport terminal
station forum declaration agreement convention treaty protocol memorandum statement
resolution commission committee council assembly group union organization organisation
ministry embassy consulate office agency programme program conference summit week day days
year years centre center museum university institute academy school square street avenue
park palace hall plan initiative process partnership movement games contest festival
exhibition strategy court parliament government cabinet republic federation kingdom region
province district city island islands mountains caucasus asia europe africa america east
west north south coast field stage project system service services network law act code
principles document documents affairs cooperation development security heritage culture
carpet carpets festival gas oil energy power visa summit prize award order medal church
mosque cathedral tower house fleet force forces army navy mission delegation news times
post press agency media tv radio
""".split())
#: Lower-case words that may stand inside a name ("Ilham Heydar oglu Aliyev").
PARTICLES = frozenset("oglu ogly oğlu qizi kyzy gizi de da del della di van von der bin ibn "
                      "al el le la du".split())
MAX_WORDS = 4

_SENTENCE_END = re.compile(r"[.!?]\s*$")
_NAME_GRAMMEMES = ("Name", "Surn", "Patr")
_SURNAME_SHAPE = re.compile(r"(ов|ев|ёв|ин|ын|ский|цкий|ли|ян|дзе|швили)"
                            r"(а|у|ым|ом|е|ой|ы|ых|ыми|ого|ому|им|ая|ую)?$")
_ROMAN = re.compile(r"[IVXLC]+")
#: How the parts of a run may be joined: spaces; after an initial or "Mr", a full stop.
_GAP = re.compile(r"\s+|\.\s*")
#: Upper-case letters a name may start with (checked again with ``str.isupper``).
_UPPER = "A-ZÀ-ÖØ-ÞĀ-ſƏƟА-ЯЁ"
_CAPITAL_WORD = rf"[{_UPPER}][^\W_]*(?:['’‐‑-][^\W_]+)*"
#: Two or more capitalised words in a row: where names may be (``runs`` decides).
#: The first word's capital comes first, its look-behind (no letter before it)
#: after it: a pattern opening with a character set is scanned for in C, ~40%
#: faster than trying the look-behind at every offset.
_CAPITAL_RUN = re.compile(
    rf"[{_UPPER}](?<![^\W_].)[^\W_]*(?:['’‐‑-][^\W_]+)*(?:(?:[ \t]+|\.[ \t]*)"
    rf"(?:{_CAPITAL_WORD}|(?:{'|'.join(sorted(PARTICLES))})(?=[ \t]+[{_UPPER}])))+")


@dataclass(frozen=True)
class Mention:
    """A person's full name as one text writes it."""

    lang: str
    #: the words as written ("Сергеем", "Лавровым")
    words: tuple[str, ...]
    #: the name in the nominative, as a label ("Сергей Лавров"; English as written)
    label: str
    start: int
    end: int
    #: a title or honorific stood before it (English), or the recogniser or the
    #: dictionary read it as a person (Russian)
    cued: bool = False

    def moved(self, by: int) -> Mention:
        """The same mention ``by`` characters further on (``dataclasses.replace`` is slower)."""
        return Mention(self.lang, self.words, self.label, self.start + by, self.end + by,
                       self.cued)


Token = tuple[int, int, str]


def runs(text: str, tokens: list[Token], joins_after_stop: Iterable[str] = ()) -> list[list[Token]]:
    """Maximal runs of capitalised (or particle) words joined by spaces only; a full
    stop may join after a one-letter initial or a word of ``joins_after_stop``."""
    after_stop = {w.lower() for w in joins_after_stop}
    result: list[list[Token]] = []
    current: list[Token] = []
    for token in tokens:
        start, _, word = token
        # Abbreviations ("OSCE") are no part of a name; regnal numbers ("Pius XII") are.
        capital = word[:1].isupper() and not (len(word) > 1 and word.isupper()
                                              and not _ROMAN.fullmatch(word))
        particle = word in PARTICLES and bool(current)
        if current and (capital or particle) and not _possessive(current[-1][2]):
            previous = current[-1]
            gap = text[previous[1]:start]
            joined = gap.strip() == "" or (
                _GAP.fullmatch(gap) is not None and "\n" not in gap
                and (len(previous[2]) == 1 or previous[2].lower() in after_stop))
            if joined:
                current.append(token)
                continue
        if current:
            result.append(current)
        current = [token] if capital else []
    if current:
        result.append(current)
    return [_trim_particles(run) for run in result if run]


def _possessive(word: str) -> bool:
    """"Modi's Twitter": a possessive ends a name."""
    return word.endswith(("'s", "’s"))


def _trim_particles(run: list[Token]) -> list[Token]:
    while run and run[-1][2] in PARTICLES:
        run = run[:-1]
    return run


def capital_runs(text: str, joins_after_stop: Iterable[str] = ()) -> Iterator[list[Token]]:
    """The runs of capitalised words of ``text`` (``runs`` over each stretch of
    capitalised words a regular expression finds: the text is not walked in Python)."""
    joins = tuple(joins_after_stop)
    for stretch in _CAPITAL_RUN.finditer(text):
        at = stretch.start()
        for run in _stretch_runs(stretch.group(), joins):
            yield [(start + at, end + at, word) for start, end, word in run]


#: Stretches whose runs and name candidates are remembered: the same ones
#: ("United States", "Foreign Minister") recur from release to release (a
#: quarter of them are distinct in the generated corpus).
KEPT_STRETCHES = 20_000


@lru_cache(maxsize=KEPT_STRETCHES)
def _stretch_runs(stretch: str, joins: tuple[str, ...]) -> tuple[tuple[Token, ...], ...]:
    """The runs of one stretch, offsets within it (a stretch's runs depend on it alone)."""
    tokens = [(m.start(), m.end(), m.group()) for m in TOKEN_PATTERN.finditer(stretch)]
    if ("." in stretch or any(_possessive(t[2]) for t in tokens[:-1])
            or any(len(t[2]) > 1 and t[2].isupper() for t in tokens)):
        return tuple(tuple(run) for run in runs(stretch, tokens, joins))
    # Words and spaces only: one run (the expression joined nothing else).
    return (tuple(_trim_particles(tokens)),)


Candidate = tuple[Mention, str | None]


def _stretch_mentions(text: str, covered: set[int], lang: str) -> list[Mention]:
    """The full names of ``text`` in ``lang`` (see the module doc), stretch by stretch.

    A stretch no gazetteer name touches has the same candidates wherever it
    is: they are worked out once (``_stretch_candidates``), and the recogniser
    is asked about the unsettled ones through its own cache, so that its
    answers (or its absence) stay its own.  Only a stretch a country or an
    organisation cuts is read in place.
    """
    found = []
    joins = _JOINS_AFTER_STOP if lang == "en" else ()
    named_after = _NAMED_AFTER.search
    for stretch in _CAPITAL_RUN.finditer(text):
        at, end = stretch.span()
        if covered and not covered.isdisjoint(range(at, end)):
            # Only which of its words a country or an organisation starts on
            # matters (no name crosses one): the same cut stretches recur too.
            group = stretch.group()
            cut = tuple(s + at in covered for run in _stretch_runs(group, joins)
                        for s, _, _ in run)
            candidates: Iterable[Candidate] = _cut_candidates(group, lang, cut)
        else:
            # Most stretches hold no candidate: nothing is built for them.
            candidates = _stretch_candidates(stretch.group(), lang)
        for mention, ask in candidates:
            if ask is not None and not ner.is_person(ask):
                continue
            start = mention.start + at
            if not named_after(text, max(0, start - 16), start):
                found.append(mention.moved(at) if at else mention)
    return found


@lru_cache(maxsize=KEPT_STRETCHES)
def _stretch_candidates(stretch: str, lang: str) -> tuple[Candidate, ...]:
    joins = _JOINS_AFTER_STOP if lang == "en" else ()
    return tuple(candidate for run in _stretch_runs(stretch, joins)
                 for candidate in _candidates(list(run), lang))


@lru_cache(maxsize=KEPT_STRETCHES)
def _cut_candidates(stretch: str, lang: str, cut: tuple[bool, ...]) -> tuple[Candidate, ...]:
    """The candidates of a stretch whose words flagged in ``cut`` (each run's,
    in order) a country or an organisation starts on; offsets within it."""
    joins = _JOINS_AFTER_STOP if lang == "en" else ()
    flags = iter(cut)
    return tuple(candidate for run in _stretch_runs(stretch, joins)
                 for part in _split_flagged(run, flags)
                 for candidate in _candidates(part, lang))


def _split_flagged(run: Iterable[Token], flags: Iterator[bool]) -> list[list[Token]]:
    """The parts of ``run`` between its flagged tokens (a country or an
    organisation starts there: no name crosses it)."""
    parts: list[list[Token]] = [[]]
    for token in run:
        if next(flags):
            parts.append([])
        else:
            parts[-1].append(token)
    return [p for p in parts if p]


def _candidates(part: list[Token], lang: str) -> list[Candidate]:
    """The name in ``part`` of a run, with the text to ask the recogniser about
    when the analysis alone does not settle it."""
    if lang == "en":
        return [(m, None) for m in _english_person(part)]
    if all(script_of(t[2].lower()) == "cyrl" for t in part):
        found = _russian_candidate(part)
        return [found] if found is not None else []
    return []


#: Words after which a full stop may join a run (English): "Mr. Aliyev", "H.E.".
_JOINS_AFTER_STOP = ("mr", "mrs", "ms", "dr", "h", "e", "st")


def english_mentions(text: str, covered: set[int]) -> list[Mention]:
    """Candidate full names in an English text; ``covered``: the character offsets
    inside gazetteer mentions (countries, organisations), which no name crosses."""
    return _stretch_mentions(text, covered, "en")


def _english_person(run: list[Token]) -> list[Mention]:
    cued = False
    while run and (run[0][2].lower() in TITLES or len(run[0][2]) == 1):
        cued = cued or run[0][2].lower() in CUES
        run = run[1:]
    if not 2 <= len(run) <= MAX_WORDS:
        return []
    words = tuple(_strip_possessive(t[2]) for t in run)
    lowered = [w.lower() for w in words]
    if lowered[-1] in NOT_NAME_ENDS or any(w in TITLES or w in NOT_NAME_ENDS for w in lowered):
        return []
    if any(script_of(w) != "latn" or not w.replace("-", "").replace("'", "").isalpha()
           for w in lowered):
        return []
    return [Mention("en", words, " ".join(words), run[0][0], run[-1][1], cued)]


def _strip_possessive(word: str) -> str:
    for tail in ("'s", "’s"):
        if word.endswith(tail):
            return word[:-2]
    return word


# --- Russian ------------------------------------------------------------------------


@dataclass(frozen=True)
class Reading:
    """What pymorphy3 makes of one capitalised Russian word.

    The nominatives are worked out when a label first asks for them: pymorphy3's
    ``inflect`` builds the word's whole lexeme (two fifths of a reading's cost),
    and a label takes one of the two of a word at most, often none.
    """

    first_parse: Any        # the parse reading it as a first name, if any
    surname_parse: Any      # the parse reading it as a surname, if any
    surname_guess: str | None  # the nominative by its ending, when it only looks like one
    patronymic: bool
    known: bool             # in pymorphy3's dictionary
    named: bool             # any name reading (first name, surname, patronymic)

    @property
    def is_first_name(self) -> bool:
        return self.first_parse is not None

    @property
    def is_surname(self) -> bool:
        return self.surname_parse is not None or self.surname_guess is not None

    @cached_property
    def first_name(self) -> str | None:
        """The nominative, when it reads as a first name."""
        return None if self.first_parse is None else _nominative(self.first_parse)

    @cached_property
    def surname(self) -> str | None:
        """The nominative, when it reads (or looks) like a surname."""
        if self.surname_parse is not None:
            return _nominative(self.surname_parse)
        return self.surname_guess


@lru_cache(maxsize=100_000)
def reading(word: str) -> Reading:
    morph = shared_morph_analyzer()
    lower = word.lower().replace("ё", "е")
    parses = morph.parse(lower)
    known = morph.word_is_known(lower)
    first = surname = guess = None
    patronymic = False
    for parse in parses:
        grammemes = parse.tag.grammemes
        if parse.score < 0.1:
            continue
        if "Name" in grammemes and first is None:
            first = parse
        elif "Surn" in grammemes and surname is None:
            surname = parse
        elif "Patr" in grammemes:
            patronymic = True
    if surname is None and _SURNAME_SHAPE.search(lower):
        surname = next((p for p in parses if "Surn" in p.tag.grammemes), None)
        if surname is None:
            guess = _surname_nominative(lower)
    named = first is not None or surname is not None or guess is not None or patronymic
    return Reading(first, surname, guess, patronymic, known, named)


def _nominative(parse) -> str:
    form = parse.inflect({"nomn", "sing"}) or parse.inflect({"nomn"})
    return (form.word if form else parse.normal_form).replace("ё", "е")


def _surname_nominative(lower: str) -> str:
    """A surname's nominative by its ending, for one pymorphy3 has no reading of."""
    match = re.search(r"(ов|ев|ёв|ин|ын)(а|у|ым|ом|е|ой|ы|ых|ыми)$", lower)
    if match is None:
        return lower
    stem = lower[:match.start(2)]
    return stem + "а" if match.group(2) in ("ой",) else stem


#: "аэропорт имени Гейдара Алиева", "named after Heydar Aliyev": a place, not a mention;
#: «Август Раш», "Green Mile": a title in quotes.
_NAMED_AFTER = re.compile(r"(?:имени|им\.|named after|[«\"“„'])\s*$", re.IGNORECASE)


def russian_mentions(text: str, covered: set[int]) -> list[Mention]:
    """Full names in a Russian text (see the module doc)."""
    return _stretch_mentions(text, covered, "ru")


def _russian_candidate(run: list[Token]) -> Candidate | None:
    readings = [reading(t[2]) for t in run]
    # Title words: known to the dictionary with no name reading ("Министр", "Дел").
    while run and readings[0].known and not readings[0].named:
        run, readings = run[1:], readings[1:]
    while run and readings[-1].known and not readings[-1].named:
        run, readings = run[:-1], readings[:-1]
    if not 2 <= len(run) <= MAX_WORDS:
        return None
    if any(r.known and not r.named for r in readings):
        return None
    settled = readings[0].is_first_name and (readings[-1].is_surname or not readings[-1].known)
    text = " ".join(t[2] for t in run)
    label = " ".join(_label_word(t[2], r, i == len(run) - 1)
                     for i, (t, r) in enumerate(zip(run, readings, strict=True)))
    mention = Mention("ru", tuple(t[2] for t in run), label, run[0][0], run[-1][1], True)
    return mention, (None if settled else text)


def _label_word(word: str, r: Reading, last: bool) -> str:
    lower = word.lower()
    if not r.known and lower[-1:] in "уюиеоэ" and not _SURNAME_SHAPE.search(lower):
        # A foreign name the dictionary lacks, ending in a vowel, is not declined
        # ("Киану", "Моди"): pymorphy3's guess would cut it ("Киан").
        return word
    if last and r.surname:
        nominative = r.surname
    elif not last and r.first_name:
        nominative = r.first_name
    elif r.patronymic and not last:
        nominative = word.lower()
    else:
        nominative = word.lower()
    return "-".join(part[:1].upper() + part[1:] for part in nominative.split("-"))
