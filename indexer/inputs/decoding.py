"""Bytes → text: BOMs, UTF-16, UTF-8 and 8-bit Cyrillic (cp1251), or a refusal.

Archives of press releases are saved by browsers, editors and scrapers over
many years: UTF-8 with or without a BOM, UTF-16 from Windows tools, and cp1251
from old Russian-language pages.  Binary files (PDF, images, archives) that
land in the same folder are refused with a reason instead of being indexed as
mojibake.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

from charset_normalizer import from_bytes

from indexer.release import ReleaseError

#: Bytes looked at to recognise BOM-less UTF-16 and to name binary formats.
SNIFF_BYTES = 4096

#: Control characters other than tab, newline, form feed and carriage return.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
#: A larger share of control characters than this means the file is not text.
MAX_CONTROL_SHARE = 0.01

#: Well-known signatures, so that the refusal can name what the file is.
MAGIC = (
    (b"%PDF-", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"PK\x03\x04", "a ZIP archive (or an Office document)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\xd0\xcf\x11\xe0", "a legacy Office document"),
    (b"\x7fELF", "an executable program"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
)

#: 8-bit Cyrillic encodings considered for Russian text, most likely first:
#: on a tie, cp1251 (Windows) wins over KOI8-R and the Mac and DOS code pages.
CYRILLIC_ENCODINGS = ("cp1251", "koi8_r", "mac_cyrillic", "cp866", "iso8859_5")
#: The most frequent Russian lowercase letters; right decodings are full of them.
#: Single-byte code pages preferred, in this order, when they decode as cleanly
#: as the detector's choice: the ones an archive of this region actually uses.
PREFERRED_8BIT = ("cp1252", "cp1254", "cp1250")
_FREQUENT_RU = frozenset("оеаинтсрвлкмдпуяыь")
_CYRILLIC_LETTER = re.compile(r"[а-яёА-ЯЁ]")
_MIXED_WORD = re.compile(r"[A-Za-z][а-яёА-ЯЁ]|[а-яёА-ЯЁ][A-Za-z]")


def decode_text(data: bytes) -> str:
    """Decode one input file to text with ``\\n`` newlines, no BOM, in NFC.

    Raises ``ReleaseError`` for binary content.
    """
    if not data:
        return ""
    for magic, what in MAGIC:
        if data.startswith(magic):
            raise ReleaseError(f"binary file: looks like {what}")
    return finish_text(_decode(data))


def finish_text(text: str) -> str:
    """Decoded text → what the parsers read: no BOM, ``\\n`` newlines, NFC.

    Raises ``ReleaseError`` when control characters show it is not text.
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    controls = len(_CONTROL.findall(text))
    if "\x00" in text or controls > max(2, MAX_CONTROL_SHARE * len(text)):
        raise ReleaseError(
            f"binary file: {controls} control characters in {len(text)} (not a text file)"
        )
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u2028", "\n").replace("\u2029", "\n\n")
    return unicodedata.normalize("NFC", text)


#: Byte-order marks, longest first (the UTF-32 LE mark begins with UTF-16 LE's).
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def wide_encoding(head: bytes) -> str | None:
    """The encoding of a file whose newline is not the byte ``\\n`` (UTF-16 or
    UTF-32, by BOM or by its NULs), from its first bytes; None for the others,
    which can be split into lines as bytes and each line decoded alone."""
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return None if encoding == "utf-8" else encoding
    return _bomless_utf16(head)


def _decode(data: bytes) -> str:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(encoding)
            except UnicodeDecodeError as exc:
                raise ReleaseError(
                    f"not valid {encoding.upper()} despite its byte-order mark "
                    f"(byte {exc.start + len(bom)})"
                ) from None
    utf16 = _bomless_utf16(data)
    if utf16:
        try:
            return data.decode(utf16)
        except UnicodeDecodeError:
            pass
    if b"\x00" in data:
        raise ReleaseError("binary file: contains NUL bytes (not a text file)")
    try:
        # Strict UTF-8 first: valid UTF-8 of any length is practically never
        # another encoding, and the detector can misjudge short texts.
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    cyrillic = _decode_cyrillic(data)
    if cyrillic is not None:
        return cyrillic
    matches = list(from_bytes(data))
    if not matches:
        raise ReleaseError("binary file: no text encoding fits its bytes")
    # Several single-byte code pages decode Western text equally cleanly; the
    # detector's pick among them is arbitrary (cp1257 for French), so the
    # Windows code page wins when it is nearly as clean as the best.
    best = matches[0]
    for encoding in PREFERRED_8BIT:
        for match in matches:
            if match.encoding == encoding and match.chaos <= best.chaos + 0.1:
                return str(match)
    return str(best)


def _bomless_utf16(data: bytes) -> str | None:
    """Name the UTF-16 byte order if NULs sit on one side of byte pairs.

    ASCII characters (spaces, digits, punctuation) have a NUL high byte, so a
    UTF-16 text has NULs at odd offsets (LE) or even ones (BE), and only there.
    """
    sample = data[: SNIFF_BYTES - SNIFF_BYTES % 2]
    if len(sample) < 4:
        return None
    even = sample[0::2].count(0)
    odd = sample[1::2].count(0)
    pairs = len(sample) // 2
    if odd >= 0.1 * pairs and even <= 0.01 * pairs:
        return "utf-16-le"
    if even >= 0.1 * pairs and odd <= 0.01 * pairs:
        return "utf-16-be"
    return None


def _decode_cyrillic(data: bytes) -> str | None:
    """Decode 8-bit Russian text, or return None when it does not look Russian.

    The letter ranges of cp1251 and KOI8-R overlap with the case swapped, so a
    detector that only checks for Cyrillic letters picks either; the right
    decoding is the one whose letters are mostly frequent lowercase ones.
    """
    high = sum(1 for b in data[:65536] if b >= 0x80)
    if high == 0:
        return None
    best: tuple[float, str] | None = None
    for encoding in CYRILLIC_ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        sample = text[:65536]
        letters = _CYRILLIC_LETTER.findall(sample)
        # Most high bytes must be Cyrillic letters: otherwise it is a Western
        # 8-bit text (é, ü, £) that the detector handles.
        if len(letters) < 0.7 * high:
            continue
        # Western text read as Cyrillic has its "letters" inside Latin words
        # ("cafй", "rйsumй"); Russian words are Cyrillic from end to end.
        if len(_MIXED_WORD.findall(sample)) > 0.05 * len(letters):
            continue
        # Per high byte, not per letter: a wrong decoding turns some letters
        # into symbols, which must lower its score rather than raise it.
        score = sum(1 for ch in letters if ch in _FREQUENT_RU) / high
        if best is None or score > best[0] + 1e-9:
            best = (score, text)
    if best is None or best[0] < 0.3:
        return None
    return best[1]
