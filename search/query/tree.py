"""The query's syntax tree: atoms (a word or phrase), groups (atoms joined by OR,
maybe negated) and the parsed query."""

from __future__ import annotations

from dataclasses import dataclass, field

from indexer.analysis import TOKEN_PATTERN
from search.notes import Note


@dataclass
class Atom:
    """One word or phrase of the query."""

    text: str
    phrase: bool = False
    scope: str | None = None  # "title", "body" or None (both)
    prefix: bool = False
    fuzzy: int = 0

    def render(self) -> str:
        core = f'"{self.text}"' if self.phrase else self.text
        if self.prefix:
            core += "*"
        if self.fuzzy:
            core += f"~{self.fuzzy}" if self.fuzzy > 0 else "~"
        return f"{self.scope}:{core}" if self.scope else core


@dataclass
class Group:
    """Atoms joined by OR; a negated group excludes what it matches."""

    atoms: list[Atom]
    negated: bool = False

    def render(self) -> str:
        inner = " OR ".join(a.render() for a in self.atoms)
        if len(self.atoms) > 1:
            inner = f"({inner})"
        return f"NOT {inner}" if self.negated else inner


@dataclass
class ParsedQuery:
    groups: list[Group] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)

    @property
    def positive(self) -> list[Group]:
        return [g for g in self.groups if not g.negated]

    @property
    def negative(self) -> list[Group]:
        return [g for g in self.groups if g.negated]

    @property
    def is_empty(self) -> bool:
        return not self.groups

    def render(self, mode: str = "all") -> str:
        joiner = " AND " if mode == "all" else " OR "
        pos = joiner.join(g.render() for g in self.positive)
        neg = " ".join(g.render() for g in self.negative)
        return " ".join(p for p in (pos, neg) if p)

    def words(self) -> list[str]:
        """The plain words and phrase words, for suggestions."""
        out = []
        for g in self.groups:
            for a in g.atoms:
                out += [m.group() for m in TOKEN_PATTERN.finditer(a.text)]
        return out
