"""Scraped page text → release.

The text of a ministry page as a scraper saves it: banner and breadcrumb
lines, a date line ("Press release 21 November 2017"), a number line
("No:332/17, <English title> (ENG/RU)"), the English paragraphs, the Russian
title and paragraphs, then share buttons and the footer.  ``htmlpage`` feeds
its block texts into the same ``release_from_paragraphs``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from indexer.inputs.dates import find_date, find_number
from indexer.inputs.languages import UNDETERMINED, assign_languages, detect_language
from indexer.release import Release, ReleaseError, Version

# --- noise -----------------------------------------------------------------

#: Whole lines (casefolded, whitespace collapsed, trailing ":" dropped) that
#: are page furniture in any of the site's languages.
NOISE_LINES = frozenset(
    """share this page|share|print|print version|printable version|версия для печати
    |поделиться|распечатать|privacy policy|terms of use|cookie policy|back|назад
    |read more|подробнее|all news|все новости|top|наверх|menu|меню|search|поиск
    |home|главная|skip to content|skip to main content|перейти к содержанию|accept
    |ok|close|закрыть|subscribe|подписаться|facebook|twitter|x|telegram|whatsapp
    |linkedin|youtube|instagram|email|e-mail|related news|related|похожие новости
    |последние новости|другие новости|english|русский|azərbaycan|azərbaycanca|en|ru
    |az|eng|rus|aze|news|новости|press releases|пресс-релизы|press service
    |пресс-служба|sitemap|карта сайта|contacts|контакты""".replace("\n", "").split("|")
)
NOISE_LINES = frozenset(s.strip() for s in NOISE_LINES)
#: Furniture recognised by a fragment: banners, copyright, cookie notices.
NOISE_PATTERNS = re.compile(
    r"banner image|all rights reserved|все права защищены|bütün hüquqlar|"
    r"^©|^\(c\)\s*\d{4}|^copyright\b|licensed material|"
    r"\bcookies?\b|\bкуки\b|файлы cookie|"
    r"^share (?:on|via|this)\b|^поделиться\b|^print(?:er)?[- ]friendly|"
    r"^(?:tags|теги|keywords|ключевые слова)\s*:|"
    r"^(?:views|просмотров|просмотры)\s*:?\s*\d+$|"
    r"^(?:en|ru|az|eng|rus|aze|english|русский)(?:\s*[|/·•]\s*"
    r"(?:en|ru|az|eng|rus|aze|english|русский|azərbaycan(?:ca)?))+$",
    re.IGNORECASE,
)
#: Breadcrumbs: "Home / Press service / Press releases", "Главная » Пресс-служба".
_CRUMB_SEPARATOR = re.compile(r"\s(?:/|>|»|›|→|\|)\s")
#: Lines longer than this are never furniture (and never fed to the patterns).
NOISE_MAX_CHARS = 300

# --- title markers and labels (dates and numbers: indexer/inputs/dates.py) -----

#: "(ENG/RU)", "(RU/ENG)", "(ENG)", "(EN, RU, AZ)" after the title.
_LANG_MARKER = re.compile(
    r"\(\s*(?:ENG|EN|RUS|RU|AZE|AZ|AZERI)(?:\s*[/,|]\s*(?:ENG|EN|RUS|RU|AZE|AZ|AZERI))*\s*\)",
    re.IGNORECASE,
)
#: Words that label a date or number line and are not part of any title.
_LABELS = re.compile(
    r"press[- ]release|пресс[- ]релиз|mətbuat (?:xidmətinin )?məlumatı|press statement|"
    r"news|новости|date|дата|published|опубликовано|\bг\.|года?\b|[\s,.:;|–—-]+",
    re.IGNORECASE,
)

_SENTENCE_END = (".", "!", "?", "…", '."', ".”", ".»", "!»", "?»", ".)")
#: Lines with at most this many words, before the date or number line, are
#: menu items and site names rather than a title.
MENU_MAX_WORDS = 3
#: A title is at most this long; longer first paragraphs are body text.
TITLE_MAX_WORDS = 40
#: A paragraph of at least this many words is body text even without a full stop.
BODY_MIN_WORDS = 25
#: The header (date, number, title) is looked for in this many first paragraphs.
HEADER_MAX_PARAGRAPHS = 12
#: One release page is a few kB of text (a few hundred kB of HTML); anything
#: this large is a dump or an archive, refused before any parsing.
MAX_PAGE_CHARS = 2_000_000
#: Likewise, a release has tens of paragraphs, not thousands.
MAX_PARAGRAPHS = 3_000
MAX_LINES = 10_000
_YEAR = re.compile(r"\d{4}")


@dataclass
class Paragraph:
    text: str
    #: A language hint from the source (an HTML lang attribute), if any.
    hint: str | None = None


def parse_scraped_text(text: str) -> Release:
    """Parse the text of one scraped release page."""
    check_page_size(text)
    if not text.strip():
        raise ReleaseError("empty file")
    return _release([Paragraph(p) for p in paragraphs_from_text(text)])


def check_page_size(text: str) -> None:
    """Refuse a "page" far larger than any release before parsing it."""
    if len(text) > MAX_PAGE_CHARS:
        raise ReleaseError(
            f"{len(text) / 1e6:.1f} million characters is far too long for one release page "
            f"(limit {MAX_PAGE_CHARS / 1e6:.0f} million); archives belong in JSON Lines"
        )


def paragraphs_from_text(text: str) -> list[str]:
    """Blank-line separated paragraphs, furniture lines dropped.

    Inside a block, a line that does not end a sentence and is followed by a
    lowercase start is hard-wrapped and joined; other lines are paragraphs of
    their own (scrapers often put one paragraph per line).
    """
    lines = text.count("\n") + 1
    if lines > MAX_LINES:
        raise ReleaseError(f"{lines} lines: not one press release (at most {MAX_LINES})")
    paragraphs: list[str] = []
    current: list[str] = []

    def flush() -> None:
        if current:
            paragraphs.append(" ".join(current))
            current.clear()

    for raw in text.split("\n"):
        line = normalize_space(raw)
        if not line:
            flush()
            continue
        if is_noise(line):
            continue
        if current and _continues(current[-1], line):
            current.append(line)
        else:
            flush()
            current.append(line)
    flush()
    return paragraphs


def normalize_space(text: str) -> str:
    return " ".join(text.split())


def _continues(previous: str, line: str) -> bool:
    if previous.endswith((*_SENTENCE_END, ":", ";", ")")):
        return False
    first = line[0]
    return first.islower() or previous.endswith((",", "-", "–"))


def is_noise(line: str) -> bool:
    """True for page furniture: share buttons, banners, footers, breadcrumbs."""
    if len(line) > NOISE_MAX_CHARS:
        return False
    key = line.casefold().rstrip(":").strip()
    if key in NOISE_LINES:
        return True
    if NOISE_PATTERNS.search(line):
        # A body paragraph may mention cookies or copyright; only short,
        # sentence-less lines or explicit notices are furniture.
        return len(line.split()) <= 40
    crumbs = _CRUMB_SEPARATOR.findall(line)
    return len(crumbs) >= 1 and len(line.split()) <= 12 and not line.endswith(_SENTENCE_END)


# --- titles ----------------------------------------------------------------


def strip_lang_marker(title: str) -> str:
    """Drop a trailing "(ENG/RU)" marker.  Linear: only the last "(" is examined."""
    title = title.rstrip()
    if title.endswith(")"):
        start = title.rfind("(")
        if start >= 0 and _LANG_MARKER.fullmatch(title[start:]):
            title = title[:start].rstrip()
    return title


def _leftover(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` without the given spans, trimmed of separators."""
    pieces, last = [], 0
    for start, end in sorted(spans):
        pieces.append(text[last:start])
        last = max(last, end)
    pieces.append(text[last:])
    rest = " ".join(p.strip() for p in pieces if p.strip())
    return rest.strip(" ,.:;|–—-").strip()


