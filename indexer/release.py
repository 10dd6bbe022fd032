"""The release: what every input format is parsed into, and what gets indexed."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass, field

#: Languages with their own analyzed fields.  Any other language code (such as
#: "az") goes to the "other" fields, which are searchable but not stemmed.
ANALYZED_LANGUAGES = ("en", "ru")


class ReleaseError(ValueError):
    """An input that cannot become a release; the message says why."""


@dataclass
class Version:
    """One language version of a release."""

    lang: str
    title: str
    body: str


@dataclass
class Release:
    versions: dict[str, Version]
    date: dt.date | None = None
    number: str | None = None
    url: str | None = None
    #: Topics given by the source (JSON records); they win over the taxonomy.
    topics: list[str] = field(default_factory=list)
    id: str = ""
    #: The file the release came from, relative to what the user named.
    source: str = ""

    def __post_init__(self) -> None:
        self.versions = {
            lang: v for lang, v in self.versions.items() if v.title.strip() or v.body.strip()
        }
        if not self.versions or not any(v.body.strip() for v in self.versions.values()):
            raise ReleaseError("no release text: no language version has a body")
        if not self.id:
            self.id = derive_release_id(self)

    @property
    def languages(self) -> list[str]:
        return list(self.versions)

    @property
    def content_hash(self) -> str:
        """A fingerprint of everything indexed, to skip unchanged releases."""
        payload = {
            "date": self.date.isoformat() if self.date else None,
            "number": self.number,
            "url": self.url,
            "topics": self.topics,
            "versions": {k: [v.title, v.body] for k, v in sorted(self.versions.items())},
        }
        blob = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()[:32]


def derive_release_id(release: Release) -> str:
    """A stable id: from the number and year when both are known, else from the text.

    "332/17" dated 2017 becomes "2017-332"; the year of the date wins over the
    number's two-digit suffix.
    """
    if release.number:
        seq = re.split(r"[/\\-]", release.number.strip())[0]
        seq = re.sub(r"[^0-9A-Za-z]", "", seq)
        year = release.date.year if release.date else None
        if year is None:
            m = re.search(r"[/-](\d{2,4})$", release.number.strip())
            if m:
                y = int(m.group(1))
                year = y if y >= 100 else 2000 + y if y < 70 else 1900 + y
        if seq and year:
            return f"{year}-{seq}"
    first = next(iter(sorted(release.versions.items())))[1]
    digest = hashlib.sha256(f"{first.title}\n{first.body}".encode()).hexdigest()[:12]
    return f"r-{digest}"
