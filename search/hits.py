"""A hit: one release as a result list shows it, in the language version chosen for it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from typing import Any

from indexer.codec.readers import stored_fields
from indexer.fields import field_lang, text_fields, title_field
from search.deadline import Deadline
from search.highlight import highlight_all, snippet

MARKED = "Escaped HTML; <mark> around matched forms."


def _json(schema: dict[str, Any], required: bool = True) -> Any:
    """A field's JSON schema (and whether the JSON always has it), kept in its metadata."""
    return field(metadata={"schema": schema, "required": required})


@dataclass
class Hit:
    """One hit, its fields in the order of its JSON (``to_dict``; docs/search-contract.md).

    Each field's metadata holds its JSON schema: ``webui.openapi_schemas`` builds the
    OpenAPI ``Hit`` from them, so the shape is written here alone.  A hit reads like
    its JSON too (``hit["id"]``, ``dict(hit)``).
    """

    id: str = _json({"type": "string"})
    number: str = _json({"type": ["string", "null"]})
    date: str = _json({"type": ["string", "null"], "format": "date"})
    languages: list[str] = _json({"type": "array", "items": {"type": "string"}})
    topics: list[str] = _json({"type": "array", "items": {"type": "string"}})
    title: str = _json({"type": "string", "description": MARKED})
    snippet: str = _json({"type": "string", "description": MARKED})
    lang: str = _json({"type": "string", "description": "Language of title and snippet."})
    titles: dict[str, str] = _json({"type": "object", "additionalProperties": {"type": "string"}})
    other_languages: list[str] = _json({"type": "array", "items": {"type": "string"}})
    score: float | None = _json({"type": ["number", "null"]}, required=False)
    url: str = _json({"type": ["string", "null"]})

    def keys(self) -> tuple[str, ...]:
        return HIT_KEYS

    def __getitem__(self, key: str) -> Any:
        if key not in HIT_KEYS:
            raise KeyError(key)
        return getattr(self, key)

    def to_dict(self) -> dict[str, Any]:
        """The hit's JSON (its lists and dicts shared, as a shallow copy)."""
        return {key: getattr(self, key) for key in HIT_KEYS}

    @staticmethod
    def json_schemas() -> tuple[dict[str, Any], dict[str, Any]]:
        """The JSON schema of each field: those always present, the others."""
        required = {f.name: f.metadata["schema"] for f in fields(Hit) if f.metadata["required"]}
        optional = {f.name: f.metadata["schema"] for f in fields(Hit)
                    if not f.metadata["required"]}
        return required, optional


HIT_KEYS = tuple(f.name for f in fields(Hit))


def read_hit(searcher, docnum: int, score: float | None, terms: dict[str, set[str]],
             lang_scores: dict[str, dict[int, float]], preferred: Iterable[str],
             deadline: Deadline | None = None, prefer: str | None = None) -> Hit:
    """Hit ``docnum``, shown in one of its versions: one the query matched (``lang_scores``)
    first; among those, the interface language's (``prefer``), then the best scoring, then
    the first in ``preferred``, English, Russian."""
    stored = stored_fields(searcher, docnum)
    languages = [x for x in stored.get("languages", "").split(",") if x]
    titles = {lang: stored.get(title_field(lang), "") for lang in languages}
    order = list(dict.fromkeys([*preferred, "en", "ru"]))

    def rank(lang: str) -> tuple:
        best = lang_scores.get(field_lang(lang), {}).get(docnum, 0.0)
        # A version the query matched first (its words are marked there); among
        # those (or all, browsing), the interface language's.
        return (best <= 0 < max_best, lang != prefer, -best,
                order.index(lang) if lang in order else len(order))

    max_best = max((lang_scores.get(field_lang(x), {}).get(docnum, 0.0) for x in languages),
                   default=0.0)
    shown = min(languages, key=rank) if languages else "en"
    title_name, body_name = text_fields(shown)
    schema = searcher.schema
    title = stored.get(title_name, "")
    return Hit(
        id=stored.get("id", ""),
        number=stored.get("number", ""),
        date=stored.get("date", ""),
        languages=languages,
        topics=[x for x in stored.get("topics", "").split(",") if x],
        title=highlight_all(title, schema[title_name].analyzer,
                            terms.get(title_name, set()), deadline),
        snippet=snippet(stored.get(body_name, ""), schema[body_name].analyzer,
                        terms.get(body_name, set()), deadline=deadline),
        lang=shown,
        titles=titles,
        other_languages=[x for x in languages if x != shown],
        score=round(score, 3) if score is not None else None,
        url=stored.get("url", ""),
    )
