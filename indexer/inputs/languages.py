"""Per-paragraph language detection by script and vocabulary.

Releases interleave whole paragraphs of each language, so a paragraph is the
unit.  Cyrillic text is Russian (Ukrainian when its own letters show); Latin
text is English only when English function words say so, Azerbaijani when its
letters (ə, ğ, ı, ş) or words show, and otherwise undetermined: a Latin
paragraph is never English by default, so that an Azerbaijani version never
ends up in the English one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

#: ISO 639-2 "undetermined": too little evidence (names, numbers, short lines).
UNDETERMINED = "und"

#: Paragraphs of at most this many words are title-like: their detection is
#: weak and they take their neighbours' language when it is undetermined.
SHORT_WORDS = 5
#: Characters looked at per paragraph: plenty for a verdict, and linear time
#: for pathological inputs (a 15 MB "paragraph").
SAMPLE_CHARS = 20_000

#: Apostrophes split: "he's" counts as the function word "he".
_WORD = re.compile(r"[^\W\d_]+")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f\u0259\u018f]")

EN_WORDS = frozenset(
    """a about after against all also an and any are as at be been before being
    between both but by can could did do does during each for from had has have
    he her his how if in into is it its itself more most must no not of on once
    only or other our out over own same shall she should so some such than that
    the their them then there these they this those through to under until up
    upon very was we were what when where which while who whom why will with
    within without would you your""".split()
)
AZ_WORDS = frozenset(
    """və ilə üçün üzrə olan olaraq olub edib etdi edilib bu bir də da ki isə
    həm daha görüş görüşü görüşdə nazir naziri nazirliyi nazirliyinin xarici
    işlər respublikası respublikasının azərbaycan azərbaycanın arasında
    əməkdaşlıq əlaqələrin əlaqələri məsələləri qeyd etmişdir bildirib""".split()
)
TR_WORDS = frozenset(
    """ve ile için bir bu da de ki olan olarak olan dışişleri bakanı bakanlığı
    türkiye cumhuriyeti arasında görüştü işbirliği""".split()
)
#: Letters of Azerbaijani Latin that English never uses; ə is Azerbaijani's own.
AZ_LETTERS = frozenset("əƏğĞıİşŞçÇöÖüÜ")
UK_LETTERS = frozenset("іїєґІЇЄҐ")
RU_ONLY_LETTERS = frozenset("ыэъёЫЭЪЁ")

#: Share of words that must be English function words for "en".  English prose
#: has 35-50%; names and headlines fewer, Azerbaijani text none.
MIN_EN_SHARE = 0.1


def script_counts(text: str) -> tuple[int, int]:
    """(Cyrillic letters, Latin letters) in ``text``."""
    sample = text[:SAMPLE_CHARS]
    return len(_CYRILLIC.findall(sample)), len(_LATIN.findall(sample))


def detect_language(paragraph: str) -> str:
    """The language of one paragraph: "ru", "uk", "en", "az", "tr" or "und"."""
    sample = paragraph[:SAMPLE_CHARS]
    cyrillic, latin = script_counts(sample)
    if cyrillic == 0 and latin == 0:
        return UNDETERMINED
    if cyrillic >= latin:
        uk = sum(1 for ch in sample if ch in UK_LETTERS)
        ru = sum(1 for ch in sample if ch in RU_ONLY_LETTERS)
        return "uk" if uk >= max(2, 0.02 * cyrillic) and ru == 0 else "ru"
    words = [w.lower() for w in _WORD.findall(sample) if _LATIN.match(w)]
    if not words:
        return UNDETERMINED
    en = sum(1 for w in words if w in EN_WORDS) / len(words)
    az_words = sum(1 for w in words if w in AZ_WORDS) / len(words)
    az_letters = sum(1 for ch in sample if ch in AZ_LETTERS) / latin
    has_schwa = "ə" in sample or "Ə" in sample
    if en >= MIN_EN_SHARE and en >= az_words and az_letters < 0.02:
        return "en"
    if has_schwa:
        return "az"
    tr_words = sum(1 for w in words if w in TR_WORDS) / len(words)
    if az_letters >= 0.01 and (az_words or tr_words):
        # Turkish shares the letters and "bu", but not "ilə", "üzrə", "və".
        return "tr" if tr_words > az_words else "az"
    if az_words >= MIN_EN_SHARE:
        return "az"
    if en >= MIN_EN_SHARE:
        return "en"
    return UNDETERMINED


def word_count(text: str) -> int:
    return len(text[:SAMPLE_CHARS].split())


def _ends_sentence(text: str) -> bool:
    return text.rstrip().endswith((".", "!", "?", "…", ".»", '."', ".”"))


def assign_languages(
    paragraphs: Sequence[str], hints: Sequence[str | None] | None = None
) -> list[str]:
    """The language of each paragraph, with undetermined ones resolved.

    A hint (an HTML ``lang`` attribute) wins unless the script contradicts it.
    An undetermined paragraph takes the language of its neighbours with the
    same script; at a boundary between two languages a title-like line (no
    final full stop) belongs to the block it opens, anything else to the
    block it closes.
    """
    detected = [detect_language(p) for p in paragraphs]
    if hints:
        for i, hint in enumerate(hints):
            if hint and i < len(detected):
                detected[i] = _apply_hint(hint, detected[i], paragraphs[i])
    scripts = [_script(p) for p in paragraphs]
    resolved = list(detected)
    for i, lang in enumerate(detected):
        if lang != UNDETERMINED:
            continue
        before = _neighbour(detected, scripts, i, -1)
        after = _neighbour(detected, scripts, i, 1)
        if before and after and before != after:
            resolved[i] = before if _ends_sentence(paragraphs[i]) else after
        else:
            resolved[i] = before or after or UNDETERMINED
    return resolved


def _neighbour(detected: list[str], scripts: list[str], i: int, step: int) -> str | None:
    j = i + step
    while 0 <= j < len(detected):
        if detected[j] != UNDETERMINED and (
            scripts[i] == "none" or scripts[j] == scripts[i]
        ):
            return detected[j]
        j += step
    return None


def _script(text: str) -> str:
    cyrillic, latin = script_counts(text)
    if not cyrillic and not latin:
        return "none"
    return "cyrl" if cyrillic >= latin else "latn"


def normalize_lang(code: str) -> str:
    """"ru-RU" → "ru", "az-Latn-AZ" → "az", "EN" → "en"."""
    return code.strip().replace("_", "-").split("-")[0].lower()


def _apply_hint(hint: str, detected: str, paragraph: str) -> str:
    hint = normalize_lang(hint)
    if not hint or hint == detected:
        return detected
    script = _script(paragraph)
    cyrillic_hint = hint in {"ru", "uk", "be", "bg", "sr", "kk"}
    # A template's lang="en" around a Russian paragraph (or the reverse) is a
    # mistake; the script is unambiguous and wins.
    if script == "cyrl" and not cyrillic_hint:
        return detected
    if script == "latn" and cyrillic_hint and detected != UNDETERMINED:
        return detected
    return hint


def split_by_language(
    paragraphs: Sequence[str], hints: Sequence[str | None] | None = None
) -> dict[str, list[str]]:
    """Group paragraphs by language, keeping their order within each group.

    Languages appear in the order of their first paragraph.
    """
    groups: dict[str, list[str]] = {}
    for paragraph, lang in zip(paragraphs, assign_languages(paragraphs, hints), strict=True):
        groups.setdefault(lang, []).append(paragraph)
    return groups
