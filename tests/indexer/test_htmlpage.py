"""HTML page → release."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from indexer.inputs.htmlpage import parse_html
from indexer.release import ReleaseError

DATA = Path(__file__).parents[1] / "data" / "parsing"


@pytest.fixture(scope="module")
def sections():
    return parse_html((DATA / "sections.html").read_text(encoding="utf-8"))


def _all_text(release) -> str:
    return "\n".join(f"{v.title}\n{v.body}" for v in release.versions.values())


def test_metadata(sections) -> None:
    assert sections.date == dt.date(2020, 1, 20)
    assert sections.number == "12/20"
    assert sections.url == "https://mfa.example.org/en/news/12-20"


def test_sections_by_lang_attribute(sections) -> None:
    assert sections.languages == ["en", "ru"]
    en, ru = sections.versions["en"], sections.versions["ru"]
    assert en.title == "Consultations on consular matters held in Baku"
    assert ru.title == "В Баку прошли консульские консультации"
    # A bare name inside <section lang="en"> stays English.
    assert en.body.endswith("Elmar Mammadyarov")
    assert ru.body.startswith("В Баку прошли консультации между министерствами")


def test_furniture_is_dropped(sections) -> None:
    text = _all_text(sections)
    for noise in ("cookies", "Home", "About the Ministry", "Embassies", "Share", "Facebook",
                  "Related news", "Another release", "All rights reserved", "Not text", "OK"):
        assert noise not in text


def test_entities_decode_and_literal_markup_stays_text(sections) -> None:
    body = sections.versions["en"].body
    assert "«visa facilitation»" in body
    assert "Baku on 20 January" in body  # &nbsp; is a space
    assert "<script>alert(1)</script>" in body


def test_date_from_meta_and_og_url_fallback() -> None:
    page = (
        '<html><head><meta property="article:published_time" content="2018-05-04T10:00">'
        '<meta property="og:url" content="https://mfa.example.org/x"></head><body>'
        "<article><h1>Ministers met in Baku</h1><p>The ministers of the two countries met in "
        "Baku and discussed the development of bilateral relations.</p></article></body></html>"
    )
    release = parse_html(page)
    assert release.date == dt.date(2018, 5, 4)
    assert release.url == "https://mfa.example.org/x"
    assert release.versions["en"].title == "Ministers met in Baku"


def test_date_in_text_when_no_metadata() -> None:
    page = (
        "<body><div class='date'>21 ноября 2017 г.</div><div><h2>Министры встретились</h2>"
        "Министры двух стран встретились в Баку и обсудили развитие отношений.</div></body>"
    )
    release = parse_html(page)
    assert release.date == dt.date(2017, 11, 21)
    assert release.versions["ru"].title == "Министры встретились"
    assert release.versions["ru"].body.startswith("Министры двух стран")


def test_page_without_article_text_is_refused() -> None:
    page = (
        "<html><body><header><nav><a href='/'>Home</a></nav></header><main></main>"
        "<footer>All rights reserved.</footer></body></html>"
    )
    with pytest.raises(ReleaseError, match="no article text"):
        parse_html(page)


def test_deep_nesting_parses() -> None:
    # No recursion limit on 9,000 levels; its time grows linearly (bench/parse_scaling.py).
    page = (
        "<html><body>" + "<div>" * 9000 + "<p>21 November 2017</p><h1>Ministers met</h1>"
        "<p>The ministers of the two countries met and discussed relations.</p>"
        + "</div>" * 9000 + "</body></html>"
    )
    release = parse_html(page)
    assert release.date == dt.date(2017, 11, 21)


def test_too_much_markup_is_refused_before_parsing() -> None:
    with pytest.raises(ReleaseError, match="tags"):
        parse_html("<b>x</b>" * 20_000)


@pytest.mark.parametrize(
    "page", ["release.html", "https://mfa.example.org/x", "<?xml version='1.0'?><r/>"]
)
def test_markup_that_bs4_warns_about_is_a_release_error(page: str) -> None:
    with pytest.raises(ReleaseError):
        parse_html(page)
