"""Conversion between releases and Whoosh documents."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Container, Mapping
from typing import Any

from indexer.analysis import tokenize
from indexer.fields import (
    COUNTRY_FIELD,
    NAME_SPELLINGS_FIELD,
    OTHER,
    field_lang,
    names_field,
    stored_versions,
    text_fields,
)
from indexer.names.analysis import spelling_terms
from indexer.release import ANALYZED_LANGUAGES, Release, Version

#: Picks topic slugs for a release; the taxonomy's tagger in practice.
Tagger = Callable[[Release], list[str]]


def surface_words(release: Release) -> str:
    """Every distinct lowercased word of the release, space-separated."""
    tokens: set[str] = set()
    for version in release.versions.values():
        tokens.update(tokenize(version.title))
        tokens.update(tokenize(version.body))
    # Folded once per distinct spelling, all in one string (tokens hold no spaces).
    words = set(" ".join(tokens).lower().replace("ё", "е").split(" "))
    words.discard("")
    return " ".join(sorted(w for w in words if not w.isdigit() and len(w) > 1))


def name_texts(release: Release) -> dict[str, str]:
    """The text of each names field (``names_<lang>``): its versions' titles and
    bodies.  Blank lines keep a name at the end of one text from joining the next
    one's first in a phrase."""
    texts: dict[str, list[str]] = {}
    for lang, version in release.versions.items():
        parts = texts.setdefault(names_field(field_lang(lang)), [])
        parts += [part for part in (version.title, version.body) if part]
    return {name: "\n\n".join(parts) for name, parts in texts.items() if parts}


def release_document(release: Release, tagger: Tagger | None = None,
                     now: dt.datetime | None = None,
                     schema: Container[str] | None = None) -> dict[str, Any]:
    """The Whoosh document of a release.

    Topics given by the source win; otherwise the tagger chooses them.  With
    ``schema`` (the index's), fields it lacks are left out: an index written
    before a field existed (the name keys, issue 12) still takes new releases.
    """
    topics = list(release.topics) or (tagger(release) if tagger else [])
    doc: dict[str, Any] = {
        "id": release.id,
        "number": release.number or "",
        "date": release.date.isoformat() if release.date else "",
        "year": str(release.date.year) if release.date else "",
        "month": release.date.strftime("%Y-%m") if release.date else "",
        "url": release.url or "",
        "topics": ",".join(topics),
        "source_topics": list(release.topics),
        "languages": ",".join(release.languages),
        "source": release.source,
        "content_hash": release.content_hash,
        "indexed_at": (now or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds"),
        "words": surface_words(release),
    }
    if schema is None or NAME_SPELLINGS_FIELD in schema:
        names = name_texts(release)
        doc.update(names)
        doc[NAME_SPELLINGS_FIELD] = spelling_terms(*names.values())
    if schema is None or COUNTRY_FIELD in schema:
        # Countries, organisations and people (issue 13).
        from indexer.entities import entity_fields

        doc.update(entity_fields(release))
    for lang in ANALYZED_LANGUAGES:
        if lang in release.versions:
            title_name, body_name = text_fields(lang)
            doc[title_name] = release.versions[lang].title
            doc[body_name] = release.versions[lang].body
    others = [v for lang, v in release.versions.items() if lang not in ANALYZED_LANGUAGES]
    if others:
        # One set of fields holds every other language; a second one is rare,
        # and is appended so that its words stay findable.
        doc["other_lang"] = others[0].lang
        title_name, body_name = text_fields(OTHER)
        doc[title_name] = others[0].title
        doc[body_name] = "\n\n".join(v.body for v in others)
    return doc


def release_from_stored(stored: Mapping[str, Any]) -> Release:
    """Rebuild a release from a document's stored fields (for re-tagging)."""
    versions = {lang: Version(lang=lang, title=title, body=body)
                for lang, title, body in stored_versions(stored)}
    date = dt.date.fromisoformat(stored["date"]) if stored.get("date") else None
    return Release(
        versions=versions,
        date=date,
        number=stored.get("number") or None,
        url=stored.get("url") or None,
        topics=list(stored.get("source_topics") or []),
        id=stored["id"],
        source=stored.get("source", ""),
    )
