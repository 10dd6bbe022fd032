"""Bilingual display labels of facet values: languages and topics."""

from __future__ import annotations

import threading
from functools import lru_cache
from typing import Any

LANGUAGE_LABELS: dict[str, dict[str, str]] = {
    "en": {"en": "English", "ru": "Английский"},
    "ru": {"en": "Russian", "ru": "Русский"},
    "az": {"en": "Azerbaijani", "ru": "Азербайджанский"},
}

_taxonomy: Any = None
_taxonomy_lock = threading.Lock()


def language_label(code: str) -> dict[str, str]:
    return dict(LANGUAGE_LABELS.get(code, {"en": code, "ru": code}))


def taxonomy() -> Any:
    """The topic taxonomy, or None when it cannot be loaded (labels fall back to slugs)."""
    global _taxonomy
    if _taxonomy is None:
        with _taxonomy_lock:
            if _taxonomy is None:
                try:
                    from indexer.topics import Taxonomy

                    _taxonomy = Taxonomy.load()
                except Exception:  # noqa: BLE001 - a missing or broken taxonomy only costs labels
                    _taxonomy = False
    return _taxonomy or None


def topic_labels() -> dict[str, dict[str, str]]:
    """Labels of every topic the taxonomy knows (a new dict; the labels inside are shared)."""
    return dict(_taxonomy_labels())


@lru_cache(maxsize=1)
def _taxonomy_labels() -> dict[str, dict[str, str]]:
    # The taxonomy is loaded once per process: its labels are built once too,
    # not for every facet of every page.
    tax = taxonomy()
    if tax is None:
        return {}
    out = {}
    for topic in getattr(tax, "topics", []) or []:
        slug = topic if isinstance(topic, str) else getattr(topic, "slug", None)
        if slug:
            out[slug] = topic_label(slug)
    return out


def topic_label(slug: str, labels: dict[str, dict[str, str]] | None = None) -> dict[str, str]:
    if labels and slug in labels:
        return dict(labels[slug])
    tax = taxonomy()
    if tax is not None:
        try:
            return {lang: tax.label(slug, lang) or slug for lang in ("en", "ru")}
        except Exception:  # noqa: BLE001 - unknown slug: show it as is
            pass
    return {"en": slug, "ru": slug}
