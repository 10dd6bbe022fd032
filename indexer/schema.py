"""The Whoosh schema of a Pressroom index.

One Whoosh document per release.  Each analyzed language has its own title
and body fields, so a language filter restricts matching to that language's
version; all of them share the bilingual analyzer.
"""

from __future__ import annotations

from whoosh import fields

from indexer.analysis import BilingualAnalyzer, PlainAnalyzer
from indexer.release import ANALYZED_LANGUAGES
from indexer.words import BilingualText

#: Field-name language for versions in any language but the analyzed ones.
OTHER = "other"
TEXT_LANGUAGES = (*ANALYZED_LANGUAGES, OTHER)


def title_field(lang: str) -> str:
    return f"title_{lang if lang in ANALYZED_LANGUAGES else OTHER}"


def body_field(lang: str) -> str:
    return f"body_{lang if lang in ANALYZED_LANGUAGES else OTHER}"


def text_fields(lang: str) -> tuple[str, str]:
    """The (title, body) field names holding a version in ``lang``."""
    return title_field(lang), body_field(lang)


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
    for lang in TEXT_LANGUAGES:
        analyzer = plain if lang == OTHER else bilingual
        # BilingualText indexes exactly like TEXT, only faster (indexer/words.py).
        schema.add(f"title_{lang}", BilingualText(analyzer=analyzer, stored=True, field_boost=1.0))
        schema.add(f"body_{lang}", BilingualText(analyzer=analyzer, stored=True))
    return schema
