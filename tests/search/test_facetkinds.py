"""The facet objects: parameter, labels, selectable values and toggled requests."""

from __future__ import annotations

import pytest

from search.facetkinds import FACETS, LANGUAGE, MONTH, TOPIC, YEAR, facets_of
from search.facets import ACROSS
from search.request import SearchRequest


def test_each_facet_knows_its_request_parameter() -> None:
    assert {name: facet.param for name, facet in FACETS.items()} == {
        "year": "year", "month": "month", "topic": "topic", "language": "lang",
        "country": "country", "org": "org", "person": "person"}


def test_months_are_counted_only_within_a_chosen_year() -> None:
    entities = ["country", "org", "person"]
    assert [f.name for f in facets_of(SearchRequest())] == ["year", "topic", "language",
                                                            *entities]
    assert [f.name for f in facets_of(SearchRequest(year=2017))] == [
        "year", "month", "topic", "language", *entities]


def test_toggled_switches_a_value_on_and_off() -> None:
    req = SearchRequest(q="visa")
    on = TOPIC.toggled(req, "energy", False)
    assert on.topics == ("energy",) and TOPIC.toggled(on, "energy", True).topics == ()
    assert LANGUAGE.toggled(req, "ru", False).to_params() == [("q", "visa"), ("lang", "ru")]
    assert YEAR.toggled(YEAR.toggled(req, "2017", False), "2012", False).selected_years == (
        2012, 2017)
    month = MONTH.toggled(req.with_years({2016, 2017}), "2017-11", False)
    assert (month.month, month.year, month.years) == ("2017-11", 2017, ())
    assert MONTH.toggled(month, "2017-11", True).month is None


def test_a_value_no_request_may_hold_raises_value_error() -> None:
    with pytest.raises(ValueError):
        YEAR.toggled(SearchRequest(), "999x", False)
    with pytest.raises(ValueError):
        MONTH.toggled(SearchRequest(), "2017-13", False)


def test_the_across_entry_is_a_count_not_a_filter() -> None:
    assert not LANGUAGE.selectable(ACROSS)
    assert LANGUAGE.selectable("en") and YEAR.selectable("2017")


def test_month_labels_are_made_in_both_languages() -> None:
    assert MONTH.label("2017-11") == {"en": "November 2017", "ru": "ноябрь 2017"}
    assert MONTH.label("2017-13") == {"en": "2017-13", "ru": "2017-13"}  # from an old index
    assert LANGUAGE.label("ru") == {"en": "Russian", "ru": "Русский"}
    assert YEAR.label("2017") == {"en": "2017", "ru": "2017"}
