"""JSON input: JSON Lines, or one JSON array, of release records.

A record is shaped ``{"id", "date": "YYYY-MM-DD", "number", "url", "topics":
[...], "en": {"title", "body"}, "ru": {"title", "body"}}``; only one language
object with a body is required.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from indexer.release import Release, ReleaseError, Version

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
    releases = []
    for lineno, line in enumerate(text.splitlines(), 1):
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
            lang = _clean(key).lower()
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
            topics=[_clean(t).strip() for t in topics if t.strip()],
            id=_clean(str(item.get("id") or "")).strip(),
        )
    except ReleaseError as exc:
        raise ReleaseError(f"{where}: {exc}") from None
