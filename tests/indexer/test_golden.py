"""Golden-file tests of the bilingual analyzer (razdel-style `input|expected` lines).

A fast sample (the first ``SAMPLE`` lines of each file) runs by default; the full
files run with ``PRESSROOM_FULL_GOLDEN=1`` or through ``bench/analysis.py --golden``.
Lines listed in ``golden/known_failures.txt`` are strict xfails: the golden file keeps
the right answer, and a fix turns the xfail into an XPASS that asks for the entry's removal.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from indexer.analysis import SURFACE_MARK, BilingualAnalyzer

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
FILES = ("ru_lemmas.txt", "en_stems.txt", "mixed.txt")
#: Enough lines to cover each file's deliberately varied head in well under a second.
SAMPLE = 60


@dataclass(frozen=True)
class GoldenLine:
    file: str
    lineno: int
    text: str
    expected: tuple[str, ...]


def read_golden(name: str) -> list[GoldenLine]:
    lines = []
    for lineno, raw in enumerate((GOLDEN / name).read_text(encoding="utf-8").splitlines(), 1):
        if not raw.strip() or raw.startswith("#"):
            continue
        # rpartition: the expectation never holds "|", the input might one day.
        text, _, expected = raw.rpartition("|")
        lines.append(GoldenLine(name, lineno, text, tuple(expected.split())))
    return lines


def read_known_failures() -> dict[tuple[str, str], str]:
    failures = {}
    for raw in (GOLDEN / "known_failures.txt").read_text(encoding="utf-8").splitlines():
        if not raw.strip() or raw.startswith("#"):
            continue
        name, text, reason = raw.split("|", 2)
        failures[name, text] = reason
    return failures


def terms_of(analyzer, text: str) -> list[str]:
    """Index terms without the surface variants, which the golden files leave out."""
    return [t.text for t in analyzer(text) if not t.text.startswith(SURFACE_MARK)]


def _cases() -> list:
    full = os.environ.get("PRESSROOM_FULL_GOLDEN") == "1"
    known = read_known_failures()
    cases = []
    for name in FILES:
        lines = read_golden(name)
        for line in lines if full else lines[:SAMPLE]:
            marks = []
            if (name, line.text) in known:
                marks.append(pytest.mark.xfail(reason=known[name, line.text], strict=True))
            cases.append(pytest.param(line, marks=marks, id=f"{name}:{line.lineno}"))
    return cases


@pytest.fixture(scope="module")
def analyzer():
    # Pinned rather than the default: "all" is the superset the files were judged against.
    return BilingualAnalyzer(lemma_mode="all", surface=False)


@pytest.mark.parametrize("line", _cases())
def test_golden_line(analyzer, line: GoldenLine) -> None:
    got = terms_of(analyzer, line.text)
    assert Counter(got) == Counter(line.expected), (
        f"{line.file}:{line.lineno} {line.text!r}: got {sorted(got)}, "
        f"expected {sorted(line.expected)}"
    )


def test_golden_files_are_large_enough() -> None:
    sizes = {name: len(read_golden(name)) for name in FILES}
    assert sizes["ru_lemmas.txt"] >= 150
    assert sizes["en_stems.txt"] >= 100
    assert sizes["mixed.txt"] >= 30


def test_known_failures_point_at_golden_lines() -> None:
    inputs = {(name, line.text) for name in FILES for line in read_golden(name)}
    stale = set(read_known_failures()) - inputs
    assert not stale, f"known_failures.txt names lines that are not in the golden files: {stale}"
