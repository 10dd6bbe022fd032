"""The bilingual topic taxonomy and the tagger that assigns its topics.

The taxonomy is a TOML file (``indexer/data/topics.toml`` unless the TOPICS
setting names another one) so that users can edit it.  Keywords are run
through the same analyzer as the release text, so a keyword in dictionary
form matches every inflection, and a phrase keyword matches when its terms
appear at consecutive positions.

Scoring is deliberately simple so that a tag can be explained: per language
version, a title hit counts ``title_weight`` and a body hit 1; the best version
speaks for the release, and a topic is given when its score reaches
``min_score``.  ``Taxonomy.explain`` returns those scores.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain
from pathlib import Path

from indexer.analysis import SURFACE_MARK, default_analyzer, tokenize
from indexer.datafile import read_toml
from indexer.release import Release
from indexer.settings import setting
from indexer.words import WordAnalysis, word_analysis

DEFAULT_TAXONOMY = Path(__file__).parent / "data" / "topics.toml"
SLUG_PATTERN = re.compile(r"^[a-z][a-z0-9_-]*$")

#: The terms at each position of an analyzed text: several when a Russian
#: word has more than one lemma, or a compound is split into its parts.
Positions = list[frozenset[str]]
#: Each term of an analyzed text with its positions (``WordAnalysis.term_positions``).
TermPositions = Mapping[str, Sequence[int]]


class TaxonomyError(ValueError):
    """The taxonomy file is missing or malformed; the message says where."""


@dataclass(frozen=True)
class Topic:
    slug: str
    label_en: str
    label_ru: str
    keywords: tuple[str, ...]


@dataclass(frozen=True)
class Keyword:
    """A keyword as analyzed: the term alternatives of each of its positions."""

    topic: str
    text: str
    terms: tuple[frozenset[str], ...]


def analyzed_positions(text: str) -> Positions:
    """The index terms of ``text`` grouped by position, surface variants left out.

    Equal to running the analyzer over the whole text, but each distinct word
    is analyzed once (``word_positions``): the analyzer is a per-token
    pipeline whose only cross-token state is the position counter.
    """
    return list(chain.from_iterable(map(word_positions, tokenize(text))))


def word_positions(word: str) -> tuple[frozenset[str], ...]:
    """The analyzer's terms for one token, by position: none for a stop word,
    several positions for a compound ("North-South": whole+north, south).  From the
    one word cache (``indexer.words``)."""
    by_position: dict[int, set[str]] = {}
    for pos, term in _text_analysis().word_entry(word):
        if not term.startswith(SURFACE_MARK):
            by_position.setdefault(pos, set()).add(term)
    return tuple(frozenset(by_position[pos]) for pos in sorted(by_position))


def count_hits(keyword: Keyword, terms: TermPositions, starts: Collection[int]) -> int:
    """How often ``keyword`` occurs in a text, trying only ``starts``: the
    positions of its first terms in ``terms``, the text's term → positions."""
    if len(keyword.terms) == 1:
        return len(starts)
    later = [set().union(*(terms.get(term, ()) for term in alternatives))
             for alternatives in keyword.terms[1:]]
    return sum(1 for start in starts
               if all(start + i in found for i, found in enumerate(later, 1)))


@lru_cache(maxsize=1)
def _text_analysis() -> WordAnalysis:
    """The analyzer's term positions of whole texts: the same (shared) work as
    indexing the text into a field with the default analyzer."""
    analysis = word_analysis(default_analyzer())
    assert analysis is not None, "the bilingual analyzer has a fast path"
    return analysis


