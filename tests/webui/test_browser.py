"""Real Chromium (Debian's ``chromium`` package) against a live server in a thread."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from werkzeug.serving import make_server

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).parents[1] / "artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def live_server(app) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)
    server.server_close()


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        message = (
            f"{CHROMIUM} is missing: install Debian's package `chromium` "
            "(apt-get install chromium) to run the browser tests"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture()
def page(browser, live_server):
    context = browser.new_context(
        base_url=live_server, viewport={"width": 1280, "height": 900}, locale="en-US"
    )
    yield from watched_tab(context)


def watched_tab(context):
    """A tab of ``context`` that fails the test on any script error or console error."""
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    yield tab
    context.close()
    assert not errors, errors  # no CSP violations, no failed resources, no script errors


def api(client, url: str) -> dict:
    parts = urlsplit(url)
    return client.get(f"/api/search?{parts.query}").get_json()


def facet_counts(page, facet: str) -> dict[str, int]:
    links = page.locator(f'ul[data-facet="{facet}"] a.facet__link')
    return {
        links.nth(i).get_attribute("data-value"): int(
            links.nth(i).locator(".facet__count").inner_text()
        )
        for i in range(links.count())
    }


def search(page, text: str) -> None:
    page.get_by_label("Words, phrases or release number").fill(text)
    page.get_by_label("Words, phrases or release number").press("Enter")
    page.wait_for_load_state()


def test_russian_inflected_search_finds_the_release(page):
    page.goto("/")
    search(page, "энергетическому агентству")
    first = page.locator("ol.hits .hit__title a").first
    assert "энергетического агентства" in first.inner_text()
    assert first.locator("mark").count() >= 1
    assert (
        "International Energy Agency"
        in page.locator("ol.hits .hit__other-title").first.inner_text()
    )


def test_topic_facet_changes_the_other_counts_and_chip_removes_it(page, client):
    page.goto("/search?q=министр")
    before_total = api(client, page.url)["total"]
    page.locator('ul[data-facet="topic"] a[data-value="energy"]').click()
    page.wait_for_load_state()
    assert parse_qs(urlsplit(page.url).query)["topic"] == ["energy"]
    twin = api(client, page.url)
    for facet in ("year", "language", "topic"):
        assert facet_counts(page, facet) == {v["value"]: v["count"] for v in twin["facets"][facet]}
    assert twin["total"] < before_total
    assert page.locator("ol.hits > li").count() == min(twin["total"], twin["per_page"])
    chip = page.locator(".chips a.chip")
    assert chip.count() == 1 and "Energy" in chip.inner_text()
    chip.click()
    page.wait_for_load_state()
    assert "topic" not in parse_qs(urlsplit(page.url).query)
    assert page.locator(".chips a.chip").count() == 0
    assert api(client, page.url)["total"] == before_total


def test_date_range_filter_and_paging(page, client):
    page.goto("/search?per_page=5&sort=oldest")
    page.get_by_label("From", exact=True).fill("2015-01-01")
    page.get_by_label("To", exact=True).fill("2019-12-31")
    page.get_by_role("button", name="Apply dates").click()
    page.wait_for_load_state()
    twin = api(client, page.url)
    assert twin["query"]["from"] == "2015-01-01" and twin["query"]["to"] == "2019-12-31"
    assert twin["pages"] > 1
    chips = page.locator(".chips a.chip").all_inner_texts()
    assert any("January 1, 2015" in c for c in chips) and any(
        "December 31, 2019" in c for c in chips
    )
    first_page = page.locator("ol.hits time").evaluate_all("els => els.map(e => e.dateTime)")
    page.get_by_role("link", name="Next").click()
    page.wait_for_load_state()
    assert parse_qs(urlsplit(page.url).query)["page"] == ["2"]
    second_page = page.locator("ol.hits time").evaluate_all("els => els.map(e => e.dateTime)")
    dates = first_page + second_page
    assert len(dates) == 10 and dates == sorted(dates)
    assert all("2015-01-01" <= d <= "2019-12-31" for d in dates)
    assert page.locator('.pager [aria-current="page"]').inner_text() == "2"


def test_release_page_shows_both_languages_side_by_side(page):
    page.goto("/search?q=энергетическому+агентству")
    page.locator("ol.hits .hit__title a").first.click()
    page.wait_for_load_state()
    english = page.locator('section.version[lang="en"]')
    russian = page.locator('section.version[lang="ru"]')
    assert "International Energy Agency" in english.inner_text()
    assert "энергетического агентства" in russian.inner_text()
    assert russian.locator("mark").count() >= 1  # the query's forms are highlighted
    en_box, ru_box = english.bounding_box(), russian.bounding_box()
    assert en_box["x"] < ru_box["x"] and abs(en_box["y"] - ru_box["y"]) < 5
    page.screenshot(path=str(ARTIFACTS / "release-1280.png"), full_page=True)
    page.set_viewport_size({"width": 360, "height": 800})
    en_box, ru_box = english.bounding_box(), russian.bounding_box()
    assert ru_box["y"] > en_box["y"] + en_box["height"] - 1  # stacked on a phone
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=str(ARTIFACTS / "release-360.png"), full_page=True)
    more = page.locator(".more__item a")
    assert more.count() >= 1


def test_interface_switches_to_russian_and_back(page):
    page.goto("/search?q=energy")
    assert page.locator("h1").inner_text() == "Search the press release archive"
    page.get_by_role("navigation", name="Interface language").get_by_role("link", name="RU").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "ru"
    assert page.locator("h1").inner_text() == "Поиск по архиву пресс-релизов"
    assert parse_qs(urlsplit(page.url).query)["q"] == ["energy"]  # came back to the same search
    page.goto("/stats")
    assert page.locator("h1").inner_text() == "Обзор архива"  # remembered
    page.get_by_role("navigation", name="Язык интерфейса").get_by_role("link", name="EN").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Archive overview"


def test_keyboard_layout_correction(page):
    page.goto("/")
    search(page, "vbybcnh")
    notice = page.locator(".notice--suggestion")
    assert "keyboard layout" in notice.inner_text()
    link = notice.get_by_role("link", name="министр")
    link.click()
    page.wait_for_load_state()
    assert page.get_by_label("Words, phrases or release number").input_value() == "министр"
    assert page.locator("ol.hits mark").count() >= 1


def test_search_page_screenshots_and_no_javascript_needed(browser, live_server):
    for width in (1280, 360):
        context = browser.new_context(
            base_url=live_server,
            viewport={"width": width, "height": 900},
            java_script_enabled=False,
        )
        tab = context.new_page()
        tab.goto("/search?q=министры")
        if width == 1280:
            # Without JavaScript the sort form keeps its Apply button and still works.
            tab.get_by_label("Sort by").select_option("newest")
            tab.locator(".sort-form button").click()
            tab.wait_for_load_state()
            assert parse_qs(urlsplit(tab.url).query)["sort"] == ["newest"]
        assert tab.evaluate("document.documentElement.scrollWidth") <= width
        tab.screenshot(path=str(ARTIFACTS / f"search-{width}.png"), full_page=width == 1280)
        context.close()


def test_sort_applies_on_change_with_javascript(page):
    page.goto("/search?q=министры")
    assert not page.locator(".sort-form button").is_visible()  # enhanced: no Apply button
    page.get_by_label("Sort by").select_option("oldest")
    page.wait_for_url("**sort=oldest**")
    dates = page.locator("ol.hits time").evaluate_all("els => els.map(e => e.dateTime)")
    assert dates == sorted(dates)


def test_results_page_downloads_csv_and_ris(page, client):
    """The download links next to the results count give the whole result set as files."""
    import csv
    import io

    import rispy

    page.goto("/search?q=energy&sort=oldest")
    twin = api(client, page.url)
    assert "Download all" in page.locator("#downloads").inner_text()
    with page.expect_download() as csv_download:
        page.locator('#downloads a[data-format="csv"]').click()
    text = Path(csv_download.value.path()).read_text(encoding="utf-8")
    assert csv_download.value.suggested_filename == "pressroom-export.csv"
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:], newline="")))
    assert rows[0][:4] == ["id", "number", "date", "languages"]
    assert rows[1][0] == twin["hits"][0]["id"]  # the first row is the first hit
    assert len(rows) - 1 == twin["total"]
    with page.expect_download() as ris_download:
        page.locator('#downloads a[data-format="ris"]').click()
    entries = rispy.loads(Path(ris_download.value.path()).read_text(encoding="utf-8"))
    assert entries[0]["type_of_reference"] == "PRESS"
    assert entries[0]["id"] == twin["hits"][0]["id"]
    assert len(entries) == twin["total"]


# ------------------------------------------------------------ issue 14: a journalist's browser

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def _context(browser, live_server, width: int, ui: str = "en", **options):
    context = browser.new_context(base_url=live_server, viewport={"width": width, "height": 900},
                                  locale="ru-RU" if ui == "ru" else "en-US", **options)
    tab = context.new_page()
    tab.goto(f"/ui-language?ui={ui}&next=/stats")
    return context, tab


def _axe(tab) -> list[dict]:
    """axe-core's serious and critical violations under the WCAG 2.2 AA tags."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: `make test` installs it (npm install, package.json)")
    tab.evaluate(AXE.read_text(encoding="utf-8"))
    result = tab.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG22_AA)
    return [{"id": v["id"], "impact": v["impact"],
             "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


def _release_id(client) -> str:
    return client.get("/api/search?q=министры").get_json()["hits"][0]["id"]


@pytest.mark.parametrize("ui", ["en", "ru"])
@pytest.mark.parametrize("width", [1280, 360])
def test_axe_wcag22_aa_and_screenshots(browser, live_server, client, ui, width):
    pages = {"home": "/", "search": "/search?q=министры&year=2017&year=2018",
             "release": f"/releases/{_release_id(client)}?q=министры",
             "stats": "/stats", "error": "/releases/no-such-release"}
    # bypass_csp: axe is injected by the test, not served by the site.
    context, tab = _context(browser, live_server, width, ui, bypass_csp=True)
    found = {}
    for name, url in pages.items():
        tab.goto(url)
        tab.screenshot(path=str(ARTIFACTS / f"{name}-{ui}-{width}.png"), full_page=True)
        assert tab.evaluate("document.documentElement.scrollWidth") <= width, name
        violations = _axe(tab)
        if violations:
            found[name] = violations
    context.close()
    assert not found, found


def test_several_years_are_selected_together(page, client):  # item 4
    page.goto("/search?q=министры")
    years = page.locator('ul[data-facet="year"] a.facet__link')
    first, second = years.nth(0).get_attribute("data-value"), years.nth(1).get_attribute(
        "data-value")
    years.nth(0).click()
    page.wait_for_load_state()
    page.locator(f'ul[data-facet="year"] a[data-value="{second}"]').click()
    page.wait_for_load_state()
    assert sorted(parse_qs(urlsplit(page.url).query)["year"]) == sorted([first, second])
    twin = api(client, page.url)
    alone = [api(client, f"/search?q=министры&year={y}")["total"] for y in (first, second)]
    assert twin["total"] == sum(alone)
    assert page.locator('ul[data-facet="year"] a.is-selected').count() == 2


def test_phrase_marks_only_where_the_phrase_stands(browser, tmp_path):  # item 8
    import datetime as dt

    import search_corpus as sc

    from indexer.release import Release, Version
    from webui import create_app

    text = "Strategic Cooperation was discussed. Then the strategic partnership was renewed."
    release = Release(versions={"en": Version("en", "Strategic Cooperation", text)},
                      date=dt.date(2019, 1, 1), number="1/19", url="https://example.org/1",
                      topics=[])
    app = create_app({"TESTING": True, "INDEX": str(sc.build_index([release], tmp_path)),
                      "ZERO_RESULTS_LOG": False})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        context = browser.new_context(base_url=f"http://127.0.0.1:{server.server_port}")
        tab = context.new_page()
        tab.goto('/search?q="strategic+partnership"')
        tab.locator("ol.hits .hit__title a").first.click()
        tab.wait_for_load_state()
        marks = tab.locator("section.version mark").all_inner_texts()
        assert [m.lower() for m in marks] == ["strategic", "partnership"]
        context.close()
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()


def test_russian_interface_leads_with_russian(browser, live_server):  # item 9
    context, tab = _context(browser, live_server, 360, "ru")
    tab.goto("/")
    assert tab.locator("ol.hits article.hit").first.get_attribute("lang") == "ru"
    tab.goto("/search?q=министры")
    tab.locator("ol.hits .hit__title a").first.click()
    tab.wait_for_load_state()
    russian = tab.locator('section.version[lang="ru"]').bounding_box()
    english = tab.locator('section.version[lang="en"]').bounding_box()
    assert russian["y"] < english["y"] and russian["y"] < 900
    context.close()


def test_back_to_the_results_keeps_the_search(page):  # item 10
    page.goto("/search?q=министры&sort=oldest&per_page=5&page=2&lang=ru")
    before = parse_qs(urlsplit(page.url).query)
    page.locator("ol.hits .hit__title a").first.click()
    page.wait_for_load_state()
    page.locator(".release__back a").click()
    page.wait_for_load_state()
    assert urlsplit(page.url).path == "/search"
    assert parse_qs(urlsplit(page.url).query) == before


@pytest.mark.parametrize("ui", ["en", "ru"])
def test_phone_layout_filters_control_and_skip_link(browser, live_server, ui):  # item 11
    context, tab = _context(browser, live_server, 360, ui)
    tab.goto("/search?q=министры")
    jump = tab.locator("a.filters-jump")
    assert jump.is_visible() and jump.bounding_box()["y"] < 900
    jump.click()
    assert tab.locator("#filters").bounding_box()["y"] < 900  # scrolled to the filters
    tab.goto("/search?q=министры")
    tab.keyboard.press("Tab")
    skip = tab.locator(".skip-link").first
    assert tab.evaluate("document.activeElement.className") == "skip-link"
    brand = tab.locator(".brand").bounding_box()
    box = skip.bounding_box()
    assert box["y"] + box["height"] <= brand["y"] or box["y"] >= brand["y"] + brand["height"]
    context.close()


def test_keyboard_slash_autofocus_and_skip_to_filters(page):  # item 13
    page.goto("/")
    assert page.evaluate("document.activeElement.id") == "q"  # autofocus on the empty home
    page.goto("/search?q=министры")
    assert page.evaluate("document.activeElement.id") != "q"
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "q"
    assert page.input_value("#q") == "министры"  # "/" was not typed into the box
    skip = page.get_by_role("link", name="Skip to filters")
    assert skip.get_attribute("href") == "#filters"
    skip.focus()
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#filters"


# ------------------------------------------------------------ issue 13: who and where

@pytest.fixture(scope="session")
def entity_tab(browser, live_server):
    """One tab for the entity tests (bypass_csp: axe is injected by the test)."""
    context = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900},
                                  locale="en-US", bypass_csp=True)
    yield from watched_tab(context)


