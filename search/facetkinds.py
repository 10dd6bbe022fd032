"""One object per facet type (Datasette's facet classes): year, month, topic, language,
and the entities country, org and person (issue 13).

Each knows its request parameter, counts its values (with ``search.facets``),
labels them in both interface languages, says whether a value is a filter at
all, and builds the request with a value switched on or off.  The archive and
the web pages ask these objects instead of switching on the facet's name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from search import entities
from search import facets as fc
from search.labels import language_label, topic_label
from search.request import SearchRequest


@dataclass
class FacetInput:
    """What a facet counts over: the query's documents and the request's filters."""

    table: fc.DocTable
    filters: fc.FilterSets
    query_docs: np.ndarray
    request: SearchRequest
    topic_labels: dict[str, dict[str, str]]
    #: Per language, the releases matching the query in that language (language facet only).
    language_docs: dict[str, np.ndarray] | None = None
    #: The searcher of the table's generation: people's names are stored with releases.
    searcher: Any = None


class Facet:
    """A facet type; subclasses say how to count, label and toggle."""

    name: ClassVar[str]  # its key in a search page's ``facets``
    param: ClassVar[str]  # its request parameter
    #: Whether counting needs the per-language matches (``FacetInput.language_docs``).
    needs_language_docs: ClassVar[bool] = False

    def count(self, data: FacetInput) -> list[dict[str, Any]]:
        raise NotImplementedError

    def label(self, value: str,
              topic_labels: dict[str, dict[str, str]] | None = None) -> dict[str, str]:
        return fc.year_label(value)

    def selectable(self, value: str) -> bool:
        """Whether a filter can select ``value`` (some entries are counts, not filters)."""
        return True

    def toggled(self, req: SearchRequest, value: str, selected: bool) -> SearchRequest:
        """The request with ``value`` switched on or off; ValueError (QueryError included)
        for a value no request may hold."""
        raise NotImplementedError


class YearFacet(Facet):
    name = param = "year"

    def count(self, data: FacetInput) -> list[dict[str, Any]]:
        return fc.year_facet(data.table, data.filters, data.query_docs, data.request)

    def toggled(self, req: SearchRequest, value: str, selected: bool) -> SearchRequest:
        years = set(req.selected_years)
        return req.with_years(years - {int(value)} if selected else years | {int(value)})


class MonthFacet(Facet):
    name = param = "month"

    def count(self, data: FacetInput) -> list[dict[str, Any]]:
        return fc.month_facet(data.table, data.filters, data.query_docs, data.request)

    def label(self, value: str,
              topic_labels: dict[str, dict[str, str]] | None = None) -> dict[str, str]:
        return fc.month_label(value)

    def toggled(self, req: SearchRequest, value: str, selected: bool) -> SearchRequest:
        return req.replace(month=None if selected else value, year=int(value[:4]), years=())


class TopicFacet(Facet):
    name = param = "topic"

    def count(self, data: FacetInput) -> list[dict[str, Any]]:
        return fc.topic_facet(data.table, data.filters, data.query_docs, data.request,
                              data.topic_labels)

    def label(self, value: str,
              topic_labels: dict[str, dict[str, str]] | None = None) -> dict[str, str]:
        return topic_label(value, topic_labels)

    def toggled(self, req: SearchRequest, value: str, selected: bool) -> SearchRequest:
        topics = tuple(t for t in req.topics if t != value) if selected else req.topics + (value,)
        return req.replace(topics=topics)


class LanguageFacet(Facet):
    name = "language"
    param = "lang"
    needs_language_docs = True

    def count(self, data: FacetInput) -> list[dict[str, Any]]:
        lang_docs = data.language_docs or {}
        return (fc.language_facet(lang_docs, data.filters, data.request)
                + fc.across_versions(lang_docs, data.filters, data.query_docs))

    def label(self, value: str,
              topic_labels: dict[str, dict[str, str]] | None = None) -> dict[str, str]:
        return language_label(value)

    def selectable(self, value: str) -> bool:
        return value != fc.ACROSS  # no filter finds these: a count, not a link

    def toggled(self, req: SearchRequest, value: str, selected: bool) -> SearchRequest:
        langs = tuple(v for v in req.langs if v != value) if selected else req.langs + (value,)
        return req.replace(langs=langs)


class EntityFacet(Facet):
    """Countries, organisations or people: disjunctive like topics (search.entities)."""

    def __init__(self, kind: entities.EntityKind) -> None:
        self.kind = kind
        self.name = self.param = kind.name  # type: ignore[misc]

    def count(self, data: FacetInput) -> list[dict[str, Any]]:
        return entities.entity_facet(self.kind.name, data.table, data.filters, data.query_docs,
                                     data.request, data.searcher)

    def label(self, value: str,
              topic_labels: dict[str, dict[str, str]] | None = None) -> dict[str, str]:
        return entities.entity_label(self.kind.name, value)

    def toggled(self, req: SearchRequest, value: str, selected: bool) -> SearchRequest:
        chosen: tuple[str, ...] = getattr(req, self.kind.attr)
        values = tuple(v for v in chosen if v != value) if selected else chosen + (value,)
        return req.replace(**{self.kind.attr: values})


YEAR, MONTH, TOPIC, LANGUAGE = YearFacet(), MonthFacet(), TopicFacet(), LanguageFacet()
COUNTRY, ORG, PERSON = (EntityFacet(kind) for kind in entities.KINDS.values())
#: Every facet type by its name in a search page.
FACETS: dict[str, Facet] = {f.name: f for f in (YEAR, MONTH, TOPIC, LANGUAGE,
                                                COUNTRY, ORG, PERSON)}


def facets_of(request: SearchRequest) -> list[Facet]:
    """The facets a search page counts, in order: months only within a chosen year."""
    return [YEAR, *([MONTH] if request.year else []), TOPIC, LANGUAGE, COUNTRY, ORG, PERSON]

