"""``retag``: re-tag every stored release with the current taxonomy and gazetteer,
rewriting only the documents whose topics or entities change.

An index written before the entity fields existed gets them here: every
release is tagged, and the fields are added to its schema.

``Retagging`` is a part of ``indexer.store.Store`` (its base class): its
methods use the store's lock, writer and tagger.
"""

from __future__ import annotations

import time
from typing import Any

from indexer.batch import Batch, Summary
from indexer.documents import release_document, release_from_stored
from indexer.faults import crash_point
from indexer.fields import ENTITY_FIELDS, PERSON_NAMES_FIELD, entity_field_types
from indexer.inputs.sources import Failure
from indexer.release import ReleaseError


class Retagging:
    """The re-tagging run of ``Store``."""

    def retag(self) -> Summary:
        """Re-tag every stored release with the current taxonomy and gazetteer,
        sources unread.

        Only documents whose topics or entities change are rewritten; topics
        given by the source stay as they are.
        """
        from indexer.entities import entity_fields

        started = time.monotonic()
        summary = Summary()
        with self._writing():
            ix = self._open_live(self.live_dir())
            batch = Batch()
            stored_docs: dict[str, dict[str, Any]] = {}
            with ix.searcher() as searcher:
                for docnum, stored in searcher.reader().iter_docs():
                    try:
                        release = release_from_stored(stored)
                    except (ReleaseError, KeyError, ValueError) as exc:
                        summary.failed.append(Failure(str(stored.get("id", docnum)), str(exc)))
                        continue
                    topics = release.topics or self.tag(release)
                    if (",".join(topics) == stored.get("topics", "")
                            and _same_entities(stored, entity_fields(release))):
                        summary.unchanged += 1
                        continue
                    batch.pending[release.id] = release
                    stored_docs[release.id] = stored
            summary.updated = len(batch.pending)
            crash_point("parsed")
            if batch.pending:
                self._commit_retag(ix, batch, stored_docs)
        summary.seconds = time.monotonic() - started
        return summary

    def _commit_retag(self, ix, batch: Batch, stored_docs: dict[str, dict[str, Any]]) -> None:
        writer = self._writer(ix)
        try:
            for name, field_type in entity_field_types().items():
                if name not in writer.schema:
                    writer.add_field(name, field_type)  # an index from before issue 13
            self._delete(writer, batch.pending)
            self.progress.start("re-tagging", len(batch.pending))
            for rid, release in batch.pending.items():
                doc = release_document(release, self.tag, schema=writer.schema)
                # Keep the fingerprint of the source: a rebuilt release may
                # not hash alike, and the next `index` run must skip it.
                for name in ("content_hash", "source", "indexed_at"):
                    doc[name] = stored_docs[rid].get(name, doc[name])
                writer.add_document(**doc)
                self.progress.advance()
                crash_point("retag")
            self.progress.finish()
            writer.commit()
        except BaseException:
            self._abandon(writer)
            raise


def _same_entities(stored: dict[str, Any], tagged: dict[str, Any]) -> bool:
    """Whether a document's stored entity fields are those of the current tagging
    (a document from before the fields existed has none: it differs)."""
    if any(name not in stored for name in ENTITY_FIELDS if name != PERSON_NAMES_FIELD):
        return False
    return all(stored.get(name, {} if name == PERSON_NAMES_FIELD else "")
               == tagged.get(name, {} if name == PERSON_NAMES_FIELD else "")
               for name in ENTITY_FIELDS)
