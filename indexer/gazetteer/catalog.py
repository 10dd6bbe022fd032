"""The gazetteer: every known country, organisation and person, and where texts name them."""

from __future__ import annotations

import os
import threading
from functools import lru_cache
from pathlib import Path

from indexer.analysis import STOP_WORDS
from indexer.gazetteer.datafiles import (
    BUNDLED,
    FILES,
    data_folder,
    read_countries,
    read_ignored,
    read_named,
)
from indexer.gazetteer.matching import NameIndex, fold, make_name
from indexer.gazetteer.model import EXACT, IGNORED, KINDS, Entity, Name
from indexer.settings import setting


class Gazetteer:
    """Countries (ISO 3166 alpha-2 ids, CLDR names), organisations and known people."""

    def __init__(self, entries: dict[str, list], folder: Path | None = None,
                 ignored: list[str] = ()) -> None:
        self.folder = folder
        self._by_id: dict[tuple[str, str], Entity] = {}
        self._order: dict[str, list[Entity]] = {kind: [] for kind in KINDS}
        names: list[Name] = []
        owners: dict[tuple[str, str], set[str]] = {}
        for kind in KINDS:
            for entry in entries.get(kind, []):
                entity = entry.entity
                self._by_id[kind, entity.id] = entity
                self._order[kind].append(entity)
                for text in dict.fromkeys(entry.names):
                    name = make_name(entity, text)
                    if name is not None:
                        names.append(name)
                        owners.setdefault(_spelling(name), set()).add(entity.id)
        # A name two entities of a kind share ("Виргинские о-ва" of VG and VI in
        # CLDR) names neither.
        names = [n for n in names if len(owners[_spelling(n)]) == 1]
        # Found like names, then dropped (``NameIndex.scan``).
        names += filter(None, (make_name(IGNORED, text) for text in ignored))
        self.names = names
        self._index = NameIndex(names)
        self._words = self._single_words(names)

    @staticmethod
    def _single_words(names: list[Name]) -> dict[str, Entity]:
        """Countries and organisations by each form of their one-word names."""
        words: dict[str, Entity] = {}
        for name in names:
            if len(name) != 1 or name.entity.kind == "person":
                continue
            word = name.words[0]
            if word.case == EXACT and (len(word.text) <= 2 or word.text.lower() in STOP_WORDS):
                continue  # "US" is a country, "us" a pronoun; "WHO" and "who"
            for form in word.forms:
                words.setdefault(form, name.entity)
        return words

    def entity(self, kind: str, id: str) -> Entity | None:
        return self._by_id.get((kind, id))

    def entities(self, kind: str) -> list[Entity]:
        """Every entity of ``kind`` in data-file order."""
        return list(self._order.get(kind, []))

    def entity_of_word(self, word: str, lang: str) -> Entity | None:
        """The country or organisation ONE word names: a lower-cased English word
        ("azerbaijani") or a Russian lemma ("азербайджанский")."""
        return self._words.get(fold(word).lower())

    def find(self, text: str, lang: str) -> list[tuple[int, int, Entity]]:
        """Every mention in ``text``: (start, end, entity), multi-word names included,
        Russian in any inflection; "армяно-азербайджанского" gives Armenia and Azerbaijan."""
        return self._index.find(text)


def _spelling(name: Name) -> tuple[str, str]:
    """A name as written, case aside (abbreviations keep theirs), with its kind."""
    words = (w.text if w.case == EXACT else w.text.lower() for w in name.words)
    return name.entity.kind, " ".join(words)


_CACHE: dict[str, tuple[tuple, Gazetteer]] = {}
_LOCK = threading.Lock()


def load_gazetteer(folder: str | Path | None = None) -> Gazetteer:
    """The gazetteer of ``folder`` (else the GAZETTEER setting, else the bundled
    data), read again when one of its files changes; ``GazetteerError`` when a
    file is broken."""
    return stamped_gazetteer(folder)[1]


def stamped_gazetteer(folder: str | Path | None = None) -> tuple[tuple, Gazetteer]:
    """``load_gazetteer``'s gazetteer with the stamp of the files it was read from
    (paths and modification times), for ``adopt_gazetteer`` in another process."""
    where, stamp = _stamp(folder or setting("GAZETTEER") or BUNDLED)
    with _LOCK:
        cached = _CACHE.get(where)
        if cached is not None and cached[0] == stamp:
            return cached
        path = data_folder(where)
        gazetteer = Gazetteer({"country": read_countries(path),
                               "org": read_named(path, "org"),
                               "person": read_named(path, "person")}, path,
                              read_ignored(path))
        _CACHE[where] = (stamp, gazetteer)
        return stamp, gazetteer


def adopt_gazetteer(stamp: tuple, gazetteer: Gazetteer) -> None:
    """Take a gazetteer another process read (``stamped_gazetteer``), so that this one
    need not build its own (~0.5 s: every name's inflected forms): an index worker
    adopts its parent's.  ``load_gazetteer`` still compares the stamp with the files:
    an edit made since is read as usual."""
    with _LOCK:
        _CACHE[str(gazetteer.folder)] = (stamp, gazetteer)


def _stamp(folder: str | Path) -> tuple[str, tuple]:
    """The folder's key and its files' (path, modification time): what
    ``data_path`` would choose, by one ``os.stat`` a file (this runs once per
    release indexed: building the paths each time cost more than the tagging's
    own lookups)."""
    where, files = _files(folder)
    stamp = []
    for own, bundled in files:
        try:
            stamp.append((own, os.stat(own).st_mtime_ns))
        except OSError:  # not in the user's folder: the bundled file
            stamp.append((bundled, _mtime(Path(bundled))))
    return where, tuple(stamp)


#: Folders whose file paths are remembered (a process reads one or two).
KEPT_FOLDERS = 32


@lru_cache(maxsize=KEPT_FOLDERS)
def _files(folder: str | Path) -> tuple[str, tuple[tuple[str, str], ...]]:
    """The folder's key, and each kind's file in it and in the bundle, as strings."""
    where = data_folder(folder)
    names = [FILES[kind][0] for kind in KINDS]
    return str(where), tuple((str(where / name), str(BUNDLED / name)) for name in names)


def _mtime(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return -1


__all__ = ["FILES", "Gazetteer", "adopt_gazetteer", "load_gazetteer", "stamped_gazetteer"]
