"""The countries, organisations and people of a release, as index fields.

Every version of the release is read: the gazetteer finds countries and
organisations by name, adjective or abbreviation in any inflection, and known
people by their spellings; ``indexer.entities.mentions`` finds other full
names, which ``indexer.entities.people`` joins across versions into one
person each.  ``EntityTags.fields`` gives the four index fields
(``indexer.fields``): ``country`` (ISO codes), ``org`` and ``person`` (ids),
comma-separated in order of first mention, and ``person_names``, the labels
of each person in both scripts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from indexer.entities.mentions import Mention, english_mentions, russian_mentions
from indexer.entities.people import Persons, person_id, person_labels
from indexer.fields import COUNTRY_FIELD as COUNTRY
from indexer.fields import ENTITY_FIELDS
from indexer.fields import ORG_FIELD as ORG
from indexer.fields import PERSON_FIELD as PERSON
from indexer.fields import PERSON_NAMES_FIELD as PERSON_NAMES
from indexer.gazetteer import Entity, Gazetteer, load_gazetteer
from indexer.release import Release

__all__ = ["ENTITY_FIELDS", "EntityTags", "entity_fields", "tag_release"]


@dataclass
class EntityTags:
    countries: list[str] = field(default_factory=list)
    orgs: list[str] = field(default_factory=list)
    #: person id → {"en": label, "ru": label}
    people: dict[str, dict[str, str]] = field(default_factory=dict)

    def fields(self) -> dict[str, Any]:
        """The release's entity fields; ``person_names`` only when it names someone."""
        doc: dict[str, Any] = {COUNTRY: ",".join(self.countries), ORG: ",".join(self.orgs),
                               PERSON: ",".join(self.people)}
        if self.people:
            doc[PERSON_NAMES] = self.people
        return doc


def tag_release(release: Release, gazetteer: Gazetteer | None = None) -> EntityTags:
    """The entities of every version of ``release``."""
    gaz = gazetteer or load_gazetteer()
    found: dict[str, dict[str, None]] = {"country": {}, "org": {}}
    persons = Persons(gaz)
    known: list[Entity] = []
    named: list[tuple[Mention, Entity | None]] = []
    for lang, version in release.versions.items():
        for text in (version.title, version.body):
            if not text:
                continue
            mentions = gaz.find(text, lang)
            covered: set[int] = set()
            spans: list[tuple[int, int, Entity]] = []
            for start, end, entity in mentions:
                if entity.kind == "person":
                    spans.append((start, end, entity))
                    known.append(entity)
                else:
                    found[entity.kind].setdefault(entity.id, None)
                    covered.update(range(start, end))
            reader = russian_mentions if lang == "ru" else english_mentions
            for mention in reader(text, covered):
                entity = next((e for s, t, e in spans if s < mention.end and mention.start < t),
                              None) if spans else None
                named.append((mention, entity))
    # Russian names first: the analysis settles them alone, and English candidates
    # without a title then count when they meet one.  Each spelling is joined once
    # ("Сергеем Лавровым" and "Сергея Лаврова" share the label "Сергей Лавров").
    named.sort(key=lambda item: item[0].lang != "ru")
    for mention, entity in {(m.lang, m.label, e): (m, e) for m, e in named}.values():
        persons.add(mention, entity)
    for entity in known:
        persons.add_known(entity)
    people: dict[str, dict[str, str]] = {}
    for person in persons.accepted():
        people.setdefault(person_id(person), person_labels(person))
    return EntityTags(list(found["country"]), list(found["org"]), people)


def entity_fields(release: Release, gazetteer: Gazetteer | None = None) -> dict[str, Any]:
    """The entity fields of a release's index document."""
    return tag_release(release, gazetteer).fields()
