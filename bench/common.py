"""Shared helpers of the benchmarks: data location, loaders, ranking metrics.

The evaluation data lives outside the repository (``../shared/data`` from the repo
root) and is only ever read from there, never copied in.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def shared_folder() -> Path:
    """The peers' shared folder (tools, data): ``$PRESSROOM_SHARED``, else the first
    ``shared/`` beside the checkout or one of its parents (a git worktree sits deeper)."""
    if os.environ.get("PRESSROOM_SHARED"):
        return Path(os.environ["PRESSROOM_SHARED"])
    for parent in REPO.parents:
        if (parent / "shared" / "tools").is_dir():
            return parent / "shared"
    return REPO.parent / "shared"


def child_env(**extra: str) -> dict[str, str]:
    """The environment of a child Python process: this checkout importable first."""
    paths = [str(REPO), *filter(None, [os.environ.get("PYTHONPATH")])]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(paths), **extra}


DEFAULT_DATA = shared_folder() / "data"

# Benchmarks run as scripts (`python bench/x.py`): make the project importable.
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))


def check_data(data: Path) -> Path:
    if not (data / "xquad").is_dir():
        raise SystemExit(f"evaluation data not found at {data} (use --data)")
    return data


# --- XQuAD -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Doc:
    id: str
    title: str
    text: str


@dataclass(frozen=True)
class Query:
    id: str
    text: str
    relevant: frozenset[str]


def _jsonl(path: Path) -> Iterator[dict]:
    with path.open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


def load_corpus(data: Path, lang: str) -> list[Doc]:
    return [Doc(r["_id"], r.get("title", ""), r["text"])
            for r in _jsonl(data / "xquad" / f"corpus.{lang}.jsonl")]


def load_queries(data: Path, lang: str) -> list[Query]:
    qrels: dict[str, set[str]] = {}
    with (data / "xquad" / "qrels.tsv").open(encoding="utf-8") as f:
        next(f)  # header
        for line in f:
            qid, did, score = line.rstrip("\n").split("\t")
            if int(score) > 0:
                qrels.setdefault(qid, set()).add(did)
    return [Query(r["_id"], r["text"], frozenset(qrels[r["_id"]]))
            for r in _jsonl(data / "xquad" / f"queries.{lang}.jsonl") if r["_id"] in qrels]


# --- metrics -----------------------------------------------------------------------------


@dataclass
class Metrics:
    n: int = 0
    rr: float = 0.0
    hit1: int = 0
    hit10: int = 0

    def add(self, ranked: Sequence[str], relevant: frozenset[str]) -> float:
        """Record one query's ranking; return its reciprocal rank at 10."""
        self.n += 1
        rr = 0.0
        for rank, doc_id in enumerate(ranked[:10], 1):
            if doc_id in relevant:
                rr = 1.0 / rank
                break
        self.rr += rr
        self.hit1 += bool(ranked[:1]) and ranked[0] in relevant
        # One relevant paragraph per XQuAD question, so R@10 is "found in the top 10".
        self.hit10 += rr > 0
        return rr

    @property
    def mrr10(self) -> float:
        return self.rr / self.n if self.n else 0.0

    @property
    def r1(self) -> float:
        return self.hit1 / self.n if self.n else 0.0

    @property
    def r10(self) -> float:
        return self.hit10 / self.n if self.n else 0.0

    def row(self) -> str:
        return f"{self.mrr10:7.3f} {self.r1:7.3f} {self.r10:7.3f}"


METRICS_HEADER = f"{'MRR@10':>7} {'R@1':>7} {'R@10':>7}"


# --- CoNLL-U -----------------------------------------------------------------------------


@dataclass(frozen=True)
class GoldToken:
    form: str
    lemma: str
    upos: str
    feats: str


def read_conllu(path: Path) -> Iterator[GoldToken]:
    """Syntactic words with their gold lemma; multiword-token ranges and empty nodes skipped."""
    with path.open(encoding="utf-8") as f:
        for line in f:
            if not line.strip() or line.startswith("#"):
                continue
            cols = line.rstrip("\n").split("\t")
            if "-" in cols[0] or "." in cols[0]:
                continue
            yield GoldToken(cols[1], cols[2], cols[3], cols[5])


def fold(word: str) -> str:
    """Case-insensitive, ё = е: how the analyzer compares words."""
    return word.lower().replace("ё", "е")