def _twin_counts(entity_app, url: str) -> dict[str, dict[str, int]]:
    body = entity_app.test_client().get(f"/api/search?{urlsplit(url).query}").get_json()
    return {name: {v["value"]: v["count"] for v in values if v["toggle_url"]}
            for name, values in body["facets"].items()}


def test_country_and_person_facets_change_the_other_counts(entity_tab, entity_app):
    tab = entity_tab
    tab.goto("/search")
    everything = {f: facet_counts(tab, f) for f in ("country", "org", "person", "topic")}
    tab.locator('ul[data-facet="country"] a.facet__link[data-value="AZ"]').click()
    tab.wait_for_load_state()
    assert parse_qs(urlsplit(tab.url).query)["country"] == ["AZ"]
    with_country = {f: facet_counts(tab, f) for f in ("country", "org", "person", "topic")}
    twin = _twin_counts(entity_app, tab.url)
    assert with_country == {f: twin[f] for f in with_country}
    # The country facet is disjunctive (its counts stay); the others narrow.
    assert with_country["country"] == everything["country"]
    assert with_country["person"] != everything["person"]
    tab.locator('ul[data-facet="person"] a.facet__link[data-value="elmar-mammadyarov"]').click()
    tab.wait_for_load_state()
    query = parse_qs(urlsplit(tab.url).query)
    assert query["country"] == ["AZ"] and query["person"] == ["elmar-mammadyarov"]
    both = {f: facet_counts(tab, f) for f in ("country", "org", "person", "topic")}
    twin = _twin_counts(entity_app, tab.url)
    assert both == {f: twin[f] for f in both}
    assert both["country"] != with_country["country"]  # now counted under the person
    assert both["country"]["AZ"] == tab.locator("ol.hits > li").count()
    chips = tab.locator(".chips a.chip")
    assert chips.count() == 2 and "Elmar Mammadyarov" in chips.nth(1).inner_text()


