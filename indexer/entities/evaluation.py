"""Precision and recall of the entity tagger against hand-annotated releases.

The annotations are a TOML file (tests/golden/entities.toml)::

    [releases."2017-332"]
    countries = ["AZ", "RU"]
    orgs = ["osce"]
    people = ["sergey-lavrov"]

``score`` compares the tagger's values with them, per type, counting each
(release, value) pair once: micro-averaged precision and recall.
bench/entities.py prints them; the suite checks a few releases.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from indexer.entities.tagging import EntityTags
from indexer.release import Release

TYPES = ("countries", "orgs", "people")


def read_golden(path: Path) -> dict[str, dict[str, set[str]]]:
    """Release id → type → the annotated values."""
    table = tomllib.loads(path.read_text(encoding="utf-8"))["releases"]
    return {rid: {kind: set(entry.get(kind, [])) for kind in TYPES} for rid, entry in table.items()}


def tagged(tags: EntityTags) -> dict[str, set[str]]:
    return {"countries": set(tags.countries), "orgs": set(tags.orgs), "people": set(tags.people)}


@dataclass
class Score:
    true_positive: int = 0
    false_positive: int = 0
    false_negative: int = 0
    #: (release id, value) of each miss and each wrong value
    missed: list[tuple[str, str]] = field(default_factory=list)
    wrong: list[tuple[str, str]] = field(default_factory=list)

    @property
    def precision(self) -> float:
        found = self.true_positive + self.false_positive
        return self.true_positive / found if found else 1.0

    @property
    def recall(self) -> float:
        wanted = self.true_positive + self.false_negative
        return self.true_positive / wanted if wanted else 1.0


def score(golden: dict[str, dict[str, set[str]]],
          results: Iterable[tuple[Release, EntityTags]]) -> dict[str, Score]:
    """Each type's score over the annotated releases among ``results``."""
    scores = {kind: Score() for kind in TYPES}
    for release, tags in results:
        expected = golden.get(release.id)
        if expected is None:
            continue
        got = tagged(tags)
        for kind in TYPES:
            s = scores[kind]
            s.true_positive += len(got[kind] & expected[kind])
            s.false_positive += len(got[kind] - expected[kind])
            s.false_negative += len(expected[kind] - got[kind])
            s.wrong += [(release.id, v) for v in sorted(got[kind] - expected[kind])]
            s.missed += [(release.id, v) for v in sorted(expected[kind] - got[kind])]
    return scores
