"""The query language: text → syntax tree (``parser``, ``tree``) → Whoosh query objects
(``compiler``), with wildcard and fuzzy ``expansion`` and the ``widening`` of unknown
words.  Query words are analyzed by the index's own analyzer, through the one word cache
(``indexer.words``)."""

from indexer.words import positions_of
from search.query.compiler import SURFACE_BOOST, CompiledQuery, QueryCompiler
from search.query.expansion import expanding_atoms, is_costly
from search.query.parser import MAX_CLAUSES, MIN_PREFIX, parse
from search.query.tree import Atom, Group, ParsedQuery
from search.request import MAX_QUERY_CHARS

__all__ = ["MAX_CLAUSES", "MAX_QUERY_CHARS", "MIN_PREFIX", "SURFACE_BOOST", "Atom",
           "CompiledQuery", "Group", "ParsedQuery", "QueryCompiler", "expanding_atoms",
           "is_costly", "parse", "positions_of"]
