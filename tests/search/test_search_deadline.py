"""The query time limit: every stage stops at the request's deadline and marks the page
partial; the total cap on expanded terms; the gate for costly searches.

No timing here: the deadline's clock is a fake one that expires when told to (at
the n-th look, or when a stage under test is reached).
"""

from __future__ import annotations

import pytest
import search_corpus as sc

from search import Archive, SearchRequest
from search import archive as archive_module
from search.deadline import CostlyGate, Deadline
from search.evaluation import Evaluator
from search.query import QueryCompiler, expansion, is_costly, parse

COSTLY = "мин* con* visit* пре* sea* перег*"


class CountingClock:
    """Reads 0.0 for ``ticks`` looks after the deadline is made, then 1e9 for ever."""

    def __init__(self, ticks: int) -> None:
        self.left = ticks + 1  # the first look is the deadline's own creation

    def __call__(self) -> float:
        if self.left > 0:
            self.left -= 1
            return 0.0
        return 1e9


class SwitchClock:
    """Reads 0.0 until ``expire()``: a test expires the deadline at a chosen stage."""

    def __init__(self) -> None:
        self.now = 0.0

    def expire(self) -> None:
        self.now = float("inf")

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def archive():
    with Archive(sc.corpus_index(), time_limit=2.0, costly_searches=0) as archive:
        yield archive


@pytest.fixture()
def clock(archive, monkeypatch) -> SwitchClock:
    clock = SwitchClock()
    monkeypatch.setattr(archive, "clock", clock)
    return clock


def search(archive, q: str, **params):
    return archive.search(SearchRequest.from_params({"q": q, **params}))


def expire_after(monkeypatch, owner, name: str, clock: SwitchClock) -> None:
    """Expire ``clock`` as soon as ``owner.name`` has run once."""
    original = getattr(owner, name)

    def then_expire(*args, **kwargs):
        try:
            return original(*args, **kwargs)
        finally:
            clock.expire()

    monkeypatch.setattr(owner, name, then_expire)


# ---------------------------------------------------------------- the deadline


def test_deadline_expires_at_the_counted_look() -> None:
    deadline = Deadline.after(1.0, CountingClock(3))
    assert [deadline.expired() for _ in range(5)] == [False, False, False, True, True]
    assert not deadline.partial
    deadline.cut("evaluation")
    deadline.cut("evaluation")
    assert deadline.partial and deadline.stages == ["evaluation"]
    assert not Deadline.never().expired()


def test_nothing_is_cut_in_time(archive, clock) -> None:
    page = search(archive, COSTLY)
    assert page.total and not page.partial and page.cut == [] and not page.facets_timed_out
    assert any("<mark>" in h["snippet"] for h in page.hits)


# ---------------------------------------------------------------- every stage


def test_expansion_stops_at_the_deadline(archive) -> None:
    reader = archive._acquire()[0].reader()
    full = QueryCompiler(reader).compile(parse("мин*"), ("ru",))
    assert len(full.terms["body_ru"]) > 3
    for looks in (0, 2):
        deadline = Deadline.after(1.0, CountingClock(looks))
        cut = QueryCompiler(reader, deadline=deadline).compile(parse("мин*"), ("ru",))
        assert len(cut.terms.get("body_ru", ())) <= looks
        assert deadline.stages == ["expansion"]


def test_fuzzy_expansion_stops_at_the_deadline(archive) -> None:
    reader = archive._acquire()[0].reader()
    assert QueryCompiler(reader).compile(parse("министр~"), ("ru",)).terms
    deadline = Deadline.after(1.0, CountingClock(0))
    cut = QueryCompiler(reader, deadline=deadline).compile(parse("министр~"), ("ru",))
    assert not any(cut.terms.values())
    assert deadline.stages == ["expansion"]


