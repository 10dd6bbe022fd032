"""The user query language: text → syntax tree.

Syntax: plain words (all must match), ``"exact phrase"``, ``OR`` between
words or phrases, ``NOT word`` / ``-word``, ``prefix*``, ``fuzzy~`` /
``fuzzy~2``, and ``title:`` / ``body:`` in front of a word or phrase.
Nothing a user types is an error: whatever cannot be read as syntax is read
literally or dropped, and a note says so.

Whoosh's own query parser is not used: it raises or misreads on operator soup,
and it knows nothing of lemma alternatives at one position.
"""

from __future__ import annotations

import re

from indexer.analysis import TOKEN_PATTERN
from search.notes import Note
from search.query.tree import Atom, Group, ParsedQuery
from search.request import MAX_QUERY_CHARS, clean_text
from search.stopwords import drop_stop_words

#: Most words/phrases read from one query; more are dropped with a note.
MAX_CLAUSES = 64
MIN_PREFIX = 3
MAX_FUZZY = 2

PAREN_NOTE = Note("parentheses are ignored: OR joins the two words or phrases next to it",
                  "скобки не учитываются: OR связывает соседние слова или фразы")
_FIELD_PREFIX = re.compile(r"^(title|body):(.*)$", re.IGNORECASE | re.DOTALL)
_FUZZY_SUFFIX = re.compile(r"~(\d*)$")


def _has_word(text: str) -> bool:
    return TOKEN_PATTERN.search(text) is not None


def _lex(text: str, notes: list[Note]) -> list[tuple[str, str, str | None]]:
    """Split into ("word"|"phrase", text, scope-of-phrase) tokens."""
    tokens: list[tuple[str, str, str | None]] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        if ch in "()":
            if PAREN_NOTE not in notes:
                notes.append(PAREN_NOTE)
            i += 1
            continue
        if ch == '"':
            end = text.find('"', i + 1)
            if end < 0:
                notes.append(Note(
                    "unbalanced quote ignored: the words after it are read as words",
                    "непарная кавычка пропущена: слова после неё прочитаны как слова"))
                i += 1
                continue
            tokens.append(("phrase", text[i + 1:end], None))
            i = end + 1
            continue
        j = i
        while j < n and not text[j].isspace() and text[j] not in '"()':
            j += 1
        word = text[i:j]
        i = j
        # title:"phrase" and -title:"phrase"
        m = _FIELD_PREFIX.match(word.lstrip("-"))
        if m and not m.group(2) and i < n and text[i] == '"':
            end = text.find('"', i + 1)
            if end > 0:
                neg = "-" if word.startswith("-") else ""
                tokens.append(("phrase", text[i + 1:end], f"{neg}{m.group(1).lower()}"))
                i = end + 1
                continue
        tokens.append(("word", word, None))
    return tokens


def parse(text: str) -> ParsedQuery:
    """Read a user query; never raises."""
    parsed = ParsedQuery()
    notes = parsed.notes
    text = clean_text(text)
    if len(text) > MAX_QUERY_CHARS:
        text = text[:MAX_QUERY_CHARS]
        notes.append(Note(f"the query was cut to its first {MAX_QUERY_CHARS} characters",
                          f"запрос обрезан до первых {MAX_QUERY_CHARS} символов"))
    items: list[Atom | str] = []  # atoms, "OR", "NOT"
    negate_next = False
    for kind, raw, scope in _lex(text, notes):
        if kind == "phrase":
            negated = negate_next
            negate_next = False
            if scope and scope.startswith("-"):
                negated, scope = True, scope[1:]
            if not _has_word(raw):
                notes.append(Note(f'empty phrase "{raw}" ignored',
                                  f"пустая фраза «{raw}» пропущена"))
                continue
            atom = Atom(text=" ".join(raw.split()), phrase=True, scope=scope)
            items.append(("NOT", atom) if negated else atom)  # type: ignore[arg-type]
            continue
        if raw == "OR":
            items.append("OR")
            continue
        if raw == "AND":
            continue
        if raw == "NOT":
            negate_next = True
            continue
        negated = negate_next
        negate_next = False
        atom, negated = _word(raw, negated, notes)
        if atom is not None:
            items.append(("NOT", atom) if negated else atom)  # type: ignore[arg-type]
    if negate_next:
        notes.append(Note("NOT at the end of the query is ignored",
                          "NOT в конце запроса не учитывается"))
    _group(items, parsed)
    drop_stop_words(parsed)
    return parsed


