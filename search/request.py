"""The search request: validated parameters, parsed from and rendered to a query string."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from search.notes import Note
from search.settings import setting

SORTS = ("relevance", "newest", "oldest")
#: Longest query text read; the parser drops the rest with a note.
MAX_QUERY_CHARS = 1000
#: Most values accepted for one repeatable parameter (lang, topic).
MAX_VALUES = 20
# Patterns are matched whole (fullmatch) and spell digits [0-9]: "\d" and int()
# also take "１" (full-width) and int() takes "1_0".
_LANG_CODE = re.compile(r"[a-z]{2,3}")
_TOPIC_SLUG = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
#: Entity filters (issue 13): an ISO 3166 alpha-2 code; an organisation's or person's slug.
_COUNTRY_CODE = re.compile(r"[A-Z]{2}")
_ENTITY_SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,79}")
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")
_WHOLE_NUMBER = re.compile(r"-?[0-9]{1,18}")
#: A date bound: YYYY-MM-DD, or YYYY-MM or YYYY for the whole month or year.
_DATE = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?")
_PAGING = ("page", "per_page")


class QueryError(ValueError):
    """A request that cannot be answered; the message tells the user what to change.

    The message is a ``Note``: English as text, with its Russian twin for the
    interface (``ru``).
    """

    @property
    def ru(self) -> str:
        message = self.args[0] if self.args else ""
        return getattr(message, "ru", str(message))


def clean_text(text: str) -> str:
    """Drop what no query needs: control characters, lone surrogates, format marks."""
    if text.isprintable():
        return text
    return "".join(
        " " if unicodedata.category(ch) in ("Cc", "Cs", "Cf", "Co", "Cn") else ch for ch in text
    )


def _values(params: Mapping[str, Any], name: str) -> list[str]:
    raw = params.get(name)
    if raw is None:
        return []
    items = list(raw) if isinstance(raw, list | tuple) else [raw]
    return [str(v).strip() for v in items if str(v).strip()]


def _single(params: Mapping[str, Any], name: str) -> str | None:
    values = _values(params, name)
    return values[-1] if values else None


def _parse_int(value: str | None, name: str, default: int) -> int:
    """A whole number written in ASCII digits ("10", not "1_0", "１0" or "1e1")."""
    if value is None:
        return default
    if not _WHOLE_NUMBER.fullmatch(value):
        raise QueryError(Note(f"{name} must be a whole number, not {value!r}",
                              f"{name} должно быть целым числом, а не {value!r}"))
    return int(value)


def _parse_date(value: str | None, name: str, *, end: bool = False) -> dt.date | None:
    """A date bound: YYYY-MM-DD, or a whole month (YYYY-MM) or year (YYYY),
    which starts on its first day (``from``) or ends on its last (``to``)."""
    if value is None:
        return None
    m = _DATE.fullmatch(value)
    try:
        if not m:
            raise ValueError(value)
        year, month, day = m.groups()
        if day is not None:
            return dt.date(int(year), int(month), int(day))
        if month is None:
            return dt.date(int(year), 12, 31) if end else dt.date(int(year), 1, 1)
        first = dt.date(int(year), int(month), 1)
        if not end:
            return first
        return (first + dt.timedelta(days=31)).replace(day=1) - dt.timedelta(days=1)
    except (ValueError, OverflowError):
        raise QueryError(Note(
            f"{name} must be a date written YYYY-MM-DD (e.g. 2017-11-21), or a month "
            f"YYYY-MM or a year YYYY, not {value!r}",
            f"{name} должно быть датой в виде ГГГГ-ММ-ДД (например, 2017-11-21), "
            f"месяцем ГГГГ-ММ или годом ГГГГ, а не {value!r}")) from None


@dataclass(frozen=True)
class SearchRequest:
    q: str = ""
    langs: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    #: Entity filters (issue 13), each disjunctive within itself like topics.
    countries: tuple[str, ...] = ()
    orgs: tuple[str, ...] = ()
    people: tuple[str, ...] = ()
    year: int | None = None
    month: str | None = None
    #: Several years picked together (any of them); a single year is ``year``.
    years: tuple[int, ...] = ()
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    sort: str = "relevance"
    page: int = 1
    per_page: int = 10
    #: The reader's interface language: hits show that version when the release has one.
    #: Not a filter, and not part of the address (the interface's cookie sets it).
    prefer: str | None = None

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        """Raise QueryError for a request no page can answer."""
        self._validate_filters()
        self._validate_entities()
        self._validate_dates()
        self._validate_paging()

    def _validate_filters(self) -> None:
        """The text, languages and topics."""
        if not isinstance(self.q, str):
            raise QueryError(Note("q must be text", "q должен быть текстом"))
        for lang in self.langs:
            if not _LANG_CODE.fullmatch(lang):
                raise QueryError(Note(
                    f"lang must be a 2- or 3-letter lowercase language code such as en or ru, "
                    f"not {lang!r}",
                    f"lang должен быть кодом языка из 2–3 строчных латинских букв, например "
                    f"en или ru, а не {lang!r}"))
        if self.prefer is not None and not _LANG_CODE.fullmatch(self.prefer):
            raise QueryError(Note(f"prefer must be a language code, not {self.prefer!r}",
                                  f"prefer должен быть кодом языка, а не {self.prefer!r}"))
        for topic in self.topics:
            if not _TOPIC_SLUG.fullmatch(topic):
                raise QueryError(Note(
                    f"topic must be a topic name such as 'caspian' (lowercase letters, digits, "
                    f"'-' or '_'), not {topic!r}",
                    f"topic должен быть названием темы, например 'caspian' (строчные латинские "
                    f"буквы, цифры, '-' или '_'), а не {topic!r}"))
        if len(self.langs) > MAX_VALUES or len(self.topics) > MAX_VALUES:
            raise QueryError(Note(
                f"select at most {MAX_VALUES} languages and {MAX_VALUES} topics",
                f"выберите не больше {MAX_VALUES} языков и {MAX_VALUES} тем"))

    def _validate_entities(self) -> None:
        """The country, org and person filters (issue 13)."""
        for code in self.countries:
            if not _COUNTRY_CODE.fullmatch(code):
                raise QueryError(Note(
                    f"country must be an ISO 3166 two-letter country code such as AZ or RU, "
                    f"not {code!r}",
                    f"country должен быть двухбуквенным кодом страны ISO 3166, например AZ "
                    f"или RU, а не {code!r}"))
        for name, values in (("org", self.orgs), ("person", self.people)):
            for value in values:
                if not _ENTITY_SLUG.fullmatch(value):
                    raise QueryError(Note(
                        f"{name} must be an identifier such as 'osce' or 'sergey-lavrov' "
                        f"(lowercase letters, digits and '-'), not {value!r}",
                        f"{name} должен быть идентификатором, например 'osce' или "
                        f"'sergey-lavrov' (строчные латинские буквы, цифры и '-'), "
                        f"а не {value!r}"))
        if max(len(self.countries), len(self.orgs), len(self.people)) > MAX_VALUES:
            raise QueryError(Note(
                f"select at most {MAX_VALUES} countries, {MAX_VALUES} organisations and "
                f"{MAX_VALUES} people",
                f"выберите не больше {MAX_VALUES} стран, {MAX_VALUES} организаций и "
                f"{MAX_VALUES} людей"))

    def _validate_dates(self) -> None:
        """The years, the month and the date range."""
        for year in self.selected_years:
            if not 1000 <= year <= 9999:
                raise QueryError(Note(f"year must have four digits, not {year}",
                                      f"год должен состоять из четырёх цифр, а не {year}"))
        if self.years and self.year is not None:
            raise QueryError(Note("give either year or years, not both",
                                  "укажите либо year, либо years, но не оба"))
        if len(self.years) > MAX_VALUES:
            raise QueryError(Note(f"select at most {MAX_VALUES} years",
                                  f"выберите не больше {MAX_VALUES} лет"))
        if self.month is not None:
            m = _MONTH.fullmatch(self.month)
            if not m or not 1 <= int(m.group(2)) <= 12 or not 1000 <= int(m.group(1)) <= 9999:
                raise QueryError(Note(
                    f"month must be written YYYY-MM (e.g. 2017-11), not {self.month!r}",
                    f"месяц пишется ГГГГ-ММ (например, 2017-11), а не {self.month!r}"))
            if self.years:
                raise QueryError(Note(
                    f"month {self.month} needs a single year: clear the other years",
                    f"месяц {self.month} выбирается внутри одного года: сбросьте другие годы"))
            if self.year is not None and int(m.group(1)) != self.year:
                raise QueryError(Note(
                    f"month {self.month} is not in the selected year {self.year}: "
                    f"pick a month of {self.year} or clear the year",
                    f"месяц {self.month} не входит в выбранный {self.year} год: "
                    f"выберите месяц {self.year} года или сбросьте год"))
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise QueryError(Note(
                f"from ({self.date_from}) is after to ({self.date_to}): swap the two dates",
                f"начало периода ({self.date_from}) позже конца ({self.date_to}): "
                f"поменяйте даты местами"))

    def _validate_paging(self) -> None:
        """The order, the page size and how deep the page is."""
        if self.sort not in SORTS:
            raise QueryError(Note(
                f"sort must be one of {', '.join(SORTS)}, not {self.sort!r}",
                f"sort должен быть одним из: {', '.join(SORTS)}, а не {self.sort!r}"))
        max_page_size = setting("MAX_PAGE_SIZE")
        if not 1 <= self.per_page <= max_page_size:
            raise QueryError(Note(
                f"per_page must be between 1 and {max_page_size}, not {self.per_page}",
                f"per_page должен быть от 1 до {max_page_size}, а не {self.per_page}"))
        if self.page < 1:
            raise QueryError(Note(f"page numbers start at 1, not {self.page}",
                                  f"страницы нумеруются с 1, а не с {self.page}"))
        window = setting("MAX_RESULT_WINDOW")
        if self.page * self.per_page > window:
            last = last_page(self.per_page)
            raise QueryError(Note(
                f"page {self.page} is too deep: only the first {window} hits can be paged through "
                f"(page {last} at most with {self.per_page} per page); "
                f"narrow the search with a filter (year, topic, dates) or sort oldest first",
                f"страница {self.page} слишком далеко: листать можно только первые {window} "
                f"результатов (не дальше страницы {last} по {self.per_page}); "
                f"сузьте поиск фильтром (год, тема, даты) или отсортируйте от старых к новым"))

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> SearchRequest:
        """Build a request from query-string parameters (values: str or list of str)."""
        q = _values(params, "q")
        years = tuple(sorted({_parse_int(v, "year", 0) for v in _values(params, "year")}))
        return cls(
            q=clean_text(" ".join(q)),
            langs=tuple(dict.fromkeys(v.lower() for v in _values(params, "lang"))),
            topics=tuple(dict.fromkeys(v.lower() for v in _values(params, "topic"))),
            countries=tuple(dict.fromkeys(v.upper() for v in _values(params, "country"))),
            orgs=tuple(dict.fromkeys(v.lower() for v in _values(params, "org"))),
            people=tuple(dict.fromkeys(v.lower() for v in _values(params, "person"))),
            year=years[0] if len(years) == 1 else None,
            years=years if len(years) > 1 else (),
            month=_single(params, "month"),
            date_from=_parse_date(_single(params, "from"), "from"),
            date_to=_parse_date(_single(params, "to"), "to", end=True),
            sort=(_single(params, "sort") or "relevance").lower(),
            page=_parse_int(_single(params, "page"), "page", 1),
            per_page=_parse_int(_single(params, "per_page"), "per_page", 10),
        )

    def to_params(self) -> list[tuple[str, str]]:
        """Query-string pairs, defaults omitted, in a stable order."""
        pairs: list[tuple[str, str]] = []
        if self.q:
            pairs.append(("q", self.q))
        pairs += [("lang", v) for v in self.langs]
        pairs += [("topic", v) for v in self.topics]
        pairs += [("country", v) for v in self.countries]
        pairs += [("org", v) for v in self.orgs]
        pairs += [("person", v) for v in self.people]
        pairs += [("year", str(v)) for v in self.selected_years]
        if self.month:
            pairs.append(("month", self.month))
        if self.date_from:
            pairs.append(("from", self.date_from.isoformat()))
        if self.date_to:
            pairs.append(("to", self.date_to.isoformat()))
        if self.sort != "relevance":
            pairs.append(("sort", self.sort))
        if self.page != 1:
            pairs.append(("page", str(self.page)))
        if self.per_page != 10:
            pairs.append(("per_page", str(self.per_page)))
        return pairs

    @property
    def selected_years(self) -> tuple[int, ...]:
        """Every year selected: the one ``year`` or the several ``years``."""
        return (self.year,) if self.year is not None else self.years

    def with_years(self, years: Any) -> SearchRequest:
        """A copy selecting these years (one goes to ``year``, several to ``years``)."""
        chosen = tuple(sorted(set(years)))
        return self.replace(year=chosen[0] if len(chosen) == 1 else None,
                            years=chosen if len(chosen) > 1 else (), month=None)

    def replace(self, **changes: Any) -> SearchRequest:
        """A modified copy; any change but paging itself sends the user back to page 1."""
        if any(name not in _PAGING for name in changes) and "page" not in changes:
            changes["page"] = 1
        if "year" in changes and changes["year"] != self.year and "month" not in changes:
            changes["month"] = None
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """The request as echoed in ``SearchPage.to_dict()["query"]``."""
        return {
            "q": self.q,
            "lang": list(self.langs),
            "topic": list(self.topics),
            "country": list(self.countries),
            "org": list(self.orgs),
            "person": list(self.people),
            "year": self.year,
            "years": list(self.selected_years),
            "month": self.month,
            "from": self.date_from.isoformat() if self.date_from else None,
            "to": self.date_to.isoformat() if self.date_to else None,
            "sort": self.sort,
            "page": self.page,
            "per_page": self.per_page,
        }


def last_page(per_page: int) -> int:
    """The deepest page a request may ask for (MAX_RESULT_WINDOW hits at most)."""
    return max(1, setting("MAX_RESULT_WINDOW") // per_page)
