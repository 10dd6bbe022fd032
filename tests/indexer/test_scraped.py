"""Scraped page text → release."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from indexer.inputs.scraped import find_date, find_number, parse_scraped_text, strip_lang_marker
from indexer.release import ReleaseError

SEED = Path(__file__).parents[2].parent / "shared" / "seed" / "release-332-17.txt"
DATA = Path(__file__).parents[1] / "data" / "parsing"
NOISE = ("Share this page", "Privacy Policy", "banner", "All rights reserved", "Поделиться",
         "Версия для печати", "Home /")

EN_BODY = (
    "Foreign Minister Elmar Mammadyarov received the ambassador of Japan. The sides discussed "
    "the development of bilateral relations in the economic and humanitarian fields."
)
RU_BODY = (
    "Министр иностранных дел Эльмар Мамедъяров принял посла Японии. Стороны обсудили развитие "
    "двусторонних отношений в экономической и гуманитарной сферах."
)
AZ_BODY = (
    "Xarici işlər naziri Elmar Məmmədyarov Yaponiyanın səfirini qəbul edib. Görüşdə tərəflər "
    "ikitərəfli əlaqələrin inkişafını müzakirə ediblər."
)


def _all_text(release) -> str:
    return "\n".join(f"{v.title}\n{v.body}" for v in release.versions.values())


@pytest.mark.skipif(not SEED.exists(), reason="../shared/seed is absent")
def test_seed_release() -> None:
    release = parse_scraped_text(SEED.read_text(encoding="utf-8"))
    assert release.date == dt.date(2017, 11, 21)
    assert release.number == "332/17"
    assert release.languages == ["en", "ru"]
    assert release.versions["en"].title == (
        "Foreign Minister Elmar Mammadyarov met with Minister of Foreign Affairs of Russian "
        "Federation Sergey Lavrov"
    )
    assert release.versions["ru"].title == (
        "Министр Иностранных Дел Эльмар Мамедъяров встретился с Министром Иностранных Дел "
        "России Сергеем Лавровым"
    )
    assert release.versions["en"].body.startswith("Foreign Minister Elmar Mammadyarov met with")
    assert release.versions["en"].body.endswith("regional and global issues.")
    assert release.versions["ru"].body.endswith("глобальных вопросах.")
    assert len(release.versions["en"].body.split("\n\n")) == 12
    assert not any(noise in _all_text(release) for noise in NOISE)
    assert "Министр" not in release.versions["en"].body


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Press release 21 November 2017", dt.date(2017, 11, 21)),
        ("November 21, 2017", dt.date(2017, 11, 21)),
        ("21 ноября 2017 г.", dt.date(2017, 11, 21)),
        ("20 марта 2020 года", dt.date(2020, 3, 20)),
        ("1 мая 2019", dt.date(2019, 5, 1)),
        ("3 май 2019", dt.date(2019, 5, 3)),
        ("21 noyabr 2017", dt.date(2017, 11, 21)),
        ("21.11.2017", dt.date(2017, 11, 21)),
        ("2017-11-21", dt.date(2017, 11, 21)),
        ("Baku, 5 Sept. 2019", dt.date(2019, 9, 5)),
        ("31.02.2017", None),
        ("No:332/17", None),
    ],
)
def test_find_date(text: str, expected: dt.date | None) -> None:
    found = find_date(text)
    assert (found[0] if found else None) == expected


@pytest.mark.parametrize(
    "text", ["No:332/17, Title", "No. 332/17", "№ 332/17", "№332/17", "NO: 332 / 17", "Nº 332/17"]
)
def test_find_number(text: str) -> None:
    found = find_number(text)
    assert found and found[0] == "332/17"


def test_no_number_in_ordinary_words() -> None:
    found = find_number("Nobody said no 332/17")
    assert found and found[0] == "332/17"
    assert find_number("Nominations for 2017") is None


@pytest.mark.parametrize("marker", ["(ENG/RU)", "(RU/ENG)", "(ENG)", "( EN, RU, AZ )"])
def test_strip_lang_marker(marker: str) -> None:
    assert strip_lang_marker(f"Ministers met (in Baku) {marker} ") == "Ministers met (in Baku)"


def test_english_only_release() -> None:
    text = (
        f"Print version\n21 November 2017\n\nNo:5/17, Ambassador of Japan received\n\n"
        f"{EN_BODY}\n"
    )
    release = parse_scraped_text(text)
    assert release.languages == ["en"]
    assert release.versions["en"].title == "Ambassador of Japan received"
    assert release.versions["en"].body == EN_BODY


def test_russian_only_release_with_wrapped_lines() -> None:
    release = parse_scraped_text((DATA / "ru-only-wrapped.txt").read_text(encoding="utf-8"))
    assert release.date == dt.date(2019, 3, 5)
    assert release.number == "45/19"
    assert release.languages == ["ru"]
    ru = release.versions["ru"]
    assert ru.title == "Заместитель министра провёл встречу с послом Японии"
    # Hard-wrapped lines are joined; paragraphs stay apart.
    assert ru.body.count("\n\n") == 1
    assert "В ходе встречи стороны обсудили" in ru.body
    assert not any(noise in _all_text(release) for noise in NOISE)


def test_azerbaijani_paragraphs_become_their_own_version() -> None:
    text = (
        f"Press release 21 November 2017\n\nNo:7/17, Ambassador of Japan received (ENG/RU)\n\n"
        f"{EN_BODY}\n\n{AZ_BODY}\n\nПосол Японии принят в МИД\n\n{RU_BODY}\n\nShare this page\n"
    )
    release = parse_scraped_text(text)
    assert release.languages == ["en", "az", "ru"]
    assert release.versions["en"].body == EN_BODY
    assert release.versions["az"].body == AZ_BODY
    assert release.versions["ru"].title == "Посол Японии принят в МИД"
    assert release.versions["ru"].body == RU_BODY


def test_title_before_the_date_is_kept() -> None:
    text = f"Home\nAmbassador of Japan received by the Minister\n05.03.2019\n\n{EN_BODY}\n"
    release = parse_scraped_text(text)
    assert release.date == dt.date(2019, 3, 5)
    assert release.versions["en"].title == "Ambassador of Japan received by the Minister"
    assert "Home" not in _all_text(release)


def test_release_without_date_or_number_but_with_structure() -> None:
    release = parse_scraped_text(f"Ambassador of Japan received\n\n{EN_BODY}\n")
    assert release.date is None and release.number is None
    assert release.versions["en"].title == "Ambassador of Japan received"


@pytest.mark.parametrize(
    "text, reason",
    [
        ("milk\neggs\nbread\n2 apples\nbutter\n", "not a press release"),
        ("Press release 21 November 2017\n\nNo:5/17, Title only (ENG)\n", "no body"),
        ("Share this page\nPrivacy Policy\n", "no text"),
        ("   \n\n", "empty"),
    ],
)
def test_what_is_not_a_release_is_refused_with_a_reason(text: str, reason: str) -> None:
    with pytest.raises(ReleaseError, match=reason):
        parse_scraped_text(text)


@pytest.mark.parametrize(
    "text",
    [
        "word " * 400_000,  # one 2 MB line
        "Word of the day.\n" * 9_000,
        "(" * 100_000 + "No:1/17 " * 1000,
        "21 " * 300_000,
    ],
    ids=["one-line", "many-lines", "parens", "digits"],
)
def test_large_inputs_fail_cleanly_or_parse(text: str) -> None:
    # Their time grows linearly with their size: measured by bench/parse_scaling.py.
    try:
        parse_scraped_text(text)
    except ReleaseError:
        pass
