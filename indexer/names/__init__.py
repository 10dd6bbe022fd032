"""Names across scripts: the script-neutral key of a name word (issue 12).

``name_keys(word, lang)`` gives the folded keys of one name word, so that
"Лавров", "Лаврова" and "Lavrov", or "Мамедъяров", "Mammadyarov" and
"Mamedyarov", share one; ``is_name_candidate`` decides which words of a text
are names.  docs/names.md has the design and its measurements.
"""

from indexer.names.folding import fold
from indexer.names.keys import is_name_candidate, is_russian_name, name_keys

__all__ = ["fold", "is_name_candidate", "is_russian_name", "name_keys"]
