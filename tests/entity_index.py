"""An index whose entity fields (``country``, ``org``, ``person``, ``person_names``) are
written by a given function instead of the indexer's tagger: values the tagger would
never write (malformed ids, odd stored names) for the tests that a value already in
the index never breaks a page.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index

from indexer.documents import release_document, release_from_stored
from indexer.location import live_index_dir
from indexer.store import Store


def build_entity_index(root: Path, sources: list[Path],
                       tag: Callable[[dict[str, Any]], dict[str, Any]]) -> Path:
    """Index ``sources`` into ``root``, then rewrite every document with the entity
    fields ``tag(stored fields)`` gives (as a re-tag would)."""
    summary = Store(root).index_paths(sources)
    assert summary.added, summary.report()
    ix = whoosh_index.open_dir(str(live_index_dir(root)))
    with ix.searcher() as searcher:
        docs = [dict(stored) for _, stored in searcher.reader().iter_docs()]
    writer = ix.writer()
    for stored in docs:
        doc = release_document(release_from_stored(stored))
        for name in ("content_hash", "source", "indexed_at", "topics"):
            doc[name] = stored.get(name, doc[name])
        doc.update(tag(stored))
        writer.update_document(**doc)
    writer.commit()
    return root
