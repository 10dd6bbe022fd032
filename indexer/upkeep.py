"""The commands that keep the index current: `watch`, `fetch`, `delete`, `history`.

Registered on the `pressroom` group by ``webui.cli``.  Exit codes are those of
`index` (indexer/cli.py): 0 ok, 1 some inputs (pages, ids) failed, 2 usage,
74 disk full, 75 busy, 77 read-only.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import click

from indexer.cli import EPILOG, INDEX_OPTION, STORE_EXITS, make_store, package_version, run
from indexer.fetching.client import PoliteClient
from indexer.fetching.fetcher import Fetcher
from indexer.fetching.sources import SourceError, find_source, load_sources
from indexer.ledger import Ledger
from indexer.location import index_root
from indexer.settings import setting
from indexer.store import Summary
from indexer.watch import FolderWatch, stop_on_signals
from indexer.watch import run as run_watch


def echo(text: str) -> None:
    click.echo(text)
    sys.stdout.flush()  # a log reader (journald, a test) sees each commit at once


@click.command(epilog=EPILOG)
@INDEX_OPTION
@click.option("--polling", is_flag=True, default=None,
              help="Poll the folder instead of using file events ($PRESSROOM_WATCH_POLLING).")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
def watch(index_dir: str | None, polling: bool | None, folder: Path) -> None:
    """Keep the index mirroring FOLDER as files appear, change and disappear.

    Starts with a full sync; then each burst of changes is one commit once the
    files are complete (unchanged across two looks), logged with the summary
    line of `sync`.  SIGTERM or SIGINT stops it after the commit in progress.
    """
    store = make_store(index_dir)
    store.actor, store.origin = "watch", str(folder.resolve())
    core = FolderWatch(store, folder, quiet=setting("WATCH_QUIET"),
                       max_delay=setting("WATCH_MAX_DELAY"), report=echo)
    try:
        with stop_on_signals() as stop:
            run_watch(core, stop, polling=setting("WATCH_POLLING") if polling is None
                      else polling)
    except tuple(STORE_EXITS) as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(STORE_EXITS[type(exc)])


def user_agent() -> str:
    contact = setting("FETCH_CONTACT")
    return f"Pressroom/{package_version()}" + (f" (+{contact})" if contact else "")


def make_client() -> PoliteClient:
    return PoliteClient(user_agent(), interval=setting("FETCH_INTERVAL"),
                        timeout=setting("FETCH_TIMEOUT"), retries=setting("FETCH_RETRIES"),
                        max_wait=setting("FETCH_MAX_WAIT"), max_bytes=setting("FETCH_MAX_BYTES"))


@click.command(epilog=EPILOG)
@INDEX_OPTION
@click.option("--sources", "sources_file", metavar="FILE", default=None,
              help="Sources file (default: $PRESSROOM_SOURCES, else ./sources.toml).")
@click.option("--all", "fetch_all", is_flag=True, help="Fetch every source of the sources file.")
@click.argument("names", nargs=-1, metavar="[SOURCE]...")
def fetch(index_dir: str | None, sources_file: str | None, fetch_all: bool,
          names: tuple[str, ...]) -> None:
    """Index the releases of web SOURCEs that are new or changed since the last run.

    A SOURCE is a name in the sources file or a .toml file of one source (a
    feed, a sitemap or a listing page; docs/fetch.md).  Pages that fail are
    listed with their URL and reason; the rest are indexed.
    """
    config = sources_file or setting("SOURCES")
    if fetch_all == bool(names):
        raise click.UsageError("name one or more SOURCEs, or --all")
    try:
        sources = load_sources(config) if fetch_all else [find_source(n, config) for n in names]
    except SourceError as exc:
        raise click.UsageError(str(exc)) from None
    store = make_store(index_dir)
    fetcher = Fetcher(store, make_client())
    total = Summary()
    for source in sources:
        click.echo(f"{source.name} ({source.kind} {source.url}):")
        try:
            summary = fetcher.run(source)
        except tuple(STORE_EXITS) as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(STORE_EXITS[type(exc)])
        click.echo(summary.report())
        total.failed += summary.failed
    sys.exit(total.exit_code)


@click.command(epilog=EPILOG)
@INDEX_OPTION
@click.argument("ids", nargs=-1, required=True, metavar="ID...")
def delete(index_dir: str | None, ids: tuple[str, ...]) -> None:
    """Delete releases by id, in one commit.

    An id the index does not hold is reported as "not found" and is not an
    error (exit 0): deleting twice is harmless.
    """
    store = make_store(index_dir)
    store.actor, store.origin = "delete", "command line"
    run(store.delete, ids)


def since_value(ctx, param, value: str | None) -> str | None:
    if value is None:
        return None
    try:
        when = dt.datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("give a date (2026-12-01) or a time (2026-12-01T09:30)") from None
    # The log's own format (ledger.now_text), so that text order is time order.
    when = when.astimezone(dt.UTC) if when.tzinfo is not None else when.replace(tzinfo=dt.UTC)
    return when.isoformat(timespec="milliseconds")


@click.command(epilog=EPILOG)
@INDEX_OPTION
@click.option("--since", callback=since_value, metavar="DATE",
              help="Only writes from DATE on (ISO date or time, UTC).")
@click.option("--limit", type=click.IntRange(min=1), default=None,
              help="Only the newest N writes.")
@click.option("--json", "as_json", is_flag=True, help="Print the log as JSON (docs/ingest-log.md).")
def history(index_dir: str | None, since: str | None, limit: int | None, as_json: bool) -> None:
    """Show the ingest log: every write to the index, oldest first."""
    root = index_root(index_dir)
    if not root.is_dir():
        raise click.UsageError(f"no index at {root}")
    entries = Ledger(root).history(since=since, limit=limit)
    if as_json:
        click.echo(json.dumps({"entries": entries}, ensure_ascii=False, indent=2))
        return
    for e in entries:
        click.echo(f"{e['at']}  {e['actor']:<8} {e['operation']:<8} added {e['added']}, "
                   f"updated {e['updated']}, deleted {e['deleted']}, failed {e['failed']}"
                   + (f"  [{e['origin']}]" if e["origin"] else ""))


COMMANDS = [watch, fetch, delete, history]
