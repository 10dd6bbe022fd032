"""Citations of releases: a ready reference in English or Russian, and the same data as
RIS, BibTeX and CSL-JSON records.

Everything here works on an export record (``search.export.release_record``:
plain-text id, number, date, languages, topics, titles, url, permalink).  The
publisher is a setting (``PUBLISHER``, ``PUBLISHER_RU``).  The reference follows
APA's pattern for a press release by an organisation: author. (date). title
(Press release No. n). URL; the Russian one takes GOST's "URL: … (дата
обращения: …)" ending.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from typing import Any
from urllib.parse import quote

import rispy
from babel.dates import format_date
from rispy.writer import RisWriter

from search.settings import setting

CITATION_FORMATS = ("ris", "bibtex", "csl-json")
_TAG = re.compile(r"<[^>]+>")
_BIB_SPECIAL = re.compile(r"[\\{}&%$#_~^]")
_BIB_REPLACEMENTS = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "&": r"\&", "%": r"\%", "$": r"\$",
    "#": r"\#", "_": r"\_", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
}


class _PlainRisWriter(RisWriter):
    """rispy's writer without its "1." counter line, which is not part of RIS."""

    def set_header(self, count: int) -> str:
        return ""


def publisher(lang: str) -> str:
    return setting("PUBLISHER_RU") if lang == "ru" else setting("PUBLISHER")