@dataclass
class Taxonomy:
    topics: list[Topic]
    min_score: int = 3
    title_weight: int = 3
    path: Path | None = None
    _keywords: list[Keyword] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        self._by_slug = {t.slug: t for t in self.topics}
        if not self._keywords:
            self._keywords = self._analyze_keywords()
        self._by_first_term: dict[str, list[int]] = {}
        for k, keyword in enumerate(self._keywords):
            for term in keyword.terms[0]:
                self._by_first_term.setdefault(term, []).append(k)

    @classmethod
    def load(cls, path: str | Path | None = None) -> Taxonomy:
        """Read a taxonomy file: ``path``, else the TOPICS setting, else the bundled one."""
        path = Path(path or setting("TOPICS") or DEFAULT_TAXONOMY)
        return cls.from_dict(read_toml(path, "topic taxonomy", TaxonomyError), path)

    @classmethod
    def from_dict(cls, data: dict, path: Path | None = None) -> Taxonomy:
        where = path or "taxonomy"
        scoring = data.get("scoring", {})
        table = data.get("topics")
        if not isinstance(table, dict) or not table:
            raise TaxonomyError(f"{where}: no [topics.<slug>] tables")
        topics = []
        for slug, entry in table.items():
            if not SLUG_PATTERN.match(slug):
                raise TaxonomyError(
                    f"{where}: topic slug {slug!r} must be lowercase a-z, 0-9, -, _"
                )
            if not isinstance(entry, dict):
                raise TaxonomyError(f"{where}: topics.{slug} must be a table")
            keywords = entry.get("keywords", [])
            if not isinstance(keywords, list) or not all(isinstance(k, str) for k in keywords):
                raise TaxonomyError(f"{where}: topics.{slug}.keywords must be a list of strings")
            label_en = str(entry.get("en") or slug)
            topics.append(Topic(
                slug=slug,
                label_en=label_en,
                label_ru=str(entry.get("ru") or label_en),
                keywords=tuple(k.strip() for k in keywords if k.strip()),
            ))
        try:
            min_score = int(scoring.get("min_score", 3))
            title_weight = int(scoring.get("title_weight", 3))
        except (TypeError, ValueError):
            raise TaxonomyError(f"{where}: scoring values must be integers") from None
        if min_score < 1:
            raise TaxonomyError(f"{where}: scoring.min_score must be at least 1")
        return cls(topics=topics, min_score=min_score, title_weight=title_weight,
                   path=Path(path) if path else None)

    def _analyze_keywords(self) -> list[Keyword]:
        keywords = []
        for topic in self.topics:
            for text in topic.keywords:
                terms = tuple(p for p in analyzed_positions(text) if p)
                if not terms:
                    raise TaxonomyError(
                        f"{self.path or 'taxonomy'}: keyword {text!r} of topic {topic.slug!r} "
                        "has no searchable words (only stop words?)"
                    )
                keywords.append(Keyword(topic.slug, text, terms))
        return keywords

    @property
    def slugs(self) -> list[str]:
        return [t.slug for t in self.topics]

    def get(self, slug: str) -> Topic | None:
        return self._by_slug.get(slug)

    def label(self, slug: str, lang: str = "en") -> str:
        """The topic's label in ``lang`` ("ru", else English); unknown slugs label themselves."""
        topic = self._by_slug.get(slug)
        if topic is None:
            return slug
        return topic.label_ru if lang == "ru" else topic.label_en

    def labels(self) -> dict[str, dict[str, str]]:
        return {t.slug: {"en": t.label_en, "ru": t.label_ru} for t in self.topics}

    def _text_scores(self, terms: TermPositions, weight: int, scores: dict[str, int]) -> None:
        # Each keyword is tried only where one of its first terms occurs: the
        # text's terms are looked up, the text is not walked.
        by_first = self._by_first_term
        starts: dict[int, set[int]] = {}
        for term in by_first.keys() & terms.keys():
            for k in by_first[term]:
                starts.setdefault(k, set()).update(terms[term])
        for k in sorted(starts):
            keyword = self._keywords[k]
            hits = count_hits(keyword, terms, starts[k])
            if hits:
                scores[keyword.topic] = scores.get(keyword.topic, 0) + hits * weight

    def explain(self, release: Release) -> dict[str, int]:
        """Each matching topic's score: the best over the release's language versions."""
        analysis = _text_analysis()
        best: dict[str, int] = {}
        for version in release.versions.values():
            scores: dict[str, int] = {}
            self._text_scores(analysis.term_positions(version.title), self.title_weight, scores)
            self._text_scores(analysis.term_positions(version.body), 1, scores)
            for slug, score in scores.items():
                best[slug] = max(best.get(slug, 0), score)
        return best

    def tag(self, release: Release) -> list[str]:
        """The topics of ``release`` in taxonomy order (a ``documents.Tagger``)."""
        scores = self.explain(release)
        return [slug for slug in self.slugs if scores.get(slug, 0) >= self.min_score]


def topic_names(path: str | Path | None = None) -> dict[str, str] | None:
    """Every name a record may give a topic, casefolded → its slug: the slug
    itself and its English and Russian labels; None when the taxonomy cannot
    be read (loading it for tagging reports what is wrong).

    Read from the taxonomy file alone (no keyword analysis), again when the
    file changes.
    """
    path = Path(path or setting("TOPICS") or DEFAULT_TAXONOMY)
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        return None
    return _topic_names(str(path), stamp)


@lru_cache(maxsize=4)
def _topic_names(path: str, stamp: int) -> dict[str, str] | None:
    try:
        table = tomllib.loads(Path(path).read_text(encoding="utf-8")).get("topics")
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    if not isinstance(table, dict):
        return None
    names: dict[str, str] = {}
    for slug, entry in table.items():
        labels = [entry.get("en"), entry.get("ru")] if isinstance(entry, dict) else []
        for name in [*labels, slug]:
            if isinstance(name, str) and name.strip():
                names[name.strip().casefold()] = slug
    return names
