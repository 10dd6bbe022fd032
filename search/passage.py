"""A pasted passage read as "releases most like this text".

People paste a paragraph to find the release it came from.  Required word by
word, 200 words match nothing; any of them, everything.  A passage is instead
searched for its most distinctive words (rare in the archive, frequent in the
passage), any of them, ranked: the release sharing most of them comes first.
The page says so (a note naming the words).
"""

from __future__ import annotations

import math
import re
from collections import Counter

from indexer.analysis import SURFACE_MARK, TOKEN_PATTERN
from indexer.fields import OTHER, TEXT_LANGUAGES
from indexer.words import word_cache
from search.notes import Note
from search.query import Atom, Group, ParsedQuery
from search.request import clean_text

#: A query with at least this many words and no query syntax is a passage.
PASSAGE_WORDS = 40
#: Longest passage read (characters); the rest is left out with a note.
MAX_PASSAGE_CHARS = 20_000
#: Distinctive words searched for.
PASSAGE_TERMS = 16
_SYNTAX = re.compile(r'"|\bOR\b|\bNOT\b|(?:^|\s)[-+]\w|\w[*~](?:\s|$)|\b(?:title|body):')


def is_passage(text: str) -> bool:
    """Many words and no operators: pasted text, not a typed query."""
    return (len(TOKEN_PATTERN.findall(text[:MAX_PASSAGE_CHARS])) >= PASSAGE_WORDS
            and not _SYNTAX.search(text))


def read_passage(reader, text: str, analyzer) -> ParsedQuery:
    """The passage's most distinctive words, any of which may match."""
    text = clean_text(text)
    notes: list[Note] = []
    if len(text) > MAX_PASSAGE_CHARS:
        text = text[:MAX_PASSAGE_CHARS]
        notes.append(Note(f"the passage was cut to its first {MAX_PASSAGE_CHARS} characters",
                          f"отрывок обрезан до первых {MAX_PASSAGE_CHARS} символов"))
    fields = [f"{kind}_{lang}" for lang in TEXT_LANGUAGES if lang != OTHER
              for kind in ("title", "body")]
    docs = max(1, reader.doc_count())
    counts: Counter[str] = Counter()
    first_word: dict[str, str] = {}
    analysis = word_cache(analyzer)
    for word in TOKEN_PATTERN.findall(text):
        terms = [t for pos in analysis.positions(word) for t in pos
                 if not t.startswith(SURFACE_MARK)]
        if not terms:
            continue  # a stop word
        key = terms[0]
        counts[key] += 1
        first_word.setdefault(key, word.lower())
    weights: dict[str, float] = {}
    for term, tf in counts.items():
        df = max((reader.doc_frequency(f, term) for f in fields), default=0)
        if df and not term.isdigit():
            weights[term] = (1 + math.log(tf)) * math.log(1 + docs / df)
    chosen = sorted(weights, key=lambda t: (-weights[t], t))[:PASSAGE_TERMS]
    words = [first_word[t] for t in chosen]
    parsed = ParsedQuery(groups=[Group([Atom(text=w)]) for w in words], notes=notes)
    listed = ", ".join(words)
    parsed.notes.append(Note(
        f"a long passage: searched for releases most like it, by its {len(words)} most "
        f"distinctive words ({listed})",
        f"длинный отрывок: найдены самые похожие на него релизы по {len(words)} самым "
        f"характерным словам ({listed})"))
    return parsed
