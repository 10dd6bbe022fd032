"""Every setting of Pressroom, declared once, each with a default and help text.

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
        Setting("QUERY_TIME_LIMIT", 2.0,
                "Seconds one search may run before results are cut short."),
        Setting("MAX_PAGE_SIZE", 100, "Largest number of hits per page."),
        Setting("MAX_RESULT_WINDOW", 1000, "Deepest hit reachable by paging (page × per_page)."),
        Setting("ADMIN_TOKEN", "", "Bearer token for POST /api/releases; empty turns ingest off."),
        Setting("MAX_UPLOAD_BYTES", 5 * 1024 * 1024,
                "Largest request body the ingest endpoint accepts."),
        Setting("TOPICS", "", "Path of a topic taxonomy TOML file; empty uses the bundled one."),
        Setting("INDEX_WORKERS", 0,
                "Processes analyzing the releases of a large indexing run; 0: one per CPU "
                "core, 1: only the writer's own."),
        Setting("HOST", "127.0.0.1", "Address `pressroom serve` listens on."),
        Setting("PORT", 8000, "Port `pressroom serve` listens on."),
        Setting("WORKERS", 2, "Gunicorn worker processes of `pressroom serve`."),
        Setting("THREADS", 4, "Threads per gunicorn worker (gthread) of `pressroom serve`."),
        Setting("PAGE_CACHE_SIZE", 1024,
                "Search pages each web worker keeps for repeated queries; 0 turns it off."),
    ]
}

# Query time limit: how many costly searches (many wildcard or fuzzy words) run at once.
SETTINGS["COSTLY_SEARCHES"] = Setting(
    "COSTLY_SEARCHES", 1,
    "Searches of many wildcard or fuzzy words one server process runs at once; more wait "
    "up to a tenth of the time limit, then answer a partial page saying the server is "
    "busy. 0: no limit.")


def setting(name: str) -> Any:
    """The current value of a setting: environment first, then the default."""
    return SETTINGS[name].value()
