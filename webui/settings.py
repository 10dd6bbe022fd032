"""The web application's and server's settings (declared into the one registry of
``indexer.settings``, whose ``Setting`` type they share).

Web modules read their settings through this module's ``setting``, so the
declarations are made before the first read; ``search.settings`` comes with it.
"""

from __future__ import annotations

import search.settings  # noqa: F401  (the search side's settings, read here too)
from indexer.settings import Setting, declare, setting

__all__ = ["WEB_SETTINGS", "setting"]

WEB_SETTINGS = declare(
    Setting("ADMIN_TOKEN", "", "Bearer token for POST /api/releases; empty turns ingest off."),
    Setting("MAX_UPLOAD_BYTES", 5 * 1024 * 1024,
            "Largest request body the ingest endpoint accepts."),
    Setting("HOST", "127.0.0.1", "Address `pressroom serve` listens on."),
    Setting("PORT", 8000, "Port `pressroom serve` listens on."),
    Setting("WORKERS", 2, "Gunicorn worker processes of `pressroom serve`."),
    Setting("THREADS", 4, "Threads per worker of `pressroom serve` answering requests "
            "(each read whole first, so slow clients hold none)."),
    Setting("TRUSTED_PROXY", "",
            "Address of a reverse proxy in front of `pressroom serve` (e.g. 127.0.0.1) "
            "whose X-Forwarded-For/-Proto/-Host/-Port headers are believed; empty: none."),
    Setting("PAGE_CACHE_SIZE", 1024,
            "Search pages each web worker keeps for repeated queries; 0 turns it off."),
    Setting("ZERO_RESULTS_LOG", True,
            "Count searches that found nothing (or only through a fallback or correction) "
            "in <index>/reports.sqlite3 for the editors' report; false records nothing."),
)
