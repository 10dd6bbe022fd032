"""Who and where (issue 13): the countries, organisations and people of a release.

    from indexer.entities import entity_fields, tag_release
    tag_release(release).people   # {"sergey-lavrov": {"en": "Sergey Lavrov", "ru": …}}

docs/entities.md has the design and its measurements.
"""

from indexer.entities.tagging import ENTITY_FIELDS, EntityTags, entity_fields, tag_release

__all__ = ["ENTITY_FIELDS", "EntityTags", "entity_fields", "tag_release"]
