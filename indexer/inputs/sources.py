"""Input files: finding them, reading them safely, and parsing them into releases.

Every failure is a ``ReleaseError`` with a reason a user can act on; the
caller records it against the file and moves on to the next one.
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from indexer.inputs.decoding import SNIFF_BYTES, decode_text, finish_text, wide_encoding
from indexer.release import Release, ReleaseError
from indexer.settings import setting

#: The largest input read whole is the MAX_FILE_BYTES setting (20 MiB): real
#: releases are a few kB, and a larger file is refused before it is read, so
#: a stray dump cannot exhaust memory.  JSON Lines are read one line at a
#: time instead, each line at most that size, so a bulk export of any length
#: goes in (its releases are held until the commit, as for every file).

JSON_SUFFIXES = {".json", ".jsonl", ".ndjson"}
JSON_LINES_SUFFIXES = {".jsonl", ".ndjson"}
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
    limit = setting("MAX_FILE_BYTES")
    try:
        if size > limit and _is_json_lines(path):
            releases = _read_json_lines(path, limit)
        else:
            if size > limit:
                raise ReleaseError(
                    f"file is {_size(size)}, over the {_size(limit)} limit for one input "
                    "read whole (setting MAX_FILE_BYTES; JSON Lines have no file limit)"
                )
            releases = parse_bytes(path.read_bytes(), path.name)
    except OSError as exc:
        raise ReleaseError(f"cannot read: {exc.strerror}") from None
    for release in releases:
        release.source = str(path)
    return releases


def _size(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 100_000 else f"{n / 1e3:.1f} kB"


def _is_json_lines(path: Path) -> bool:
    """A JSON Lines file: by its suffix, or a JSON file whose first line holds a
    whole record (a JSON array or a pretty-printed object must be read whole)."""
    suffix = path.suffix.lower()
    if suffix in JSON_LINES_SUFFIXES:
        return True
    if suffix not in JSON_SUFFIXES and suffix:
        return False
    with path.open("rb") as file:
        head = file.read(SNIFF_BYTES)
    text = head.decode(wide_encoding(head) or "utf-8", errors="ignore").lstrip("\ufeff \t\r\n")
    return text.startswith("{") and text.split("\n", 1)[0].strip() != "{"


def _read_json_lines(path: Path, limit: int) -> list[Release]:
    """The releases of a JSON Lines file read one line at a time, each line
    at most ``limit`` bytes: memory is bounded by a record, not by the file."""
    from indexer.inputs.records import parse_json_lines

    with path.open("rb") as file:
        encoding = wide_encoding(file.read(SNIFF_BYTES))
        file.seek(0)
        if encoding is None:
            return parse_json_lines(_byte_lines(file, limit))
        # UTF-16 and UTF-32 newlines span several bytes: split decoded text
        # (a byte-order mark is read as U+FEFF and dropped by finish_text).
        with io.TextIOWrapper(file, encoding=encoding, newline=None) as text:
            return parse_json_lines(_text_lines(text, limit))


def _byte_lines(file: BinaryIO, limit: int) -> Iterator[tuple[int, str]]:
    for lineno in itertools.count(1):
        line = file.readline(limit + 1)
        if not line:
            return
        if len(line) > limit and not line.endswith(b"\n"):
            raise ReleaseError(_line_too_long(lineno, limit))
        if line.strip():
            # Each line is decoded on its own, as a small file would be
            # (UTF-8, else 8-bit Cyrillic and the like).
            yield lineno, decode_text(line)


def _text_lines(text: io.TextIOWrapper, limit: int) -> Iterator[tuple[int, str]]:
    for lineno in itertools.count(1):
        try:
            line = text.readline(limit + 1)
        except UnicodeDecodeError as exc:
            raise ReleaseError(f"line {lineno}: not valid {text.encoding.upper()} "
                               f"({exc.reason})") from None
        if not line:
            return
        if len(line) > limit and not line.endswith("\n"):
            raise ReleaseError(_line_too_long(lineno, limit))
        if line.strip():
            yield lineno, finish_text(line)


def _line_too_long(lineno: int, limit: int) -> str:
    return (f"line {lineno} is longer than {_size(limit)}, the limit for one record "
            "(setting MAX_FILE_BYTES)")


def parse_bytes(data: bytes, name: str = "") -> list[Release]:
    """Parse the bytes of one input; ``name`` (a file name) hints at the format."""
    text = decode_text(data)
    suffix = Path(name).suffix.lower()
    head = text.lstrip()[:1000].lower()
    if suffix in JSON_SUFFIXES or (not suffix and head[:1] in ("[", "{")):
        from indexer.inputs.records import parse_json_text

        return parse_json_text(text)
    # A saved page under a .txt name: markup, not scraped text.
    looks_html = head.startswith("<") and any(
        tag in head for tag in ("<!doctype html", "<html", "<head", "<body")
    )
    if suffix in HTML_SUFFIXES or looks_html:
        from indexer.inputs.htmlpage import parse_html

        return [parse_html(text)]
    from indexer.inputs.scraped import parse_scraped_text

    return [parse_scraped_text(text)]