def test_person_page_names_chart_and_a_co_mentioned_country(entity_tab):
    tab = entity_tab
    tab.goto("/search?country=AZ")
    tab.locator('ul[data-facet="person"] a.facet__page[data-entity="elmar-mammadyarov"]').click()
    tab.wait_for_load_state()
    assert urlsplit(tab.url).path == "/people/elmar-mammadyarov"
    assert tab.locator("h1#entity-name").inner_text() == "Elmar Mammadyarov"
    assert tab.locator("#entity-other-name").inner_text() == "Эльмар Мамедъяров"
    bars = tab.locator("#entity-chart .histogram__bar")
    assert bars.count() >= 1 and bars.first.is_visible()
    total = int(tab.locator("#entity-total").inner_text())
    assert tab.locator("ol.hits > li").count() == min(total, 10)
    tab.locator('ul[data-co-mentioned="country"] a[data-value="AZ"]').click()
    tab.wait_for_load_state()
    assert urlsplit(tab.url).path == "/countries/AZ"
    assert tab.locator("h1#entity-name").inner_text() == "Azerbaijan"
    assert tab.locator("#entity-other-name").inner_text() == "Азербайджан"


def test_axe_on_entity_pages(entity_tab):
    tab = entity_tab
    found = {}
    # One page per template (organisations share the entity template).
    for url in ("/people/sergey-lavrov", "/countries/AZ",
                "/search?country=AZ&person=elmar-mammadyarov"):
        tab.goto(url)
        violations = _axe(tab)
        if violations:
            found[url] = violations
    tab.goto("/ui-language?ui=ru&next=/countries/AZ")
    assert tab.locator("h1#entity-name").inner_text() == "Азербайджан"
    if violations := _axe(tab):
        found["/countries/AZ (ru)"] = violations
    tab.goto("/ui-language?ui=en&next=/")
    assert not found, found
