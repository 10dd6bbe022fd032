"""Old home of the fast indexing code, kept for the import path Whoosh pickled.

Every index written before the codec moved (issue 11) names
``indexer.fastindex.BilingualText`` in its pickled schema; this alias keeps
those indexes opening.  The code lives in ``indexer.words`` (per-word
analysis) and ``indexer.codec`` (chunks, blocks, the segment writer).
"""

from indexer.words import BilingualText

__all__ = ["BilingualText"]
