"""Notes on how a query was understood, in English and in Russian.

A note is the English sentence itself (a ``str``, so the CLI and logs read
it as text) carrying its Russian twin; pages serve both, like facet labels,
and the interface shows the one of its language.
"""

from __future__ import annotations


class Note(str):
    ru: str

    def __new__(cls, en: str, ru: str) -> Note:
        note = super().__new__(cls, en)
        note.ru = ru
        return note

    def to_dict(self) -> dict[str, str]:
        return {"en": str(self), "ru": self.ru}