def _is_label_only(text: str) -> bool:
    return not _LABELS.sub("", text).strip()


# --- the release -------------------------------------------------------------


def ends_sentence(text: str) -> bool:
    return text.rstrip().endswith(_SENTENCE_END)


def is_title_like(text: str) -> bool:
    words = len(text.split())
    return 0 < words <= TITLE_MAX_WORDS and not text.rstrip().endswith(
        tuple(e for e in _SENTENCE_END if "?" not in e)
    )


def is_body_like(text: str) -> bool:
    words = len(text.split())
    return words >= BODY_MIN_WORDS or (words >= 6 and ends_sentence(text))


@dataclass
class _Header:
    date: dt.date | None = None
    number: str | None = None
    title: str | None = None


def release_from_paragraphs(
    paragraphs: Sequence[str],
    *,
    date: dt.date | None = None,
    url: str | None = None,
    lang_hints: Sequence[str | None] | None = None,
) -> Release:
    """Build a release from the block texts of a page, in reading order.

    ``date`` (from page metadata) wins over a date in the text; ``lang_hints``
    run parallel to ``paragraphs``.
    """
    hints = list(lang_hints) if lang_hints is not None else [None] * len(paragraphs)
    items = [
        Paragraph(normalize_space(text), hint)
        for text, hint in zip(paragraphs, hints, strict=False)
    ]
    return _release([p for p in items if p.text and not is_noise(p.text)], date=date, url=url)