def _word(raw: str, negated: bool, notes: list[Note]) -> tuple[Atom | None, bool]:
    """One word as typed (``-``/``+``, ``title:``/``body:``, ``*``, ``~``) read as an atom,
    and whether it is negated; None when nothing of it can be searched."""
    word = raw
    if word.startswith(("-", "+")) and len(word) > 1 and word.lstrip("-+"):
        negated = negated or word.startswith("-")
        word = word.lstrip("-+")
    scope = None
    m = _FIELD_PREFIX.match(word)
    if m:
        scope, word = m.group(1).lower(), m.group(2)
        if not word:
            notes.append(Note(f"{scope}: without a word after it is ignored",
                              f"{scope}: без слова после него не учитывается"))
            return None, negated
    word, prefix, fuzzy = _suffixes(word, notes)
    if not _has_word(word):
        if raw.strip():
            notes.append(Note(f"{raw!r} has no letters or digits and was ignored",
                              f"«{raw}» не содержит букв и цифр и пропущено"))
        return None, negated
    if (prefix or fuzzy) and len(TOKEN_PATTERN.findall(word)) > 1:
        notes.append(Note(
            f"{raw}: * and ~ apply to a single word; searched {word!r} as words",
            f"{raw}: * и ~ применяются к одному слову; «{word}» найдено как слова"))
        prefix, fuzzy = False, 0
    atom = Atom(text=word, scope=scope, prefix=prefix, fuzzy=fuzzy)
    return atom, negated


def _suffixes(word: str, notes: list[Note]) -> tuple[str, bool, int]:
    """``word`` without its ``*`` or ``~n``, whether it is a prefix, its fuzzy distance
    (-1: chosen by the word's length)."""
    fuzzy = 0
    prefix = False
    fm = _FUZZY_SUFFIX.search(word)
    if fm and fm.start() > 0:
        want = int(fm.group(1)) if fm.group(1) else 0
        word = word[:fm.start()]
        if want > MAX_FUZZY:
            notes.append(Note(
                f"fuzzy distance {want} is more than {MAX_FUZZY}; used {MAX_FUZZY}",
                f"допуск {want} больше {MAX_FUZZY}; использован {MAX_FUZZY}"))
            want = MAX_FUZZY
        fuzzy = want or -1  # -1: distance chosen by word length
    elif word.endswith("*") and len(word) > 1:
        core = word.rstrip("*")
        letters = "".join(ch for ch in core if ch.isalnum())
        if len(letters) < MIN_PREFIX:
            notes.append(Note(
                f"{word}: a prefix needs at least {MIN_PREFIX} letters; "
                f"searched {core!r} as a word",
                f"{word}: для поиска по началу слова нужно не меньше {MIN_PREFIX} букв; "
                f"«{core}» найдено как слово"))
            word = core
        else:
            word, prefix = core, True
    return word, prefix, fuzzy


def _group(items: list, parsed: ParsedQuery) -> None:
    notes = parsed.notes
    groups = parsed.groups
    pending_or = False
    dangling = False
    count = 0
    for item in items:
        if item == "OR":
            if pending_or or not groups or groups[-1].negated:
                dangling = True
            pending_or = True
            continue
        negated = isinstance(item, tuple)
        atom = item[1] if negated else item
        count += 1
        if count > MAX_CLAUSES:
            continue
        if any(g.negated == negated and len(g.atoms) == 1 and g.atoms[0] == atom
               for g in groups):
            pending_or = False
            continue  # a repeated word adds nothing but matcher work
        if pending_or and groups and not groups[-1].negated and not negated:
            if atom not in groups[-1].atoms:
                groups[-1].atoms.append(atom)
        else:
            if pending_or:
                dangling = True
            groups.append(Group([atom], negated=negated))
        pending_or = False
    if pending_or:
        dangling = True
    if dangling:
        notes.append(Note("an OR without a word on both sides is ignored",
                          "OR без слов с обеих сторон не учитывается"))
    if count > MAX_CLAUSES:
        notes.append(Note(
            f"the query has {count} words or phrases; only the first {MAX_CLAUSES} were used",
            f"в запросе {count} слов и фраз; использованы первые {MAX_CLAUSES}"))
