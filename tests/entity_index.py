"""A sample index whose entity fields (``country``, ``org``, ``person``, ``person_names``)
are filled by hand-written rules, for the search and web side of issue 13.

The rules are deliberately plain (a word list per entity, matched in the stored text):
what is tested here is how the search counts, filters and shows the fields, not how
the indexer finds entities.  Indexes built by an indexer that fills the fields itself
are read the same way.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from whoosh import fields
from whoosh import index as whoosh_index

from indexer.documents import release_document, release_from_stored
from indexer.fields import stored_versions
from indexer.location import live_index_dir
from indexer.store import Store

#: Entity id → word stems that mark a mention (lower-case, matched at a word start).
COUNTRIES = {
    "AZ": ("azerbaijan", "азербайджан"),
    "RU": ("russia", "росси"),
    "AM": ("armenia", "армени"),
    "IR": ("iran", "иран"),
    "GE": ("georgia", "грузи"),
    "TR": ("turkey", "turkish", "турци", "турецк"),
    "US": ("united states", "сша"),
}
ORGS = {
    "osce": ("osce", "обсе"),
    "nato": ("nato", "нато"),
    "un": ("united nations", "оон"),
    "eu": ("european union", "евросоюз"),
}
PEOPLE = {
    "sergey-lavrov": ("lavrov", "лавров"),
    "elmar-mammadyarov": ("mammadyarov", "мамедъяров"),
    "ilham-aliyev": ("aliyev", "алиев"),
    "vladimir-putin": ("putin", "путин"),
}
#: The names a release stores for a person: English only where the release has no
#: Russian version (a label then falls back to the other script).
NAMES = {
    "sergey-lavrov": {"en": "Sergey Lavrov", "ru": "Сергей Лавров"},
    "elmar-mammadyarov": {"en": "Elmar Mammadyarov", "ru": "Эльмар Мамедъяров"},
    "ilham-aliyev": {"en": "Ilham Aliyev", "ru": "Ильхам Алиев"},
    "vladimir-putin": {"en": "Vladimir Putin", "ru": "Владимир Путин"},
}
ENTITY_SCHEMA = {
    "country": fields.KEYWORD(stored=True, commas=True, scorable=False),
    "org": fields.KEYWORD(stored=True, commas=True, scorable=False),
    "person": fields.KEYWORD(stored=True, commas=True, scorable=False),
    "person_names": fields.STORED(),
}


def _found(table: dict[str, tuple[str, ...]], text: str) -> list[str]:
    return [key for key, stems in table.items()
            if any(re.search(rf"(?<!\w){re.escape(stem)}", text) for stem in stems)]


def tag(stored: dict[str, Any]) -> dict[str, Any]:
    """The entity fields of one stored release, by the rules above."""
    versions = stored_versions(stored)
    text = " ".join(f"{title} {body}" for _, title, body in versions).lower()
    langs = {lang for lang, _, _ in versions}
    people = _found(PEOPLE, text)
    return {
        "country": ",".join(_found(COUNTRIES, text)),
        "org": ",".join(_found(ORGS, text)),
        "person": ",".join(people),
        "person_names": {p: {k: v for k, v in NAMES[p].items() if k in langs or k == "en"}
                         for p in people},
    }


def build_entity_index(root: Path, sources: list[Path]) -> Path:
    """Index ``sources`` into ``root``, then add the entity fields and rewrite every
    document with them (as a re-tag would)."""
    summary = Store(root).index_paths(sources)
    assert summary.added, summary.report()
    ix = whoosh_index.open_dir(str(live_index_dir(root)))
    with ix.searcher() as searcher:
        docs = [dict(stored) for _, stored in searcher.reader().iter_docs()]
    writer = ix.writer()
    for name, field in ENTITY_SCHEMA.items():
        if name not in ix.schema:
            writer.add_field(name, field)
    for stored in docs:
        doc = release_document(release_from_stored(stored))
        for name in ("content_hash", "source", "indexed_at", "topics"):
            doc[name] = stored.get(name, doc[name])
        doc.update(tag(stored))
        writer.update_document(**doc)
    writer.commit()
    return root
