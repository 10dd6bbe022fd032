"""Input files: finding them, reading them safely, and parsing them into releases.

Every failure is a ``ReleaseError`` with a reason a user can act on; the
caller records it against the file and moves on to the next one.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from indexer.release import Release, ReleaseError

#: Largest input file read.  Real releases are a few kB; a JSON archive of a
#: few thousand releases stays far below this.  Larger files are refused
#: before they are read, so a stray dump cannot exhaust memory.
MAX_FILE_BYTES = 20 * 1024 * 1024

JSON_SUFFIXES = {".json", ".jsonl", ".ndjson"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
TEXT_SUFFIXES = {".txt", ".text", ""}
INPUT_SUFFIXES = JSON_SUFFIXES | HTML_SUFFIXES | TEXT_SUFFIXES


@dataclass(frozen=True)
class Failure:
    path: str
    reason: str


def find_input_files(paths: Iterable[Path]) -> Iterator[Path]:
    """Yield files under ``paths`` (recursively, sorted), skipping hidden ones.

    A named file is always yielded, whatever its suffix; inside folders only
    files with a known suffix (or none) are taken.
    """
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                rel = child.relative_to(path)
                if any(part.startswith(".") for part in rel.parts):
                    continue
                if child.is_file() and child.suffix.lower() in INPUT_SUFFIXES:
                    yield child
        else:
            yield path


def read_releases(path: Path) -> list[Release]:
    """Parse one file into its releases, or raise ``ReleaseError``."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ReleaseError(f"cannot read: {exc.strerror}") from None
    if size == 0:
        raise ReleaseError("empty file")
    if size > MAX_FILE_BYTES:
        raise ReleaseError(
            f"file is {size / 1e6:.1f} MB, "
            f"over the {MAX_FILE_BYTES / 1e6:.0f} MB limit for one input"
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ReleaseError(f"cannot read: {exc.strerror}") from None
    releases = parse_bytes(data, path.name)
    for release in releases:
        release.source = str(path)
    return releases


def parse_bytes(data: bytes, name: str = "") -> list[Release]:
    """Parse the bytes of one input; ``name`` (a file name) hints at the format."""
    from indexer.decoding import decode_text

    text = decode_text(data)
    suffix = Path(name).suffix.lower()
    head = text.lstrip()[:1000].lower()
    if suffix in JSON_SUFFIXES or (not suffix and head[:1] in ("[", "{")):
        from indexer.records import parse_json_text

        return parse_json_text(text)
    # A saved page under a .txt name: markup, not scraped text.
    looks_html = head.startswith("<") and any(
        tag in head for tag in ("<!doctype html", "<html", "<head", "<body")
    )
    if suffix in HTML_SUFFIXES or looks_html:
        from indexer.htmlpage import parse_html

        return [parse_html(text)]
    from indexer.scraped import parse_scraped_text

    return [parse_scraped_text(text)]