def _release(
    items: list[Paragraph], date: dt.date | None = None, url: str | None = None
) -> Release:
    if len(items) > MAX_PARAGRAPHS:
        raise ReleaseError(
            f"{len(items)} paragraphs: not one press release (at most {MAX_PARAGRAPHS})"
        )
    if not items:
        raise ReleaseError("no text: the page holds only navigation, banners or footers")
    header, items = _take_header(items)
    items = _drop_datelines(items, header)
    items = _drop_trailer(items)
    release_date = date or header.date
    if not items:
        if release_date is None and header.number is None:
            raise ReleaseError(
                "not a press release: no date, no number (No:NNN/YY) and no paragraphs of prose"
            )
        raise ReleaseError("no body text after the date and number")
    versions, titled = _versions(items, header.title)
    if not versions:
        raise ReleaseError("no body text: only titles and short lines")
    if release_date is None and header.number is None and not _has_structure(versions, titled):
        raise ReleaseError(
            "not a press release: no date, no number (No:NNN/YY) and no title "
            "followed by paragraphs of prose"
        )
    return Release(versions=versions, date=release_date, number=header.number, url=url).checked()


def _take_header(items: list[Paragraph]) -> tuple[_Header, list[Paragraph]]:
    """Find the date and number among the first paragraphs and remove them.

    Short lines before the date or number line are menus and site names and
    go too; the rest of the number line is the title.
    """
    header = _Header()
    limit = 0
    while limit < min(len(items), HEADER_MAX_PARAGRAPHS) and not is_body_like(items[limit].text):
        limit += 1
    keep: list[Paragraph] = []
    last_marker = -1
    for i, item in enumerate(items[:limit]):
        text = item.text
        spans: list[tuple[int, int]] = []
        number = find_number(text) if len(text) <= NOISE_MAX_CHARS else None
        if number and header.number is None:
            header.number = number[0]
            spans.append(number[1])
        found = find_date(text) if len(text) <= NOISE_MAX_CHARS else None
        if found and header.date is None:
            header.date = found[0]
            spans.append(found[1])
        if not spans:
            keep.append(item)
            continue
        last_marker = i
        rest = strip_lang_marker(_leftover(text, spans))
        if number and rest and not _is_label_only(rest) and header.title is None:
            header.title = rest
        elif rest and not _is_label_only(rest) and not number:
            # "Baku, 21 November 2017 — <title>": keep what is not the date.
            keep.append(Paragraph(rest, item.hint))
    if last_marker >= 0:
        # Menu items and site names above the date or number line are dropped.
        keep = [
            p
            for p in keep
            if _index_of(items, p) > last_marker or len(p.text.split()) > MENU_MAX_WORDS
        ]
    return header, keep + items[limit:]


