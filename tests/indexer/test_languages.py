"""Per-paragraph language detection."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from indexer.inputs.languages import (
    UNDETERMINED,
    assign_languages,
    detect_language,
    split_by_language,
)

SHARED = Path(__file__).parents[2].parent / "shared"
NEWS = SHARED / "data" / "news" / "wmt_news_en_ru_docs.jsonl"

AZ = (
    "Xarici İşlər Nazirliyində Azərbaycan və Qazaxıstan xarici işlər nazirlikləri arasında "
    "növbəti siyasi məsləhətləşmələr keçirilib. Görüşdə tərəflər ikitərəfli əməkdaşlığın "
    "geniş spektrini müzakirə ediblər."
)
EN = "The ministers discussed the development of bilateral relations and regional issues."
RU = "Министры обсудили развитие двусторонних отношений и региональные вопросы."


@pytest.mark.parametrize(
    "text, lang",
    [
        (EN, "en"),
        (RU, "ru"),
        (AZ, "az"),
        # Azerbaijani without its schwa, recognised by its words and letters.
        ("Nazir bu görüş üzrə məlumat verdi", "az"),
        ("Nazir bu gorus uzre melumat verdi ve ilə tanış oldu", "az"),
        ("Dışişleri Bakanı ile görüştü ve bu konuda açıklama yaptı", "tr"),
        # English with Turkish and Azerbaijani names stays English.
        ("Foreign Minister met with Mevlüt Çavuşoğlu in Ankara on the same day", "en"),
        ("Elmar Mammadyarov, Sergey Lavrov", UNDETERMINED),
        ("21.11.2017", UNDETERMINED),
        ("Ministers of the two countries", "en"),
        ("Міністр закордонних справ України провів зустріч у Києві", "uk"),
        ("Министр встретился с делегацией ЕС (EU) в Брюсселе", "ru"),
    ],
)
def test_detect_language(text: str, lang: str) -> None:
    assert detect_language(text) == lang


def test_latin_text_without_english_vocabulary_is_never_english() -> None:
    text = "Le ministre a rencontré son homologue russe pour discuter des relations bilatérales"
    assert detect_language(text) != "en"


def test_split_by_language_keeps_order_and_does_not_mix_azerbaijani_into_english() -> None:
    paragraphs = ["Press statement", EN, "Second paragraph of the statement, with facts.", AZ,
                  "Заявление для прессы", RU]
    groups = split_by_language(paragraphs)
    assert list(groups) == ["en", "az", "ru"]
    assert groups["en"] == paragraphs[:3]
    assert groups["az"] == [AZ]
    assert groups["ru"] == ["Заявление для прессы", RU]


def test_short_title_at_a_boundary_opens_the_next_block() -> None:
    langs = assign_languages([EN, "Heydar Aliyev Center", AZ])
    assert langs == ["en", "az", "az"]
    langs = assign_languages([EN, "Baku, Heydar Aliyev Center.", AZ])
    assert langs == ["en", "en", "az"]


def test_hints_win_unless_the_script_contradicts_them() -> None:
    paragraphs = ["Elmar Mammadyarov", RU, EN]
    assert assign_languages(paragraphs, ["ru", "ru", "ru"]) == ["ru", "ru", "en"]
    assert assign_languages([RU], ["en-GB"]) == ["ru"]
    assert assign_languages([EN], ["EN-us"]) == ["en"]


@pytest.mark.skipif(not NEWS.exists(), reason="../shared evaluation data is absent")
def test_real_news_paragraphs_are_detected() -> None:
    """Real parallel news (not ours).  The few misses left are the data's own:
    mojibake Russian and Russian paragraphs filed as English."""
    total = wrong = 0
    with NEWS.open(encoding="utf-8") as lines:
        for line in lines:
            doc = json.loads(line)
            for field, lang in (("text_en", "en"), ("text_ru", "ru")):
                for paragraph in doc[field].split("\n"):
                    if len(paragraph.split()) < 8:
                        continue
                    total += 1
                    wrong += detect_language(paragraph) != lang
    assert total > 2000
    assert wrong / total < 0.01, f"{wrong} of {total} paragraphs misdetected"
