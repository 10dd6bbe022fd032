"""What a write run works with: the ``Batch`` of parsed inputs sorted into what
to write, the ``Summary`` it ends with, and the ``Progress`` hooks it reports to."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from indexer.inputs.sources import Failure
from indexer.release import Release


@dataclass
class Summary:
    """What one run did to the index."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    failed: list[Failure] = field(default_factory=list)
    #: Anything the user should know beyond the counts (a refused swap).
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failed

    @property
    def exit_code(self) -> int:
        return 0 if self.ok else 1

    @property
    def written(self) -> int:
        return self.added + self.updated

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["failed"] = [asdict(f) for f in self.failed]
        data["ok"] = self.ok
        return data

    def report(self) -> str:
        """The summary every run ends with: the counts, then one line per failure."""
        lines = [
            f"added {self.added}, updated {self.updated}, unchanged {self.unchanged}, "
            f"deleted {self.deleted}, failed {len(self.failed)}"
        ]
        lines += [f"  FAILED {f.path}: {f.reason}" for f in self.failed]
        lines += [f"  NOTE {note}" for note in self.notes]
        return "\n".join(lines)


class Progress:
    """Progress reporting hooks; this base class stays silent (library use)."""

    def start(self, label: str, total: int) -> None:
        pass

    def advance(self, n: int = 1) -> None:
        pass

    def finish(self) -> None:
        pass


@dataclass
class Batch:
    """Parsed inputs sorted into what must be written and what may be skipped."""

    #: id → release to write (changed or new); last occurrence wins.
    pending: dict[str, Release] = field(default_factory=dict)
    #: ids whose last occurrence equals what the index holds, with the release
    #: only when ``keep_unchanged`` (a rebuild writes them all again).
    unchanged: dict[str, Release | None] = field(default_factory=dict)
    keep_unchanged: bool = False
    #: ids of ``pending`` that are already in the index.
    existing: set[str] = field(default_factory=set)
    failed: list[Failure] = field(default_factory=list)
    #: resolved source path → ids it yielded (successfully parsed files only).
    parsed: dict[str, set[str]] = field(default_factory=dict)
    #: every file seen, parsed or not.
    seen: set[str] = field(default_factory=set)
    #: document numbers of parsed releases found in the index (this run's searcher).
    found: set[int] = field(default_factory=set)

    def summary(self) -> Summary:
        return Summary(
            added=len(self.pending) - len(self.existing),
            updated=len(self.existing),
            unchanged=len(self.unchanged),
            failed=list(self.failed),
        )


