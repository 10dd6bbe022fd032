"""JSON input: JSON Lines, or one JSON array, of release records.

A record is shaped ``{"id", "date": "YYYY-MM-DD", "number", "url", "topics":
[...], "en": {"title", "body"}, "ru": {"title", "body"}}``; only one language
object with a body is required.

Values that would break a page later are refused with the reason, or made
canonical: a topic may be named by its slug or by its label in either
language ("Energy", "Энергетика" → ``energy``) but must be in the taxonomy; a
language key may carry a region ("en-GB" → ``en``).  The rest (id alphabet,
dates, URLs, control characters, size) is checked by ``Release`` itself.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable
from typing import Any

from indexer.release import Release, ReleaseError, Version

#: A language tag with a region or script ("en-GB", "az_Latn"): its language counts.
_LANGUAGE_TAG = re.compile(r"([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]{1,8})+")

KNOWN_KEYS = {"id", "date", "number", "url", "topics", "source"}


def parse_json_text(text: str) -> list[Release]:
    """Parse a JSON array or JSON Lines.  Any bad record fails the whole input,
    so nothing from a broken file is partially indexed."""
    stripped = text.lstrip()
    if not stripped:
        raise ReleaseError("empty file")
    if stripped.startswith("["):
        items = _load(stripped, "")
        if not isinstance(items, list):
            raise ReleaseError("invalid JSON: expected an array of records")
        return [release_from_record(item, where=f"record {i + 1}") for i, item in enumerate(items)]
    first_line = stripped.split("\n", 1)[0].strip()
    if first_line == "{":
        # One pretty-printed record rather than JSON Lines.
        return [release_from_record(_load(stripped, ""), where="record")]
    return parse_json_lines(enumerate(text.splitlines(), 1))


def parse_json_lines(lines: Iterable[tuple[int, str]]) -> list[Release]:
    """Releases of JSON Lines given as (line number, line) pairs, one record at a
    time: the lines may come from a file being read (``sources``)."""
    releases = []
    for lineno, line in lines:
        if not line.strip():
            continue
        item = _load(line, f"line {lineno}: ")
        releases.append(release_from_record(item, where=f"line {lineno}"))
    if not releases:
        raise ReleaseError("no records")
    return releases


def _load(text: str, where: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ReleaseError(f"{where}invalid JSON: {exc}") from None
    except RecursionError:
        raise ReleaseError(f"{where}invalid JSON: nested too deeply") from None


def _clean(value: str) -> str:
    """A JSON string made safe to index: lone surrogates ("\\ud800") cannot be
    encoded as UTF-8, and NUL characters are not text."""
    return value.encode("utf-8", "replace").decode("utf-8").replace("\x00", "")


def release_from_record(item: Any, where: str = "record") -> Release:
    if not isinstance(item, dict):
        raise ReleaseError(f"{where}: expected a JSON object, got {type(item).__name__}")
    versions = {}
    for key, value in item.items():
        if key in KNOWN_KEYS:
            continue
        if isinstance(value, dict) and ("body" in value or "title" in value):
            title, body = value.get("title") or "", value.get("body") or ""
            if not isinstance(title, str) or not isinstance(body, str):
                raise ReleaseError(f"{where}: {key}.title and {key}.body must be strings")
            lang = language_of_key(_clean(key))
            if lang in versions:
                raise ReleaseError(f"{where}: language {lang} given twice ({key!r} and another)")
            versions[lang] = Version(lang=lang, title=_clean(title).strip(),
                                     body=_clean(body).strip())
    if not versions:
        raise ReleaseError(f"{where}: no language object such as \"en\": {{\"title\", \"body\"}}")
    date = None
    if item.get("date") not in (None, ""):
        try:
            date = dt.date.fromisoformat(str(item["date"])[:10])
        except ValueError:
            raise ReleaseError(f"{where}: date {item['date']!r} is not YYYY-MM-DD") from None
    topics = item.get("topics") or []
    if isinstance(topics, str):
        topics = [topics]
    if not isinstance(topics, list) or not all(isinstance(t, str) for t in topics):
        raise ReleaseError(f"{where}: topics must be a list of strings")
    for key in ("id", "number", "url"):
        if item.get(key) is not None and not isinstance(item[key], str | int):
            raise ReleaseError(f"{where}: {key} must be a string")
    try:
        return Release(
            versions=versions,
            date=date,
            number=_clean(str(item["number"])).strip() if item.get("number") else None,
            url=(_clean(str(item["url"])).strip() or None) if item.get("url") else None,
            topics=topic_slugs([_clean(t).strip() for t in topics if t.strip()]),
            id=_clean(str(item.get("id") or "")).strip(),
        ).checked()
    except ReleaseError as exc:
        raise ReleaseError(f"{where}: {exc}") from None


def language_of_key(key: str) -> str:
    """The language code of a record's key: "EN" → "en", "en-GB" → "en"."""
    key = key.strip()
    tag = _LANGUAGE_TAG.fullmatch(key)
    return (tag.group(1) if tag else key).lower()


def topic_slugs(names: list[str]) -> list[str]:
    """Taxonomy slugs of the topics a record names (slug or label, any case).

    A name the taxonomy does not know is refused: as a facet value it could
    not be searched for, and nothing would ever tag it.
    """
    from indexer.topics import SLUG_PATTERN, topic_names

    known = topic_names()
    slugs = []
    for name in names:
        if known is None:  # no taxonomy to ask: a well-formed slug is taken as it is
            slug = name if SLUG_PATTERN.match(name) else None
        else:
            slug = known.get(name.casefold())
        if slug is None:
            examples = ", ".join(sorted(set((known or {}).values()))[:12]) or "energy"
            raise ReleaseError(f"topic {name[:60]!r} is not a topic of the taxonomy "
                               f"(name a topic by its slug or label, e.g. {examples})")
        if slug not in slugs:
            slugs.append(slug)
    return slugs
