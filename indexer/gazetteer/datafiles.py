"""The gazetteer's data files: reading and checking them.

Three TOML files, bundled in ``indexer/gazetteer/data/``; the GAZETTEER setting
may name a folder holding the user's copies of any of them (a file missing
there is taken from the bundle).  Every table has the same shape::

    [organisations.osce]          # [countries.<ISO code>], [people.<slug>]
    label_en = "OSCE"             # countries: optional, CLDR's name otherwise
    label_ru = "ОБСЕ"
    en = ["Organization for Security and Co-operation in Europe"]   # more names
    ru = ["Организация по безопасности и сотрудничеству в Европе"]  # (any language code)
    drop = []                     # countries: CLDR names not to match ("Того")

Labels are names too.  A top-level ``[ignore]`` table of any file lists, by
language, names that contain an entity's name without mentioning it ("Indian
Ocean", "Heydar Aliyev International Airport"): the longest name found wins.
A broken file raises ``GazetteerError`` saying where.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from indexer.datafile import read_toml
from indexer.gazetteer.model import Entity
from indexer.settings import setting

BUNDLED = Path(__file__).parent / "data"
#: Each kind's file and top-level table.
FILES = {"country": ("countries.toml", "countries"),
         "org": ("organisations.toml", "organisations"),
         "person": ("people.toml", "people")}
SLUG = re.compile(r"[a-z0-9][a-z0-9-]*")
_LANGUAGE = re.compile(r"[a-z]{2,3}")
_KEYS = {"label_en", "label_ru", "drop"}

#: Codes CLDR lists as territories that are not ISO 3166-1 countries
#: (Ascension, Clipperton, Diego Garcia, Ceuta & Melilla, the EU, the eurozone,
#: the Canaries, Outlying Oceania, Tristan da Cunha, the UN, pseudo-locales,
#: Kosovo's private-use code, Unknown).
NOT_ISO = frozenset({"AC", "CP", "CQ", "DG", "EA", "EU", "EZ", "IC", "QO", "TA", "UN",
                     "XA", "XB", "XK", "ZZ"})


class GazetteerError(ValueError):
    """A gazetteer data file is missing or malformed; the message says where."""


@dataclass
class Entry:
    """One entity of a data file with the names to match it by."""

    entity: Entity
    names: list[str] = field(default_factory=list)


def data_folder(folder: str | Path | None = None) -> Path:
    """``folder``, else the GAZETTEER setting, else the bundled data."""
    return Path(folder or setting("GAZETTEER") or BUNDLED)


def data_path(folder: Path, kind: str) -> Path:
    """The file of ``kind`` in ``folder``, else the bundled one."""
    name = FILES[kind][0]
    return folder / name if (folder / name).exists() else BUNDLED / name


def read_file(path: Path) -> dict:
    return read_toml(path, "gazetteer file", GazetteerError)


def read_table(path: Path, table: str) -> dict:
    entries = read_file(path).get(table, {})
    if not isinstance(entries, dict):
        raise GazetteerError(f"{path}: {table} must be tables [{table}.<id>]")
    for key, entry in entries.items():
        if not isinstance(entry, dict):
            raise GazetteerError(f"{path}: {table}.{key} must be a table")
    return entries


def _names(path: Path, where: str, entry: dict) -> list[str]:
    names: list[str] = []
    for key, value in entry.items():
        if key in _KEYS:
            if not isinstance(value, str if key != "drop" else list):
                kind = "a list of strings" if key == "drop" else "a string"
                raise GazetteerError(f"{path}: {where}.{key} must be {kind}")
            continue
        if not _LANGUAGE.fullmatch(key):
            raise GazetteerError(f"{path}: {where}.{key}: keys are label_en, label_ru, drop "
                                 "and language codes (en, ru, …) listing names")
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise GazetteerError(f"{path}: {where}.{key} must be a list of names (strings)")
        names.extend(v.strip() for v in value if v.strip())
    return names


def _label(path: Path, where: str, entry: dict, key: str, default: str | None) -> str:
    value = entry.get(key, default)
    if not isinstance(value, str) or not value.strip():
        raise GazetteerError(f"{path}: {where}.{key} is missing (a non-empty string)")
    return value.strip()


def read_countries(folder: Path) -> list[Entry]:
    """Every ISO 3166-1 country with CLDR's names and the data file's additions."""
    from babel import Locale

    path = data_path(folder, "country")
    table = FILES["country"][1]
    entries = read_table(path, table)
    english, russian = Locale("en").territories, Locale("ru").territories
    codes = [c for c in english if len(c) == 2 and c.isalpha() and c not in NOT_ISO]
    for code in entries:
        if code not in codes:
            raise GazetteerError(f"{path}: {table}.{code} is not an ISO 3166 alpha-2 "
                                 "country code (upper-case, such as AZ)")
    result = []
    for code in codes:
        entry = entries.get(code, {})
        where = f"{table}.{code}"
        label_en = _label(path, where, entry, "label_en", english[code])
        label_ru = _label(path, where, entry, "label_ru", russian.get(code, label_en))
        dropped = {d.strip().casefold() for d in entry.get("drop", []) if isinstance(d, str)}
        names = [n for n in (*cldr_variants(english[code]), *cldr_variants(russian.get(code, "")))
                 if n.casefold() not in dropped]
        names += _names(path, where, entry)
        result.append(Entry(Entity("country", code, label_en, label_ru), names))
    return result


def cldr_variants(name: str) -> list[str]:
    """CLDR's name as texts write it: "Myanmar (Burma)" also as Myanmar (what
    brackets hold is often a qualifier: "Виргинские о-ва (Великобритания)"),
    "Trinidad & Tobago" as "Trinidad and Tobago", "St. Lucia" as "Saint Lucia"."""
    if not name:
        return []
    variants = [name]
    if "(" in name:
        variants.append(re.sub(r"\s*\([^)]*\)", "", name).strip())
    for text in list(variants):
        if "&" in text:
            variants.append(text.replace("&", "and" if re.search("[A-Za-z]", text) else "и"))
        if text.startswith("St. "):
            variants.append("Saint " + text[4:])
    return [v for v in dict.fromkeys(v.strip() for v in variants) if v]


def read_ignored(folder: Path) -> list[str]:
    """The names of every file's ``[ignore]`` table."""
    names: list[str] = []
    for kind in FILES:
        path = data_path(folder, kind)
        table = read_file(path).get("ignore", {})
        if not isinstance(table, dict):
            raise GazetteerError(f"{path}: ignore must be a table of name lists")
        names += _names(path, "ignore", {k: v for k, v in table.items() if k not in _KEYS})
    return names


def read_named(folder: Path, kind: str) -> list[Entry]:
    """Organisations or people: every table with its labels and names."""
    path = data_path(folder, kind)
    table = FILES[kind][1]
    result = []
    for key, entry in read_table(path, table).items():
        where = f"{table}.{key}"
        if not SLUG.fullmatch(key):
            raise GazetteerError(f"{path}: {where}: ids are lower-case ascii letters, digits "
                                 "and '-' (such as osce or sergey-lavrov)")
        label_en = _label(path, where, entry, "label_en", None)
        label_ru = _label(path, where, entry, "label_ru", None)
        names = [label_en, label_ru, *_names(path, where, entry)]
        result.append(Entry(Entity(kind, key, label_en, label_ru), names))
    return result
