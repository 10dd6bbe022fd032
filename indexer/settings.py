"""Every setting of Pressroom, declared once, each with a default and help text.

This module holds the ``Setting`` type, the one registry and the indexer's own
settings; ``search.settings`` and ``webui.settings`` declare theirs into it.

Each layer reads the settings it needs; environment variables override the
defaults, and command-line options or ``create_app(test_config)`` override both.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str

    @property
    def env(self) -> str:
        return f"PRESSROOM_{self.name}"

    def value(self) -> Any:
        raw = os.environ.get(self.env)
        if raw is None or raw == "":
            return self.default
        if isinstance(self.default, bool):
            return raw.strip().lower() in {"1", "true", "yes", "on"}
        if isinstance(self.default, int):
            return int(raw)
        if isinstance(self.default, float):
            return float(raw)
        return raw


SETTINGS: dict[str, Setting] = {
    s.name: s
    for s in [
        Setting("INDEX", "index", "Folder of the index (generations and CURRENT pointer)."),
        Setting("LOCK_TIMEOUT", 10.0,
                "Seconds a writer waits for the index lock before giving up."),
        Setting("MAX_FILE_BYTES", 20 * 1024 * 1024,
                "Largest input file read whole (a JSON array, an HTML page, a text file); "
                "JSON Lines files are read record by record, each line at most this size."),
        Setting("MAX_RELEASE_CHARS", 1_000_000,
                "Most characters (title and body) in one language version of a release; "
                "a longer release is refused with the reason, the rest of the batch goes on."),
        Setting("TOPICS", "", "Path of a topic taxonomy TOML file; empty uses the bundled one."),
        Setting("GAZETTEER", "",
                "Folder of the user's gazetteer files (countries.toml, organisations.toml, "
                "people.toml; a file missing there is the bundled one); empty: the bundled ones."),
        Setting("INDEX_WORKERS", 0,
                "Processes analyzing the releases of a large indexing run; 0: one per CPU "
                "core, 1: only the writer's own."),
        Setting("CODEC", "fast",
                "How the index files are written and read: fast (Pressroom's readers and "
                "segment writer, on Whoosh 2.7.4 only) or stock (Whoosh's own code)."),
        # Keeping current (issue 16): `pressroom watch` and `pressroom fetch`.
        Setting("WATCH_QUIET", 1.0,
                "Seconds `watch` waits with no file event before committing a batch."),
        Setting("WATCH_MAX_DELAY", 30.0,
                "Longest a noticed file waits for its batch while events keep coming."),
        Setting("WATCH_POLLING", False,
                "Make `watch` poll the folder instead of using the platform's file events "
                "(network file systems give no events)."),
        Setting("SOURCES", "sources.toml",
                "TOML file listing the web sources of `pressroom fetch` (docs/fetch.md)."),
        Setting("FETCH_CONTACT", "",
                "Contact URL or address sent in fetch's User-Agent: Pressroom/<version> (+it)."),
        Setting("FETCH_INTERVAL", 1.0, "Fewest seconds between two requests to one host."),
        Setting("FETCH_TIMEOUT", 20.0, "Seconds one fetch request may take to connect or read."),
        Setting("FETCH_RETRIES", 3,
                "Retries of a page answered 429 or 5xx (or not answered), with back-off."),
        Setting("FETCH_MAX_WAIT", 300.0,
                "Longest Retry-After fetch honours; a server asking more fails the page."),
        Setting("FETCH_MAX_BYTES", 5 * 1024 * 1024, "Largest page (or feed) fetch reads."),
    ]
}


def declare(*settings: Setting) -> dict[str, Setting]:
    """Add a package's own settings to the one registry (``SETTINGS``, which the CLI
    help reads); each name is declared once."""
    for s in settings:
        if s.name in SETTINGS:
            raise ValueError(f"setting {s.name} is declared twice")
        SETTINGS[s.name] = s
    return {s.name: s for s in settings}


def setting(name: str) -> Any:
    """The current value of a setting: environment first, then the default."""
    return SETTINGS[name].value()
