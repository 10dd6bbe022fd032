"""Which filter emptied a search: "Caspian" in Russian finds nothing, in any language 17.

A search that finds nothing under its filters but would find releases without
one of them says which filter did it and how many releases dropping it gives;
the page offers a link that drops it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from search.facets import FilterSets
from search.notes import Note
from search.request import SearchRequest

#: Filter name in FilterSets → the request parameters that set it.
_PARAMS = {"topic": ("topic",), "year": ("year",), "month": ("month",), "dates": ("from", "to"),
           "country": ("country",), "org": ("org",), "person": ("person",)}
_NAMES = {"lang": ("language", "язык"), "topic": ("topic", "тема"), "year": ("year", "год"),
          "month": ("month", "месяц"), "dates": ("date range", "период"),
          "country": ("country", "страна"), "org": ("organisation", "организация"),
          "person": ("person", "человек")}


@dataclass
class EmptiedBy:
    """One filter that alone empties the search, and the hits without it."""

    filter: str  # "lang", "topic", "year", "month" or "dates"
    params: tuple[str, ...]  # request parameters to drop
    total: int

    def to_dict(self) -> dict:
        return {"filter": self.filter, "params": list(self.params), "total": self.total}

    def note(self) -> Note:
        en, ru = _NAMES[self.filter]
        releases = "release matches" if self.total == 1 else "releases match"
        return Note(f"the {en} filter leaves nothing: without it, {self.total} {releases}",
                    f"фильтр «{ru}» не оставляет ничего: без него найдено {self.total}")


def emptying_filters(request: SearchRequest, filters: FilterSets, docs: np.ndarray,
                     all_languages: Callable[[], np.ndarray]) -> list[EmptiedBy]:
    """Each filter of ``request`` without which the search would match.

    ``docs``: the query's matches in the languages asked for, before the other
    filters; ``all_languages``: its matches in every language (run only if needed).
    """
    out: list[EmptiedBy] = []
    if request.langs:
        total = int(np.count_nonzero(filters.apply(all_languages())))
        if total:
            out.append(EmptiedBy("lang", ("lang",), total))
    for name, params in _PARAMS.items():
        if getattr(filters, name) is None:
            continue
        skip = ("year", "month") if name == "year" else (name,)
        total = int(np.count_nonzero(filters.apply(docs, skip=skip)))
        if total:
            out.append(EmptiedBy(name, params, total))
    return out