def _index_of(items: list[Paragraph], paragraph: Paragraph) -> int:
    for i, item in enumerate(items):
        if item is paragraph:
            return i
    return len(items)  # a paragraph rebuilt from a dateline: after the markers


def _drop_datelines(items: list[Paragraph], header: _Header) -> list[Paragraph]:
    """Drop short lines that are only a date ("21.11.2017", "Baku, 21 ноября 2017 г.")."""
    kept = []
    for item in items:
        if len(item.text) <= NOISE_MAX_CHARS and _YEAR.search(item.text):
            found = find_date(item.text)
            if found and len(item.text.split()) <= 8 and len(
                _leftover(item.text, [found[1]]).split()
            ) <= 2:
                header.date = header.date or found[0]
                continue
        kept.append(item)
    return kept


def _drop_trailer(items: list[Paragraph]) -> list[Paragraph]:
    """Drop short non-sentences after the last body paragraph (signatures, links)."""
    end = len(items)
    while end > 0 and not is_body_like(items[end - 1].text) and len(
        items[end - 1].text.split()
    ) <= 8 and not ends_sentence(items[end - 1].text):
        end -= 1
    return items[:end]


def _versions(
    items: list[Paragraph], header_title: str | None
) -> tuple[dict[str, Version], set[str]]:
    """Group paragraphs by language and split each group into title and body.

    Returns the versions and the languages whose title was found (rather than
    made up from the first sentence).
    """
    texts = [p.text for p in items]
    langs = assign_languages(texts, [p.hint for p in items])
    title_lang = None
    if header_title:
        title_lang = detect_language(header_title)
        if title_lang == UNDETERMINED or title_lang not in langs:
            # An undetermined title belongs to the first block.
            title_lang = next((lang for lang in langs if lang != UNDETERMINED), langs[0])
    groups: dict[str, list[str]] = {}
    for text, lang in zip(texts, langs, strict=True):
        groups.setdefault(lang, []).append(text)
    if UNDETERMINED in groups and len(groups) > 1:
        # Latin text of no known language between known blocks: attach it to
        # the first block rather than make an "und" version.
        first = next(lang for lang in groups if lang != UNDETERMINED)
        groups[first].extend(groups.pop(UNDETERMINED))
    versions: dict[str, Version] = {}
    titled: set[str] = set()
    for lang, block in groups.items():
        title = None
        if lang == title_lang and header_title:
            title = header_title
            if block and _same_text(block[0], title):
                block = block[1:]
        elif len(block) > 1 and is_title_like(block[0]):
            title, block = block[0], block[1:]
        if title:
            titled.add(lang)
        if not block:
            continue
        body = "\n\n".join(block)
        versions[lang] = Version(lang=lang, title=title or first_sentence(block[0]), body=body)
    return versions, titled


def _same_text(a: str, b: str) -> bool:
    def key(s: str) -> str:
        return re.sub(r"\W+", "", s.casefold())

    return key(a) == key(b)


def first_sentence(text: str, max_words: int = 20) -> str:
    """A stand-in title: the first sentence, cut to ``max_words`` words."""
    match = re.search(r"[.!?…](?:\s|$)", text[:2000])
    sentence = text[: match.start() + 1] if match else text[:2000]
    words = sentence.split()
    if len(words) > max_words:
        return " ".join(words[:max_words]) + " …"
    return sentence.strip()


def _has_structure(versions: dict[str, Version], titled: set[str]) -> bool:
    """A title followed by at least one paragraph of real prose."""
    for lang in titled:
        version = versions.get(lang)
        if version and any(
            len(p.split()) >= 8 and ends_sentence(p) for p in version.body.split("\n\n")
        ):
            return True
    return False
