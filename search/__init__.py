"""The query side of Pressroom: a search request in, a search page out.

See docs/search-contract.md.  Nothing here imports Flask.
"""

from indexer.location import IndexNotFound
from search.archive import Archive
from search.page import SearchPage
from search.request import QueryError, SearchRequest

__all__ = ["Archive", "IndexNotFound", "QueryError", "SearchPage", "SearchRequest"]
