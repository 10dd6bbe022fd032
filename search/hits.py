"""A hit: one release as a result list shows it, in the language version chosen for it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from indexer.codec.readers import stored_fields
from indexer.fields import field_lang, text_fields, title_field
from search.deadline import Deadline
from search.highlight import highlight_all, snippet


def read_hit(searcher, docnum: int, score: float | None, terms: dict[str, set[str]],
         lang_scores: dict[str, dict[int, float]], preferred: Iterable[str],
         deadline: Deadline | None = None, prefer: str | None = None) -> dict[str, Any]:
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
    return {
        "id": stored.get("id", ""),
        "number": stored.get("number", ""),
        "date": stored.get("date", ""),
        "languages": languages,
        "topics": [x for x in stored.get("topics", "").split(",") if x],
        "title": highlight_all(title, schema[title_name].analyzer,
                               terms.get(title_name, set()), deadline),
        "snippet": snippet(stored.get(body_name, ""), schema[body_name].analyzer,
                           terms.get(body_name, set()), deadline=deadline),
        "lang": shown,
        "titles": titles,
        "other_languages": [x for x in languages if x != shown],
        "score": round(score, 3) if score is not None else None,
        "url": stored.get("url", ""),
    }
