"""The search page: what one request returns, and its JSON form."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from search.notes import Note
from search.request import SearchRequest

if TYPE_CHECKING:
    from search.hits import Hit


@dataclass
class Suggestion:
    q: str
    kind: str  # "layout" | "spelling"
    applied: bool
    total: int

    def to_dict(self) -> dict[str, Any]:
        return {"q": self.q, "kind": self.kind, "applied": self.applied, "total": self.total}


@dataclass
class Understood:
    parsed: str = ""
    mode: str = "all"  # "all" | "any"
    #: How the query was read, each note in English and Russian (see search.notes).
    notes: list[Note] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"parsed": self.parsed, "mode": self.mode,
                "notes": [note.to_dict() for note in self.notes]}


@dataclass
class SearchPage:
    request: SearchRequest
    total: int = 0
    hits: list[Hit] = field(default_factory=list)
    facets: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    facets_timed_out: list[str] = field(default_factory=list)
    suggestion: Suggestion | None = None
    understood: Understood = field(default_factory=Understood)
    partial: bool = False
    #: What was cut short ("expansion", "expansion cap", "evaluation", "corrections",
    #: "hits", "snippets", "facets", "busy"); not in the JSON, the notes say it.
    cut: list[str] = field(default_factory=list)
    took_ms: float = 0.0
    #: Filters that alone empty a search that would match (search.emptied).
    emptied_by: list[Any] = field(default_factory=list)

    @property
    def page(self) -> int:
        return self.request.page

    @property
    def per_page(self) -> int:
        return self.request.per_page

    @property
    def pages(self) -> int:
        return -(-self.total // self.per_page) if self.total else 0

    def to_dict(self) -> dict[str, Any]:
        """The JSON of /api/search and `pressroom search --json` (docs/search-contract.md)."""
        return {
            "query": self.request.to_dict(),
            "total": self.total,
            "page": self.page,
            "per_page": self.per_page,
            "pages": self.pages,
            "hits": [h.to_dict() for h in self.hits],
            "facets": {k: [dict(v) for v in vs] for k, vs in self.facets.items()},
            "facets_timed_out": list(self.facets_timed_out),
            "suggestion": self.suggestion.to_dict() if self.suggestion else None,
            "understood": self.understood.to_dict(),
            "partial": self.partial,
            "emptied_by": [e.to_dict() for e in self.emptied_by],
            "past_end": bool(self.total) and self.page > self.pages,
            "took_ms": round(self.took_ms, 1),
        }