def _day(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def _one_line(text: str) -> str:
    return " ".join(text.split())


def cited_title(record: dict[str, Any], lang: str) -> str:
    """The title in ``lang`` when that version exists, else in the other language."""
    other = "ru" if lang == "en" else "en"
    return _one_line(record.get(f"title_{lang}") or record.get(f"title_{other}") or "")


def cited_url(record: dict[str, Any]) -> str:
    """The original publication when known, else the Pressroom permalink."""
    return record.get("url") or record.get("permalink") or ""


def _sentence(text: str) -> str:
    return text if not text or text[-1] in ".!?…" else f"{text}."


def citation_text(record: dict[str, Any], lang: str, accessed: dt.date) -> str:
    """The reference in the interface language ``lang`` ("en" or "ru")."""
    day = _day(record.get("date", ""))
    title = _sentence(cited_title(record, lang))
    number = record.get("number", "")
    url = cited_url(record)
    if lang == "ru":
        when = format_date(day, "d MMMM y", locale="ru") if day else "б. д."
        kind = f" (Пресс-релиз № {number})" if number else " (Пресс-релиз)"
        title = f"{title[:-1]}{kind}." if title.endswith(".") else f"{title}{kind}."
        seen = accessed.strftime("%d.%m.%Y")
        return f"{publisher('ru')}. ({when}). {title} URL: {url} (дата обращения: {seen})."
    when = f"{day.year}, {format_date(day, 'MMMM d', locale='en')}" if day else "n.d."
    kind = f" (Press release No. {number})" if number else " (Press release)"
    title = f"{title[:-1]}{kind}." if title.endswith(".") else f"{title}{kind}."
    seen = format_date(accessed, "d MMMM y", locale="en")
    return f"{publisher('en')}. ({when}). {title} {url}. Accessed {seen}."


def ris_entry(record: dict[str, Any], accessed: dt.date | None = None) -> str:
    """One RIS record (type PRESS), written by rispy."""
    day = _day(record.get("date", ""))
    first = "en" if record.get("title_en") else "ru"
    other = "ru" if first == "en" else "en"
    entry: dict[str, Any] = {
        "type_of_reference": "PRESS",
        "id": record.get("id", ""),
        "title": cited_title(record, first),
        "authors": [publisher("en")],
        "publisher": publisher("en"),
        "urls": [u for u in (record.get("url"), record.get("permalink")) if u],
        "keywords": list(record.get("topics", [])),
        "language": ", ".join(record.get("languages", [])),
    }
    if record.get(f"title_{other}"):
        entry["translated_title"] = _one_line(record[f"title_{other}"])
    if record.get("number"):
        entry["number"] = record["number"]
    if day:
        entry["date"] = day.strftime("%Y/%m/%d")
        entry["year"] = str(day.year)
    if accessed:
        entry["access_date"] = accessed.strftime("%Y/%m/%d")
    # A RIS value ends at the line's end: any text (an id from a JSON record, too) is one line.
    entry = {k: [_one_line(x) for x in v] if isinstance(v, list) else _one_line(v)
             for k, v in entry.items() if v not in ("", [], None)}
    return rispy.dumps([entry], implementation=_PlainRisWriter)


def bib_text(text: str) -> str:
    """Text inside a braced BibTeX field: LaTeX's special characters escaped, one line."""
    return _BIB_SPECIAL.sub(lambda m: _BIB_REPLACEMENTS[m.group()], _one_line(text))


def bib_url(url: str) -> str:
    """A URL inside a braced field: only what would unbalance the braces is encoded."""
    return quote(url, safe=":/?#[]@!$&'()*+,;=%-._~")


def cite_key(record: dict[str, Any]) -> str:
    return "pressroom-" + re.sub(r"[^A-Za-z0-9_-]", "-", record.get("id", "") or "release")


def bibtex_entry(record: dict[str, Any], accessed: dt.date | None = None) -> str:
    """One ``@misc`` entry (BibTeX; biblatex reads ``date`` and ``urldate`` too)."""
    day = _day(record.get("date", ""))
    first = "en" if record.get("title_en") else "ru"
    other = "ru" if first == "en" else "en"
    fields: list[tuple[str, str]] = [
        # Double braces: the ministry is one corporate author, not "first last".
        ("author", "{" + bib_text(publisher("en")) + "}"),
        ("title", bib_text(cited_title(record, first))),
        ("howpublished", "Press release"),
        ("organization", bib_text(publisher("en"))),
    ]
    if record.get("number"):
        fields.append(("number", bib_text(record["number"])))
    if day:
        fields += [("year", str(day.year)), ("month", str(day.month)),
                   ("date", day.isoformat())]
    url = cited_url(record)
    if url:
        fields.append(("url", bib_url(url)))
    if accessed:
        fields.append(("urldate", accessed.isoformat()))
    if record.get(f"title_{other}"):
        fields.append(("titleaddon", bib_text(record[f"title_{other}"])))
    if record.get("topics"):
        fields.append(("keywords", bib_text(", ".join(record["topics"]))))
    if record.get("languages"):
        fields.append(("language", bib_text(", ".join(record["languages"]))))
    if record.get("permalink") and record.get("permalink") != url:
        fields.append(("note", "Pressroom: " + bib_url(record["permalink"])))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@misc{{{cite_key(record)},\n{body}\n}}\n"


def csl_item(record: dict[str, Any], lang: str, accessed: dt.date) -> dict[str, Any]:
    """One CSL-JSON item (type report, genre press release) in the language ``lang``."""
    day = _day(record.get("date", ""))
    item: dict[str, Any] = {
        "id": cite_key(record),
        "type": "report",
        "genre": "Пресс-релиз" if lang == "ru" else "Press release",
        "title": cited_title(record, lang),
        "author": [{"literal": publisher(lang)}],
        "publisher": publisher(lang),
        "URL": cited_url(record),
        "accessed": {"date-parts": [[accessed.year, accessed.month, accessed.day]]},
        "language": lang,
    }
    if record.get("number"):
        item["number"] = record["number"]
    if day:
        item["issued"] = {"date-parts": [[day.year, day.month, day.day]]}
    if record.get("topics"):
        item["keyword"] = ", ".join(record["topics"])
    return item


def citation_file(record: dict[str, Any], fmt: str, lang: str, accessed: dt.date) -> str:
    """The citation as a downloadable file body in ``fmt`` (see CITATION_FORMATS)."""
    if fmt == "ris":
        return ris_entry(record, accessed)
    if fmt == "bibtex":
        return bibtex_entry(record, accessed)
    if fmt == "csl-json":
        return json.dumps([csl_item(record, lang, accessed)], ensure_ascii=False, indent=2) + "\n"
    raise ValueError(f"unknown citation format {fmt!r}")


def record_from_release(release: dict[str, Any], permalink_url: str) -> dict[str, Any]:
    """An export record from ``Archive.release()`` (whose titles are escaped HTML)."""
    titles = {v["lang"]: html.unescape(_TAG.sub("", v["title"]))
              for v in release.get("versions", [])}
    return {
        "id": release.get("id", ""),
        "number": release.get("number", "") or "",
        "date": release.get("date", "") or "",
        "languages": list(release.get("languages", [])),
        "topics": [t["value"] for t in release.get("topics", [])],
        "title_en": titles.get("en", ""),
        "title_ru": titles.get("ru", ""),
        "url": release.get("url", "") or "",
        "permalink": permalink_url,
    }