def test_an_expired_deadline_cuts_the_search_and_marks_it_partial(archive, clock) -> None:
    clock.expire()
    page = search(archive, COSTLY)
    assert page.partial
    assert {"expansion", "facets"} <= set(page.cut)
    assert page.facets_timed_out == ["year", "topic", "language", "country", "org", "person"]
    assert any("ran out of time" in n for n in page.understood.notes)


def test_evaluation_stops_at_the_deadline(archive, clock, monkeypatch) -> None:
    expire_after(monkeypatch, QueryCompiler, "compile", clock)
    page = search(archive, "министр OR переговоры OR sea")
    assert page.partial and "evaluation" in page.cut and page.total == 0


def test_fallbacks_and_corrections_are_cut_at_the_deadline(archive, clock, monkeypatch) -> None:
    assert search(archive, "vbybcnh").suggestion is not None  # the layout fallback, in time
    expire_after(monkeypatch, Evaluator, "matches", clock)
    page = search(archive, "vbybcnh")
    assert page.suggestion is None
    assert page.partial and "corrections" in page.cut


def test_hits_and_snippets_stop_at_the_deadline(archive, clock, monkeypatch) -> None:
    expire_after(monkeypatch, archive_module.Archive, "_rank", clock)
    page = search(archive, "министр")
    assert page.hits  # ranked in time, shown without marks
    assert not any("<mark>" in h["snippet"] + h["title"] for h in page.hits)
    assert page.partial and {"snippets", "facets"} <= set(page.cut)


def test_snippet_marking_stops_inside_a_long_text(archive) -> None:
    from search.highlight import CLOCK_EVERY, match_spans

    analyzer = archive._acquire()[0].schema["body_en"].analyzer
    text = " ".join(["minister"] * (CLOCK_EVERY * 4))
    assert len(match_spans(text, analyzer, {"minist"})) == CLOCK_EVERY * 4
    deadline = Deadline.after(1.0, CountingClock(1))
    spans = match_spans(text, analyzer, {"minist"}, deadline)
    assert len(spans) == CLOCK_EVERY - 1 and deadline.stages == ["snippets"]


def test_a_facet_out_of_time_degrades_alone(archive, clock, monkeypatch) -> None:
    expire_after(monkeypatch, archive_module.fc, "year_facet", clock)
    page = search(archive, "министр")
    assert page.hits and page.total and "year" in page.facets
    assert page.facets_timed_out == ["topic", "language", "country", "org", "person"]
    assert page.partial and page.cut == ["facets"]


def test_the_language_facet_pays_for_its_own_evaluation(archive, clock, monkeypatch) -> None:
    # The per-language twins of the query run out of time: the facet is dropped,
    # the results (evaluated in time) are not marked cut.
    expire_after(monkeypatch, archive_module.fc, "topic_facet", clock)
    page = search(archive, "министр OR sea")
    # The entity facets come after it, when the time is already up.
    assert page.facets_timed_out == ["language", "country", "org", "person"]
    assert page.cut == ["facets"]


# ---------------------------------------------------------------- the total cap


def test_the_expansion_cap_applies_across_words(archive, monkeypatch) -> None:
    reader = archive._acquire()[0].reader()
    words = "мин* con* visit* пре* sea* перег*"
    unlimited = QueryCompiler(reader).compile(parse(words), ("en", "ru"))
    assert sum(map(len, unlimited.terms.values())) > 12
    monkeypatch.setattr(expansion, "EXPANDED_TERMS", 12)
    deadline = Deadline.never()
    compiler = QueryCompiler(reader, deadline=deadline)
    capped = compiler.compile(parse(words), ("en", "ru"))
    # 6 words x 4 fields share 12 terms: at most one each, and every word is searched.
    assert sum(map(len, capped.terms.values())) <= 12
    assert all(len(terms) <= 1 for terms, _ in compiler._expanded.values())
    for word in words.split():
        assert any(terms for (_, _, _, text), (terms, _) in compiler._expanded.items()
                   if text == word.rstrip("*")), word
    assert deadline.stages == ["expansion cap"]
    assert any("too many words" in n for n in capped.notes)
    # The per-language twins reuse the request's expansions: the total stays.
    twin = compiler.compile(parse(words), ("ru",))
    assert twin.terms == {k: v for k, v in capped.terms.items() if k.endswith("_ru")}
    assert compiler._expanded_total <= 12


