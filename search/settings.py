"""The search side's settings (declared into the one registry of ``indexer.settings``).

Search modules read their settings through this module's ``setting``, so the
declarations are made before the first read.
"""

from __future__ import annotations

from indexer.settings import Setting, declare, setting

__all__ = ["SEARCH_SETTINGS", "setting"]

SEARCH_SETTINGS = declare(
    Setting("QUERY_TIME_LIMIT", 2.0,
            "Seconds one search may run before results are cut short."),
    Setting("MAX_PAGE_SIZE", 100, "Largest number of hits per page."),
    Setting("MAX_RESULT_WINDOW", 1000, "Deepest hit reachable by paging (page × per_page)."),
    Setting("PUBLISHER", "Ministry of Foreign Affairs of the Republic of Azerbaijan",
            "Author and publisher named in citations (English)."),
    Setting("PUBLISHER_RU", "Министерство иностранных дел Азербайджанской Республики",
            "Author and publisher named in citations (Russian interface)."),
    Setting("PUBLIC_URL", "http://127.0.0.1:8000",
            "Site address in permalinks of command-line exports (the web uses its own)."),
    Setting("ZERO_RESULTS_RETENTION_DAYS", 90,
            "Days the editors' report keeps a failed search before forgetting it."),
    # Query time limit: how many costly searches (many wildcard or fuzzy words) run at once.
    Setting("COSTLY_SEARCHES", 1,
            "Searches of many wildcard or fuzzy words one server process runs at once; "
            "more wait up to a tenth of the time limit, then answer a partial page saying "
            "the server is busy. 0: no limit."),
)
