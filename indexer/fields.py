"""The Whoosh schema of a Pressroom index, and its field-name scheme.

One Whoosh document per release.  Each analyzed language has its own title
and body fields, so a language filter restricts matching to that language's
version; all of them share the bilingual analyzer.  Versions in any other
language share the ``*_other`` fields (``other_lang`` names the first).

Field names are built here only (``field_name``), and stored versions are
read here only (``stored_versions``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from whoosh import fields

from indexer.analysis import BilingualAnalyzer, PlainAnalyzer
from indexer.names.analysis import NameKeyAnalyzer, NameKeyText
from indexer.release import ANALYZED_LANGUAGES
from indexer.words import BilingualText

#: Field-name language for versions in any language but the analyzed ones.
OTHER = "other"
TEXT_LANGUAGES = (*ANALYZED_LANGUAGES, OTHER)


#: The script-neutral keys of the names of a version (issue 12, docs/names.md):
#: "Лавров" and "Lavrov" index one key.  One field per field language, like the
#: text fields, so a language filter keeps meaning "this version matched":
#: ``names_en``, ``names_ru``, ``names_other``.  Indexes written before lack them.
NAMES_SCOPE = "names"
#: "key|spelling" of every name word: which spellings a key stands for in the
#: archive, and in how many releases (spelling variants, marks in snippets).
NAME_SPELLINGS_FIELD = "name_spellings"

#: Who and where (issue 13, indexer/entities): the countries (ISO 3166 codes), organisations
#: and people (ids) of a release, comma-separated, and each person's labels in both scripts
#: ({"sergey-lavrov": {"en": "Sergey Lavrov", "ru": "Сергей Лавров"}}).  Indexes written
#: before them lack these fields; ``retag`` adds them.
COUNTRY_FIELD, ORG_FIELD, PERSON_FIELD, PERSON_NAMES_FIELD = (
    "country", "org", "person", "person_names")
ENTITY_FIELDS = (COUNTRY_FIELD, ORG_FIELD, PERSON_FIELD, PERSON_NAMES_FIELD)


def entity_field_types() -> dict[str, fields.FieldType]:
    """The entity fields by name, as ``build_schema`` (and ``retag``, for an older
    index) adds them."""
    keyword = {name: fields.KEYWORD(stored=True, commas=True, scorable=False)
               for name in (COUNTRY_FIELD, ORG_FIELD, PERSON_FIELD)}
    return {**keyword, PERSON_NAMES_FIELD: fields.STORED()}


#: The text fields of a version: its title and its body.
SCOPES = ("title", "body")


def field_lang(lang: str) -> str:
    """The language part of the field names holding a version in ``lang``."""
    return lang if lang in ANALYZED_LANGUAGES else OTHER


def field_name(scope: str, lang: str) -> str:
    """``title_<lang>`` / ``body_<lang>``: ``scope`` is one of ``SCOPES``."""
    return f"{scope}_{field_lang(lang)}"


def title_field(lang: str) -> str:
    return field_name("title", lang)


def body_field(lang: str) -> str:
    return field_name("body", lang)


def names_field(lang: str) -> str:
    """``names_<lang>``: the name keys of a version in ``lang``."""
    return field_name(NAMES_SCOPE, lang)


def text_fields(lang: str) -> tuple[str, str]:
    """The (title, body) field names holding a version in ``lang``."""
    return title_field(lang), body_field(lang)


def stored_languages(stored: Mapping[str, Any]) -> list[str]:
    """The language codes a document's stored fields list, in order."""
    return [lang for lang in stored.get("languages", "").split(",") if lang]


def stored_versions(stored: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """(language, title, body) of each version a document's stored fields hold.

    The ``*_other`` fields hold the version that ``other_lang`` names; a second
    language of those is only appended to their body for its words to be found,
    and has no version of its own.  An empty ``other_lang`` names none: the
    fields belong to any listed language.
    """
    versions = []
    for lang in stored_languages(stored):
        if field_lang(lang) == OTHER and stored.get("other_lang") not in (None, "", lang):
            continue
        title_name, body_name = text_fields(lang)
        versions.append((lang, stored.get(title_name, ""), stored.get(body_name, "")))
    return versions


def build_schema() -> fields.Schema:
    bilingual = BilingualAnalyzer()
    plain = PlainAnalyzer()
    schema = fields.Schema(
        id=fields.ID(stored=True, unique=True, sortable=True),
        number=fields.ID(stored=True),
        # ISO dates sort as strings; year and month drive the facets.
        date=fields.ID(stored=True, sortable=True),
        year=fields.ID(stored=True, sortable=True),
        month=fields.ID(stored=True, sortable=True),
        url=fields.STORED(),
        topics=fields.KEYWORD(stored=True, commas=True, scorable=False),
        #: The topics the source gave explicitly; re-tagging keeps them.
        source_topics=fields.STORED(),
        languages=fields.KEYWORD(stored=True, commas=True),
        #: The code of the version in the "other" fields ("az"), if any.
        other_lang=fields.ID(stored=True),
        source=fields.ID(stored=True),
        content_hash=fields.ID(stored=True),
        indexed_at=fields.STORED(),
        # Surface words of every version, unstemmed and deduplicated: the
        # vocabulary for spelling and keyboard-layout suggestions.
        words=fields.KEYWORD(lowercase=True, scorable=True),
    )
    # Positions kept, so that phrases work across the key ("Сергей Лавров").
    for lang in TEXT_LANGUAGES:
        schema.add(names_field(lang), NameKeyText(analyzer=NameKeyAnalyzer(), phrase=True))
    schema.add(NAME_SPELLINGS_FIELD, fields.KEYWORD())
    for name, field_type in entity_field_types().items():
        schema.add(name, field_type)
    for lang in TEXT_LANGUAGES:
        analyzer = plain if lang == OTHER else bilingual
        # BilingualText indexes exactly like TEXT, only faster (indexer/words.py).
        title_name, body_name = text_fields(lang)
        schema.add(title_name, BilingualText(analyzer=analyzer, stored=True, field_boost=1.0))
        schema.add(body_name, BilingualText(analyzer=analyzer, stored=True))
    return schema