def test_a_capped_search_is_partial_without_running_out_of_time(archive, clock,
                                                                monkeypatch) -> None:
    monkeypatch.setattr(expansion, "EXPANDED_TERMS", 10)
    page = search(archive, COSTLY)
    assert page.partial and page.cut == ["expansion cap"]
    assert any("too many words" in n for n in page.understood.notes)
    assert not any("ran out of time" in n for n in page.understood.notes)


def test_one_wildcard_keeps_its_own_cap() -> None:
    assert not is_costly(parse("negotiation* министр"))
    assert is_costly(parse(COSTLY))


# ---------------------------------------------------------------- costly searches at once


def test_a_costly_search_beyond_the_gate_is_turned_away(tmp_path) -> None:
    with Archive(sc.corpus_index(), costly_searches=1) as gated:
        held = gated.gate._slots
        assert held.acquire(timeout=0)  # another costly search holds the only slot
        try:
            busy = gated.search(SearchRequest(q=COSTLY), time_limit=0.0)
            assert busy.partial and busy.cut == ["busy"] and busy.total == 0
            assert any("server is busy" in n for n in busy.understood.notes)
            assert search(gated, "министр").total  # ordinary searches pass the gate
        finally:
            held.release()
        assert gated.search(SearchRequest(q=COSTLY)).cut != ["busy"]


def test_the_gate_releases_its_slot() -> None:
    gate = CostlyGate(1)
    for _ in range(3):
        with gate.admit(True, 0.0) as admitted:
            assert admitted
    with gate.admit(True, 0.0) as first, gate.admit(True, 0.0) as second:
        assert first and not second
    with CostlyGate(0).admit(True, 0.0) as admitted:
        assert admitted


# ---------------------------------------------------------------- the web


@pytest.fixture()
def out_of_time_app(sample_index, monkeypatch):
    from webui import create_app

    monkeypatch.setenv("PRESSROOM_QUERY_TIME_LIMIT", "0")
    return create_app({"TESTING": True, "INDEX": str(sample_index)})


def test_partial_reaches_the_api_and_the_page_and_is_not_cached(out_of_time_app) -> None:
    from webui.pagecache import current_page_cache

    client = out_of_time_app.test_client()
    body = client.get("/api/search?q=minister").get_json()
    assert body["partial"] is True
    assert any("ran out of time" in n["en"] for n in body["understood"]["notes"])
    html = client.get("/search?q=minister").get_data(as_text=True)
    assert "cut short" in html
    with out_of_time_app.app_context():
        assert len(current_page_cache()) == 0


def test_spelling_corrections_stop_at_the_deadline(archive, clock, monkeypatch) -> None:
    assert search(archive, "минестр").suggestion is not None  # corrected, in time
    seen = []

    def expired() -> bool:
        seen.append(True)
        return True

    from search.suggest import correct_query

    reader = archive._acquire()[0].reader()
    assert correct_query(reader, "минестр", None, expired) is None and seen


def test_a_words_own_cap_note_survives_the_reuse_of_its_expansion(archive,
                                                                  monkeypatch) -> None:
    monkeypatch.setattr(expansion, "PREFIX_EXPANSIONS", 2)
    reader = archive._acquire()[0].reader()
    compiler = QueryCompiler(reader)
    first = compiler.compile(parse("мин* zzzqqq"), ("ru",))
    again = compiler.compile(parse("мин* zzzqqq"), ("ru",), "any")  # the "any" fallback
    assert any("only the first 2" in n for n in first.notes)
    assert [n for n in again.notes if "only the first" in n] == [
        n for n in first.notes if "only the first" in n]
