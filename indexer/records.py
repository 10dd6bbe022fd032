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
        try:
            items = json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise ReleaseError(f"invalid JSON: {exc}") from None
        return [release_from_record(item, where=f"record {i + 1}") for i, item in enumerate(items)]
    releases = []
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ReleaseError(f"line {lineno}: invalid JSON: {exc.msg}") from None
        releases.append(release_from_record(item, where=f"line {lineno}"))
    if not releases:
        raise ReleaseError("no records")
    return releases


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
            versions[key.lower()] = Version(lang=key.lower(), title=title.strip(), body=body.strip())
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
            number=str(item["number"]).strip() if item.get("number") else None,
            url=item.get("url") or None,
            topics=[t.strip() for t in topics if t.strip()],
            id=str(item.get("id") or "").strip(),
        )
    except ReleaseError as exc:
        raise ReleaseError(f"{where}: {exc}") from None
