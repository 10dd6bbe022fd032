"""`pressroom search`: the search page on the terminal, or its JSON."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import sys

import click

from indexer.location import IndexNotFound, index_root
from search.archive import Archive
from search.export import FORMATS, export_chunks
from search.page import SearchPage
from search.request import SORTS, QueryError, SearchRequest
from search.settings import setting
from search.zeroresults import ZeroResultsLog

_MARK = re.compile(r"<mark>(.*?)</mark>", re.DOTALL)
_TAG = re.compile(r"<[^>]+>")


def plain(fragment: str, color: bool) -> str:
    """HTML from the page → terminal text: marks bold (or [bracketed]), entities decoded."""
    marked = _MARK.sub(lambda m: f"\x00{m.group(1)}\x01", fragment)
    text = html.unescape(_TAG.sub("", marked))
    if color:
        return text.replace("\x00", "\x1b[1m").replace("\x01", "\x1b[0m")
    return text.replace("\x00", "[").replace("\x01", "]")


def render_page(page: SearchPage, color: bool) -> str:
    lines = []
    total = page.total
    lines.append(f"{total} release{'s' if total != 1 else ''}"
                 + (f", page {page.page} of {page.pages}" if page.pages > 1 else "")
                 + (" (partial: time limit reached)" if page.partial else ""))
    if page.suggestion:
        s = page.suggestion
        verb = "Showing results for" if s.applied else "Did you mean"
        lines.append(f"{verb}: {s.q}  ({s.kind}, {s.total} releases)")
    u = page.understood
    if u.parsed or u.notes:
        lines.append(f"Understood: {u.parsed or '(all releases)'}"
                     + (" [any word]" if u.mode == "any" else ""))
        lines += [f"  note: {n}" for n in u.notes]
    for hit in page.hits:
        lines.append("")
        head = " · ".join(x for x in (hit["number"], hit["date"], hit["lang"]) if x)
        lines.append(f"{head}  {plain(hit['title'], color)}")
        if hit["snippet"]:
            lines.append(f"    {plain(hit['snippet'], color)}")
        if hit["other_languages"]:
            lines.append(f"    also in: {', '.join(hit['other_languages'])}   id: {hit['id']}")
    for name, values in page.facets.items():
        if values:
            shown = ", ".join(
                f"{'*' if v['selected'] else ''}{v['value']} ({v['count']})" for v in values)
            lines.append(f"{name}: {shown}")
    if page.facets_timed_out:
        lines.append(f"facets cut short by the time limit: {', '.join(page.facets_timed_out)}")
    return "\n".join(lines)


def entity_options(command):
    """The entity filters of issue 13: --country, --org, --person (each repeatable)."""
    for option in reversed([
        click.option("--country", "countries", multiple=True,
                      help="Only releases naming this country, an ISO code such as AZ "
                           "(repeatable: any of them)."),
        click.option("--org", "orgs", multiple=True,
                     help="Only releases naming this organisation, e.g. osce (repeatable)."),
        click.option("--person", "people", multiple=True,
                     help="Only releases naming this person, e.g. sergey-lavrov (repeatable)."),
    ]):
        command = option(command)
    return command


def entity_params(countries, orgs, people) -> dict[str, list[str]]:
    return {"country": list(countries), "org": list(orgs), "person": list(people)}


@click.command("search")
@click.option("--index", "index_dir", default=None, help="Index folder (default $PRESSROOM_INDEX).")
@click.option("--lang", "langs", multiple=True, help="Only this language version (repeatable).")
@click.option("--topic", "topics", multiple=True, help="Only this topic (repeatable: any of them).")
@entity_options
@click.option("--year", default=None, help="Only this year.")
@click.option("--month", default=None, help="Only this month, YYYY-MM.")
@click.option("--from", "date_from", default=None, help="On or after YYYY-MM-DD, YYYY-MM or YYYY.")
@click.option("--to", "date_to", default=None, help="On or before YYYY-MM-DD, YYYY-MM or YYYY.")
@click.option("--sort", type=click.Choice(SORTS), default="relevance", show_default=True)
@click.option("--page", default="1", help="Page number, from 1.")
@click.option("--per-page", default="10", help="Hits per page (at most MAX_PAGE_SIZE).")
@click.option("--json", "as_json", is_flag=True, help="Print the page as the web API's JSON.")
@click.argument("query", nargs=-1)
def search_command(index_dir, langs, topics, countries, orgs, people, year, month, date_from,
                   date_to, sort, page, per_page, as_json, query) -> None:
    """Search the archive for QUERY (words, "phrases", OR, -word, prefix*, fuzzy~).

    An empty QUERY lists every release, newest first.  Exit status: 0 on
    success, 2 when the request is invalid or there is no index yet.
    """
    params = {"q": " ".join(query), "lang": list(langs), "topic": list(topics), "sort": sort,
              "page": page, "per_page": per_page, **entity_params(countries, orgs, people)}
    for name, value in (("year", year), ("month", month), ("from", date_from), ("to", date_to)):
        if value:
            params[name] = value
    try:
        request = SearchRequest.from_params(params)
        with Archive(index_root(index_dir)) as archive:
            result = archive.search(request)
    except (QueryError, IndexNotFound) as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(2)
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(render_page(result, color=sys.stdout.isatty()))


def filter_options(command):
    """The search filters, as ``pressroom search`` takes them (paging aside)."""
    options = [
        click.option("--index", "index_dir", default=None,
                     help="Index folder (default $PRESSROOM_INDEX)."),
        click.option("--lang", "langs", multiple=True,
                     help="Only this language version (repeatable)."),
        click.option("--topic", "topics", multiple=True,
                     help="Only this topic (repeatable: any of them)."),
        click.option("--year", default=None, help="Only this year."),
        click.option("--month", default=None, help="Only this month, YYYY-MM."),
        click.option("--from", "date_from", default=None, help="Released on or after YYYY-MM-DD."),
        click.option("--to", "date_to", default=None, help="Released on or before YYYY-MM-DD."),
        click.option("--sort", type=click.Choice(SORTS), default="relevance", show_default=True),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def filter_params(query, langs, topics, year, month, date_from, date_to, sort) -> dict:
    params = {"q": " ".join(query), "lang": list(langs), "topic": list(topics), "sort": sort}
    for name, value in (("year", year), ("month", month), ("from", date_from), ("to", date_to)):
        if value:
            params[name] = value
    return params


@click.command("export")
@filter_options
@entity_options
@click.option("--format", "fmt", type=click.Choice(list(FORMATS)), default="csv",
              show_default=True, help="File format of the export.")
@click.option("--text", is_flag=True, help="Add the plain text of both versions (csv, jsonl).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write to this file instead of standard output.")
@click.option("--base-url", default=None,
              help="Site address for permalinks (default $PRESSROOM_PUBLIC_URL).")
@click.argument("query", nargs=-1)
def export_command(index_dir, langs, topics, year, month, date_from, date_to, sort, fmt, text,
                   output, base_url, query, countries=(), orgs=(), people=()) -> None:
    """Export every release matching QUERY (no 1,000-hit limit), in the search's order.

    Exit status: 0 on success, 2 when the request is invalid or there is no index yet.
    """
    params = filter_params(query, langs, topics, year, month, date_from, date_to, sort)
    params.update(entity_params(countries, orgs, people))
    try:
        request = SearchRequest.from_params(params)
        archive = Archive(index_root(index_dir))
        chunks = export_chunks(archive, request, fmt, base_url or setting("PUBLIC_URL"), text)
    except (QueryError, IndexNotFound) as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(2)
    with archive, click.open_file(output or "-", "wb") as out:
        for chunk in chunks:
            out.write(chunk.encode("utf-8"))
    if chunks.partial:
        click.echo("warning: the search hit its time limit; the export may be incomplete "
                   "(raise PRESSROOM_QUERY_TIME_LIMIT)", err=True)
    click.echo(f"{chunks.total} release{'s' if chunks.total != 1 else ''} exported", err=True)


@click.group("report")
def report_group() -> None:
    """Reports for the archive's editors."""


