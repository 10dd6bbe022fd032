"""Bytes → text: encodings, BOMs, newlines, NFC and binary refusal."""

from __future__ import annotations

import codecs
import random

import pytest

from indexer.inputs.decoding import decode_text
from indexer.release import ReleaseError

RUSSIAN = (
    "Министр иностранных дел Эльмар Мамедъяров встретился с министром иностранных дел "
    "России Сергеем Лавровым. Стороны обсудили вопросы двустороннего сотрудничества, "
    "«Южный газовый коридор» и правовой статус Каспийского моря — 21 ноября 2017 г."
)
MIXED = "No:332/17, Foreign Minister met Sergey Lavrov (ENG/RU)\n\n" + RUSSIAN + "\n"


@pytest.mark.parametrize(
    "data",
    [
        MIXED.encode("utf-8"),
        codecs.BOM_UTF8 + MIXED.encode("utf-8"),
        codecs.BOM_UTF16_LE + MIXED.encode("utf-16-le"),
        codecs.BOM_UTF16_BE + MIXED.encode("utf-16-be"),
        MIXED.encode("utf-16-le"),
        MIXED.encode("utf-16-be"),
        MIXED.encode("cp1251"),
    ],
    ids=["utf8", "utf8-bom", "utf16le-bom", "utf16be-bom", "utf16le", "utf16be", "cp1251"],
)
def test_every_supported_encoding_gives_the_same_text(data: bytes) -> None:
    assert decode_text(data) == MIXED


@pytest.mark.parametrize("encoding", ["cp1251", "koi8_r"])
@pytest.mark.parametrize(
    "text",
    [
        RUSSIAN.replace("«", '"').replace("»", '"').replace("—", "-"),
        "Встреча министров.",
        "Заявление МИД по случаю годовщины установления дипломатических отношений",
    ],
)
def test_eight_bit_russian_is_not_mistaken_for_another_code_page(text: str, encoding: str) -> None:
    assert decode_text(text.encode(encoding)) == text


def test_western_eight_bit_text_is_not_read_as_cyrillic() -> None:
    text = "Le ministre a reçu l'ambassadeur à Bakou ; café, déjà, naïve, résumé.\n" * 3
    assert decode_text(text.encode("cp1252")) == text


def test_newlines_are_normalised_and_nfc_applied() -> None:
    decomposed = "Е\u0308лка и е\u0301"
    data = f"a\r\nb\rc\n{decomposed}".encode()
    assert decode_text(data) == "a\nb\nc\nЁлка и е\u0301"


def test_crlf_cp1251_with_bom_free_text() -> None:
    data = ("Пресс-релиз\r\n\r\n" + RUSSIAN + "\r\n").encode("cp1251")
    assert decode_text(data) == "Пресс-релиз\n\n" + RUSSIAN + "\n"


@pytest.mark.parametrize(
    "data, reason",
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG"),
        (b"PK\x03\x04\x14\x00\x06\x00", "ZIP"),
        (b"text with a NUL\x00 byte in the middle of ordinary ASCII content", "NUL"),
        (bytes(range(1, 9)) * 40 + b"some text", "control characters"),
    ],
)
def test_binary_content_is_refused_with_a_reason(data: bytes, reason: str) -> None:
    with pytest.raises(ReleaseError, match="binary file") as info:
        decode_text(data)
    assert reason in str(info.value)


def test_random_bytes_never_raise_anything_but_release_error() -> None:
    rng = random.Random(7)
    for _ in range(50):
        data = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 400)))
        try:
            text = decode_text(data)
        except ReleaseError:
            continue
        assert "\r" not in text and "\x00" not in text


def test_invalid_utf8_after_a_bom_is_reported() -> None:
    with pytest.raises(ReleaseError, match="byte-order mark"):
        decode_text(codecs.BOM_UTF8 + b"abc \xff\xfe\xfa def")


def test_empty_input_is_empty_text() -> None:
    assert decode_text(b"") == ""
