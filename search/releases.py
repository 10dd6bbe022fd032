"""Releases: one release with every language version, more like this, the stats.

``Releases`` is a base class of ``search.archive.Archive``, which owns the
searchers and the per-generation tables these views read.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from whoosh import classify
from whoosh import query as wq

from indexer.analysis import SURFACE_MARK
from indexer.fields import TEXT_LANGUAGES, stored_versions, text_fields
from indexer.location import live_index_dir
from indexer.statistics import read_stats
from search import facets as fc
from search.entities import release_entities
from search.highlight import highlight_all
from search.hits import read_hit
from search.labels import language_label, topic_label, topic_labels
from search.query import parse

MLT_TERMS = 12


class Releases:
    """The views of ``Archive`` beside the search itself (see the module docstring)."""

    def _docnum(self, searcher, release_id: str) -> int | None:
        if not isinstance(release_id, str) or not release_id:
            return None
        return searcher.document_number(id=release_id)

    def release(self, release_id: str, highlight: str | None = None) -> dict[str, Any] | None:
        """A full release, every language version, matched forms of ``highlight`` marked."""
        ctx = self._context(None)
        searcher = ctx.searcher
        docnum = self._docnum(searcher, release_id)
        if docnum is None:
            return None
        stored = searcher.stored_fields(docnum)
        terms: dict[str, set[str]] = {}
        if highlight:
            terms = ctx.compiled(parse(highlight), TEXT_LANGUAGES).terms
        schema = searcher.schema
        versions = []
        for lang, title, body in stored_versions(stored):
            title_name, body_name = text_fields(lang)
            analyzer = schema[body_name].analyzer
            paragraphs = [p.strip() for p in body.replace("\r\n", "\n").split("\n") if p.strip()]
            # Plain text for programs; the marked-up twins (escaped HTML) for pages.
            versions.append({
                "lang": lang,
                "label": language_label(lang),
                "title": title,
                "paragraphs": paragraphs,
                "title_html": highlight_all(title, schema[title_name].analyzer,
                                            terms.get(title_name, set()), ctx.deadline),
                "paragraphs_html": [highlight_all(p, analyzer, terms.get(body_name, set()),
                                                  ctx.deadline)
                                    for p in paragraphs],
            })
        return {
            "id": stored.get("id", ""),
            "number": stored.get("number", ""),
            "date": stored.get("date", ""),
            "url": stored.get("url", ""),
            "topics": [{"value": t, "label": topic_label(t)}
                       for t in stored.get("topics", "").split(",") if t],
            "languages": [v["lang"] for v in versions],
            "versions": versions,
            "source": stored.get("source", ""),
            "indexed_at": stored.get("indexed_at", ""),
            "entities": release_entities(stored),
        }

    def more_like_this(self, release_id: str, limit: int = 5,
                       prefer: str | None = None) -> list[dict[str, Any]]:
        """Releases sharing the most distinctive terms of the given one (itself excluded)."""
        ctx = self._context(None)
        searcher = ctx.searcher
        docnum = self._docnum(searcher, release_id)
        if docnum is None:
            return []
        stored = searcher.stored_fields(docnum)
        reader = searcher.reader()
        clauses: list[wq.Query] = []
        for flang in TEXT_LANGUAGES:
            for kind in ("title", "body"):
                name = f"{kind}_{flang}"
                text = stored.get(name)
                if not text:
                    continue
                expander = classify.Expander(reader, name)
                expander.add_text(text)
                for term, weight in expander.expanded_terms(MLT_TERMS * 2):
                    if not term.startswith(SURFACE_MARK) and not term.isdigit():
                        clauses.append(wq.Term(name, term, boost=max(weight, 0.01)))
        if not clauses:
            return []
        results = searcher.search(wq.Or(clauses), mask={docnum}, limit=max(1, min(limit, 50)))
        return [read_hit(searcher, hit.docnum, hit.score, {}, {}, (), prefer=prefer).to_dict()
                for hit in results]

    def facet_table(self) -> tuple[Any, fc.DocTable]:
        """The searcher and facet table of the live generation (entity pages count on it)."""
        ctx = self._context(None)
        return ctx.searcher, ctx.table

    def release_count(self) -> int:
        """Live releases in the index a search would see now (health checks)."""
        _, shared = self._acquire()
        return int(np.count_nonzero(shared.table.live))

    def stats(self) -> dict[str, Any]:
        """Numbers for the /stats page: releases, languages, years, topics, freshness, size."""
        ctx = self._context(None)
        table = ctx.table
        labels = topic_labels()
        label_of = {"languages": language_label, "year": fc.year_label,
                    "topics": lambda v: topic_label(v, labels)}
        return read_stats(
            ctx.searcher, live_index_dir(self.root),
            count=lambda name: dict(fc.count_values(table, name, table.live)),
            label=lambda name, value: label_of[name](value))

    def topic_labels(self) -> dict[str, dict[str, str]]:
        """Labels of the taxonomy's topics and of every topic found in the index."""
        labels = topic_labels()
        ctx = self._context(None)
        for slug in ctx.table.postings.get("topics", {}):
            if slug not in labels:
                labels[slug] = topic_label(slug)
        return labels
