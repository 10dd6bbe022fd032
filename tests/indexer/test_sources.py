"""Every input file either becomes releases or fails with a ReleaseError and a reason."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexer.inputs.sources import find_input_files, parse_bytes, read_releases
from indexer.release import ReleaseError

ROOT = Path(__file__).parents[2]
SAMPLES = ROOT / "samples"
BROKEN = Path(__file__).parents[1] / "data" / "broken"
NOISE = ("privacy policy", "share this page", "cookie", "all rights reserved", "banner image",
         "версия для печати", "поделиться", "print version")
SAMPLE_FILES = sorted(find_input_files([SAMPLES])) if SAMPLES.is_dir() else []
BROKEN_FILES = (
    sorted(p for p in BROKEN.iterdir() if p.is_file() and p.suffix != ".md")
    if BROKEN.is_dir()
    else []
)


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: str(p.relative_to(SAMPLES)))
def test_every_sample_parses_into_sensible_releases(path: Path) -> None:
    releases = read_releases(path)
    assert releases
    for release in releases:
        assert release.date is not None, release.id
        assert release.number, release.id
        assert set(release.languages) <= {"en", "ru", "az"}, release.languages
        assert release.source == str(path)
        for lang, version in release.versions.items():
            assert version.title.strip() and version.body.strip(), (release.id, lang)
            text = f"{version.title}\n{version.body}".casefold()
            assert not any(noise in text for noise in NOISE), (release.id, lang)
            # The title is not repeated as the first body paragraph.
            assert version.body.split("\n\n")[0] != version.title


def test_sample_ids_are_unique() -> None:
    if not SAMPLE_FILES:
        pytest.skip("no samples")
    ids = [r.id for path in SAMPLE_FILES for r in read_releases(path)]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("path", BROKEN_FILES, ids=lambda p: p.name)
def test_every_broken_file_fails_with_a_reason(path: Path) -> None:
    with pytest.raises(ReleaseError) as info:
        read_releases(path)
    assert len(str(info.value)) > 5


def test_find_input_files_skips_hidden_and_unknown(tmp_path: Path) -> None:
    for name in ("a.txt", "b.html", "c.jsonl", "README", ".hidden.txt", ".git/x.txt", "d.pdf"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    found = [p.relative_to(tmp_path).as_posix() for p in find_input_files([tmp_path])]
    assert found == ["README", "a.txt", "b.html", "c.jsonl"]
    assert list(find_input_files([tmp_path / "d.pdf"])) == [tmp_path / "d.pdf"]


def test_size_limit_and_missing_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * 2000)
    monkeypatch.setenv("PRESSROOM_MAX_FILE_BYTES", "1000")
    with pytest.raises(ReleaseError, match="limit"):
        read_releases(big)
    with pytest.raises(ReleaseError, match="cannot read"):
        read_releases(tmp_path / "missing.txt")


def test_html_saved_as_txt_is_parsed_as_html() -> None:
    page = (
        "<!-- saved -->\n<html><body><main><p>21 November 2017</p><h1>Ministers met</h1>"
        "<p>The ministers of the two countries met and discussed relations.</p></main></body>"
        "</html>"
    )
    [release] = parse_bytes(page.encode(), "page.txt")
    assert release.versions["en"].title == "Ministers met"


def test_fifteen_megabytes_of_words_fail_before_parsing(monkeypatch) -> None:
    import indexer.inputs.scraped

    def parsed(*args, **kwargs):
        raise AssertionError("a page far too long for one release was parsed")

    monkeypatch.setattr(indexer.inputs.scraped, "paragraphs_from_text", parsed)
    with pytest.raises(ReleaseError, match="too long"):
        parse_bytes(b"ministers met in baku " * 700_000, "big.txt")


_FRAGMENTS = st.sampled_from(
    ["No:332/17, ", "№ 12/20 ", "21 November 2017", "21.11.2017", "(ENG/RU)", "\n\n", "\n",
     "Share this page", "<p>", "</p>", "<html>", "<section lang='ru'>", "{", "}", "[", "]",
     '"en": {"title": "x", "body": "y"}', "Министры встретились в Баку.", "və ilə görüş",
     "The ministers met in Baku.", "\x00", "\ufeff", "\r", "&lt;", "\u0301", "ə"]
)
_NAMES = st.sampled_from(["x.txt", "x.html", "x.json", "x.jsonl", "x"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.one_of(
        st.binary(max_size=2000),
        st.text(max_size=500).map(lambda t: t.encode("utf-8", "surrogatepass")),
        st.lists(_FRAGMENTS, max_size=40).map(lambda parts: "".join(parts).encode("utf-8")),
        st.lists(_FRAGMENTS, max_size=40).map(
            lambda parts: "".join(parts).encode("utf-16")
        ),
    ),
    name=_NAMES,
)
def test_any_input_gives_releases_or_a_release_error(data: bytes, name: str) -> None:
    try:
        releases = parse_bytes(data, name)
    except ReleaseError as exc:
        assert str(exc)
        return
    for release in releases:
        assert release.versions
        assert any(v.body.strip() for v in release.versions.values())
        assert release.content_hash
