"""The release: what every input format is parsed into, and what gets indexed."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass, field

from indexer.settings import setting

#: Languages with their own analyzed fields.  Any other language code (such as
#: "az") goes to the "other" fields, which are searchable but not stemmed.
ANALYZED_LANGUAGES = ("en", "ru")

#: A language code: ISO 639-1 or 639-3, lowercase, the form the search request
#: accepts in ``lang=`` (a code it refused would break every facet link).
LANGUAGE_CODE = re.compile(r"[a-z]{2,3}")
#: A release id: ASCII letters, digits, ".", "_" and "-", starting with a
#: letter or digit, at most 128 characters.  The id is one segment of the
#: release page's address (/releases/<id>), so "/", "?", "#", spaces, "." and
#: ".." cannot be ids: their pages would be unreachable.
RELEASE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
#: Only web addresses are kept as a release's source URL: it becomes a link.
WEB_URL = re.compile(r"https?://[^\s/?#]+\S*", re.IGNORECASE)
#: Dates outside these years are typing mistakes ("0999-12-31"), and the
#: search request refuses such years.
EARLIEST_YEAR, LATEST_YEAR = 1000, 9999
#: Control characters (C0 but tab and newline, DEL, C1) and the two
#: non-characters XML refuses: no text needs them, and most of them make the
#: Atom feed invalid XML.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff]")
_LINE_BREAKS = {"\x0b": "\n", "\x0c": "\n", "\x85": "\n"}


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

    def checked(self) -> Release:
        """The release with its text cleaned and its values checked; every input
        parser hands its releases over through here.

        A value that would break a page later (a link, a facet, the feed) is
        refused with the reason.  Releases rebuilt from the index or sent to a
        worker process are not checked again.
        """
        self.versions = {
            lang: Version(v.lang, clean_text(v.title), clean_text(v.body))
            for lang, v in self.versions.items()
        }
        self.__post_init__()  # the text may have been control characters only
        check_versions(self.versions)
        if self.date is not None and not EARLIEST_YEAR <= self.date.year <= LATEST_YEAR:
            raise ReleaseError(f"date {self.date.isoformat()}: year {self.date.year} is outside "
                               f"the years {EARLIEST_YEAR}–{LATEST_YEAR}")
        if self.url is not None:
            self.url = clean_text(self.url).strip() or None
            if self.url is not None and not WEB_URL.fullmatch(self.url):
                raise ReleaseError(f"url must be a web address starting with http:// or "
                                   f"https://, not {self.url[:80]!r}")
        if self.number is not None:
            self.number = clean_text(self.number).strip() or None
        if not RELEASE_ID.fullmatch(self.id):
            raise ReleaseError(
                f"id {self.id[:80]!r} is not a release id: use at most 128 ASCII letters, "
                "digits, '.', '_' and '-', starting with a letter or digit (the id is part "
                "of the release's web address)")
        return self

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


def clean_text(text: str) -> str:
    """``text`` without control characters (tab and newline stay; a carriage
    return, vertical tab or form feed becomes a newline)."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _CONTROL.search(text) is None:
        return text
    return _CONTROL.sub(lambda m: _LINE_BREAKS.get(m.group(), ""), text)


def check_versions(versions: dict[str, Version]) -> None:
    """Refuse a language key that is not a code, and a version over the size limit."""
    limit = setting("MAX_RELEASE_CHARS")
    for lang, version in versions.items():
        if not LANGUAGE_CODE.fullmatch(lang):
            raise ReleaseError(f"language {lang[:40]!r} is not a language code "
                               "(2 or 3 lowercase letters such as en, ru, az)")
        size = len(version.title) + len(version.body)
        if limit and size > limit:
            raise ReleaseError(
                f"the {lang} version is {size:,} characters, over the limit of {limit:,} "
                "characters for one release (setting MAX_RELEASE_CHARS)")


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
        if seq and year and len(seq) <= 64:  # a longer "number" is not one: hash the text
            return f"{year}-{seq}"
    first = next(iter(sorted(release.versions.items())))[1]
    digest = hashlib.sha256(f"{first.title}\n{first.body}".encode()).hexdigest()[:12]
    return f"r-{digest}"