@report_group.command("zero-results")
@click.option("--index", "index_dir", default=None, help="Index folder (default $PRESSROOM_INDEX).")
@click.option("--since", default=None, help="Only searches seen on or after YYYY-MM-DD.")
@click.option("--limit", default=100, show_default=True, type=click.IntRange(1, None),
              help="Searches listed at most.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def zero_results_command(index_dir, since, limit, as_json) -> None:
    """Searches that found nothing, or only through a fallback or correction; most frequent
    first, with their count and the hour (UTC) each was last seen.

    Exit status: 0 (an empty report when nothing was recorded), 2 for a bad --since.
    """
    try:
        day = dt.date.fromisoformat(since) if since else None
    except ValueError:
        click.echo(f"Error: --since must be a date written YYYY-MM-DD, not {since!r}", err=True)
        sys.exit(2)
    log = ZeroResultsLog(index_root(index_dir),
                         retention_days=setting("ZERO_RESULTS_RETENTION_DAYS"))
    rows = log.report(since=day, limit=limit)
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo("no failed searches recorded")
        return
    click.echo(f"{'count':>6}  {'last seen':17}  {'outcome':16}  query [filters]")
    for row in rows:
        filters = f"  [{row['filters']}]" if row["filters"] else ""
        click.echo(f"{row['count']:>6}  {row['last_seen']:17}  {row['outcome']:16}  "
                   f"{row['query'] or '(no words)'}{filters}")
