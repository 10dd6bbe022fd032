"""Dates and release numbers in page text: "21 November 2017", "21 ноября 2017 г.",
"21 noyabr 2017", "21.11.2017", "2017-11-21"; "No:332/17", "№ 332/17".

Used by ``indexer.inputs.scraped`` to find a release's date and number lines.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

EN_MONTHS = {
    name: i + 1
    for i, names in enumerate(
        [
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
            ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
            ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
            ("december", "dec"),
        ]
    )
    for name in names
}
#: Russian month stems: every case ("ноября", "ноябрь", "ноябре") shares them.
RU_MONTH_STEMS = (
    "январ", "феврал", "март", "апрел", "ма", "июн", "июл", "август", "сентябр", "октябр",
    "ноябр", "декабр",
)
AZ_MONTHS = {
    name: i + 1
    for i, name in enumerate(
        ["yanvar", "fevral", "mart", "aprel", "may", "iyun", "iyul", "avqust", "sentyabr",
         "oktyabr", "noyabr", "dekabr"]
    )
}
_EN_MONTH = "|".join(sorted(EN_MONTHS, key=len, reverse=True))
_AZ_MONTH = "|".join(AZ_MONTHS)
_DATE_PATTERNS = (
    # 21 November 2017, 21st Nov. 2017
    ("dmy", re.compile(
        rf"(?<!\d)(\d{{1,2}})(?:st|nd|rd|th)?\s+({_EN_MONTH})\.?,?\s+(\d{{4}})(?!\d)", re.I)),
    # November 21, 2017
    ("mdy", re.compile(
        rf"\b({_EN_MONTH})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})(?!\d)", re.I)),
    # 21 ноября 2017 г.
    ("dmy", re.compile(
        r"(?<!\d)(\d{1,2})\s+(январ[а-я]*|феврал[а-я]*|март[а-я]*|апрел[а-я]*|ма[йяе]|"
        r"июн[а-я]*|июл[а-я]*|август[а-я]*|сентябр[а-я]*|октябр[а-я]*|ноябр[а-я]*|"
        r"декабр[а-я]*)\s+(\d{4})(?!\d)(?:\s*(?:года|год|г\.?))?", re.I)),
    # 21 noyabr 2017
    ("dmy", re.compile(rf"(?<!\d)(\d{{1,2}})\s+({_AZ_MONTH})[a-zəğıöşüç]*\s+(\d{{4}})(?!\d)",
                       re.I)),
    # 21.11.2017, 21/11/2017
    ("dmy", re.compile(r"(?<![\d.])(\d{1,2})[./](\d{1,2})[./](\d{4})(?![\d.]\d)")),
    # 2017-11-21
    ("ymd", re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")),
)
#: "No:332/17", "No. 332/17", "№ 332/17", "№332/17", "Nº 332/17".
_NUMBER = re.compile(
    r"(?<!\w)(?:No(?![A-Za-z])|Nº|№|N°)\s*[.:]?\s*(\d{1,5}(?:\s*/\s*\d{2,4})?)(?![\d/])",
    re.IGNORECASE,
)


def find_date(text: str) -> tuple[dt.date, tuple[int, int]] | None:
    """The first valid date in ``text`` and its span."""
    found: list[tuple[int, dt.date, tuple[int, int]]] = []
    for order, pattern in _DATE_PATTERNS:
        for match in pattern.finditer(text):
            date = _date_from(order, match.groups())
            if date:
                found.append((match.start(), date, match.span()))
                break
    if not found:
        return None
    _, date, span = min(found, key=lambda item: item[0])
    return date, span


def _date_from(order: str, groups: Sequence[str]) -> dt.date | None:
    if order == "dmy":
        day, month, year = groups
    elif order == "mdy":
        month, day, year = groups
    else:
        year, month, day = groups
    try:
        month_number = int(month) if month.isdigit() else _month_number(month)
        if month_number is None:
            return None
        date = dt.date(int(year), month_number, int(day))
    except ValueError:
        return None
    return date if 1900 <= date.year <= 2100 else None


def _month_number(name: str) -> int | None:
    name = name.lower().rstrip(".")
    if name in EN_MONTHS:
        return EN_MONTHS[name]
    if name in AZ_MONTHS:
        return AZ_MONTHS[name]
    for prefix in AZ_MONTHS:
        if name.startswith(prefix):
            return AZ_MONTHS[prefix]
    if name in {"май", "мая", "мае"}:
        return 5
    for i, stem in enumerate(RU_MONTH_STEMS):
        if stem != "ма" and name.startswith(stem):
            return i + 1
    return None


def find_number(text: str) -> tuple[str, tuple[int, int]] | None:
    match = _NUMBER.search(text)
    if not match:
        return None
    return re.sub(r"\s+", "", match.group(1)), match.span()
