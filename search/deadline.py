"""One request's time limit, checked cooperatively by every costly stage.

Python threads share the GIL: under eight concurrent costly searches each
gets a fraction of the CPU, so a budget of work (terms, documents) does not
bound latency; only the wall clock does.  Each stage (expansion of prefix and
fuzzy words, evaluation, the fallbacks and corrections, facets, snippets)
asks ``expired()`` inside its loops and, when time is up, stops and records
itself with ``cut()``: the page is then marked partial.

The clock is injectable so that tests can expire a deadline after an exact
number of looks, with no timing in the suite.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

Clock = Callable[[], float]


@dataclass
class Deadline:
    """The moment a request must stop, and the stages it cut short."""

    at: float
    clock: Clock = time.monotonic
    #: Stages cut short, in the order they were cut ("expansion", "evaluation", ...).
    stages: list[str] = field(default_factory=list)

    @classmethod
    def after(cls, seconds: float, clock: Clock = time.monotonic) -> Deadline:
        return cls(clock() + seconds, clock)

    @classmethod
    def never(cls) -> Deadline:
        """A deadline that never expires (offline tools, tests of other things)."""
        return cls(float("inf"))

    def expired(self) -> bool:
        return self.clock() >= self.at

    def remaining(self) -> float:
        return self.at - self.clock()

    def cut(self, stage: str) -> None:
        """Record that ``stage`` stopped before its work was done."""
        if stage not in self.stages:
            self.stages.append(stage)

    @property
    def partial(self) -> bool:
        return bool(self.stages)



class CostlyGate:
    """At most ``limit`` costly searches (many wildcard or fuzzy words) run at once in
    one process; 0 lets any number run.

    Eight costly searches in one process each get an eighth of the CPU and
    every server thread: ordinary searches then wait seconds for a thread.
    Costly ones beyond the limit wait a little for a slot and are then turned
    away, which frees their thread.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._slots = threading.BoundedSemaphore(limit) if limit > 0 else None

    @contextmanager
    def admit(self, costly: bool, wait: float) -> Iterator[bool]:
        """Whether the search may run (held until the block ends); ``wait``: the most
        seconds a costly search waits for a slot."""
        if not costly or self._slots is None:
            yield True
            return
        admitted = self._slots.acquire(timeout=max(0.0, wait))
        try:
            yield admitted
        finally:
            if admitted:
                self._slots.release()
