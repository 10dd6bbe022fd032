"""The indexer's commands: `pressroom index/sync/rebuild/stats/retag`.

``webui.cli`` owns the `pressroom` group and adds these ``COMMANDS`` to it with
the search, upkeep and serve commands.  ``cli`` here is a group of the indexer's
commands alone that loads neither the search side nor Flask: `python -m
indexer.cli`, the entry of the indexing child processes in tests and bench.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tomllib
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path

import click

from indexer.gazetteer import GazetteerError
from indexer.location import IndexNotFound, index_root
from indexer.store import DiskFull, IndexBusy, Progress, ReadOnlyIndex, Store, Summary
from indexer.topics import Taxonomy, TaxonomyError

#: Another process holds the index's write lock (sysexits.h EX_TEMPFAIL).
EXIT_BUSY = 75
#: No space left where the index is written; nothing was committed (sysexits.h EX_IOERR).
EXIT_DISK_FULL = 74
#: The index folder cannot be written by this process (sysexits.h EX_NOPERM).
EXIT_READ_ONLY = 77
#: The store's errors that end a run with a message and an exit code of their own.
STORE_EXITS: dict[type[Exception], int] = {
    IndexBusy: EXIT_BUSY, DiskFull: EXIT_DISK_FULL, ReadOnlyIndex: EXIT_READ_ONLY,
}
#: The environment variable of the GAZETTEER setting (``retag --gazetteer`` sets it).
GAZETTEER_ENV = "PRESSROOM_GAZETTEER"
#: Plain log lines report progress every this many items when stderr is no terminal.
LOG_EVERY = 500

EPILOG = """\b
Exit codes:
  0   every input went in
  1   some inputs failed (each is listed; the rest were committed)
  2   usage error: bad option, a PATH that does not exist, no index
      (stats, retag) or an unreadable taxonomy or gazetteer file
  74  disk full: nothing was committed and the partial files were removed;
      free space and run again
  75  the index is busy: another pressroom process is writing to it
  77  the index folder is read-only for this process: nothing was written
      (searching it still works)

The index folder is --index, else $PRESSROOM_INDEX, else ./index.
"""

INDEX_OPTION = click.option(
    "--index", "index_dir", metavar="DIR", default=None,
    help="Index folder (default: $PRESSROOM_INDEX, else ./index).",
)


def package_version() -> str:
    try:
        return metadata.version("pressroom")
    except metadata.PackageNotFoundError:
        # Running from a checkout that is not installed: ask pyproject.toml.
        pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
        try:
            return tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["version"]
        except (OSError, KeyError, tomllib.TOMLDecodeError):
            return "unknown"


class BarProgress(Progress):
    """A click progress bar on a terminal."""

    def __init__(self) -> None:
        self._bar = None

    def start(self, label: str, total: int) -> None:
        self._bar = click.progressbar(length=total, label=label, file=sys.stderr)
        self._bar.__enter__()

    def advance(self, n: int = 1) -> None:
        if self._bar is not None:
            self._bar.update(n)

    def finish(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None


class LogProgress(Progress):
    """Plain lines for logs and pipes: one every ``every`` items and one at the end."""

    def __init__(self, every: int = LOG_EVERY) -> None:
        self.every = every
        self.label, self.total, self.done = "", 0, 0

    def start(self, label: str, total: int) -> None:
        self.label, self.total, self.done = label, total, 0

    def advance(self, n: int = 1) -> None:
        before = self.done
        self.done += n
        if self.done // self.every > before // self.every and self.done < self.total:
            click.echo(f"{self.label}: {self.done}/{self.total}", err=True)

    def finish(self) -> None:
        if self.total:
            click.echo(f"{self.label}: {self.done}/{self.total} done", err=True)


def make_store(index_dir: str | None, taxonomy: Taxonomy | None = None) -> Store:
    progress = BarProgress() if sys.stderr.isatty() else LogProgress()
    store = Store(index_root(index_dir), taxonomy=taxonomy, progress=progress)
    # The ingest log says which command wrote, from where (indexer/ledger.py).
    ctx = click.get_current_context(silent=True)
    if ctx is not None:
        store.actor = ctx.info_name or store.actor
        inputs = ctx.params.get("paths") or [ctx.params.get("folder")]
        store.origin = ", ".join(str(Path(p).resolve()) for p in inputs if p)
    return store


def finish(summary: Summary) -> None:
    """Print the summary and leave with its exit code."""
    click.echo(summary.report())
    seconds = summary.seconds
    if summary.written and seconds > 0:
        noun = "release" if summary.written == 1 else "releases"
        click.echo(f"{summary.written} {noun} written in {seconds:.1f} s "
                   f"({summary.written / seconds:.0f}/s)", err=True)
    sys.exit(summary.exit_code)


def run(operation, *args) -> None:
    """Run a store operation, turning a busy, full, read-only or missing index into
    exit codes."""
    try:
        summary = operation(*args)
    except tuple(STORE_EXITS) as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(STORE_EXITS[type(exc)])
    except IndexNotFound as exc:
        raise click.UsageError(str(exc)) from None
    except (TaxonomyError, GazetteerError) as exc:
        raise click.UsageError(str(exc)) from None
    finish(summary)


#: How the `pressroom` group (``webui.cli``) and this module's ``cli`` are set up.
GROUP = {"name": "pressroom", "epilog": EPILOG,
         "context_settings": {"help_option_names": ["-h", "--help"]}}


PATHS = click.argument(
    "paths", nargs=-1, required=True,
    type=click.Path(exists=True, path_type=Path),
)


@click.command(epilog=EPILOG)
@INDEX_OPTION
@PATHS
def index(index_dir: str | None, paths: tuple[Path, ...]) -> None:
    """Add new and changed releases from files and folders (PATH...).

    Text, HTML and JSON files are read; folders recursively.  Unchanged
    releases are skipped, so running it twice changes nothing.
    """
    run(make_store(index_dir).index_paths, paths)


@click.command(epilog=EPILOG)
@INDEX_OPTION
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
def sync(index_dir: str | None, folder: Path) -> None:
    """Mirror FOLDER: add new files, update changed ones, drop deleted ones."""
    run(make_store(index_dir).sync, folder)


@click.command(epilog=EPILOG)
@INDEX_OPTION
@PATHS
def rebuild(index_dir: str | None, paths: tuple[Path, ...]) -> None:
    """Build a fresh index from PATH... and switch to it atomically.

    Searches keep running on the previous index until the switch.
    """
    run(make_store(index_dir).rebuild, paths)


@click.command(epilog=EPILOG)
@INDEX_OPTION
@click.option("--topics", "topics_file", metavar="FILE", default=None,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Taxonomy TOML file (default: $PRESSROOM_TOPICS, else the bundled one).")
@click.option("--gazetteer", "gazetteer_dir", metavar="DIR", default=None,
              type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Folder of gazetteer files: countries.toml, organisations.toml, people.toml "
                   "(default: $PRESSROOM_GAZETTEER, else the bundled ones).")
def retag(index_dir: str | None, topics_file: Path | None, gazetteer_dir: Path | None) -> None:
    """Re-tag every indexed release with the topic taxonomy and the gazetteer of
    countries, organisations and people; sources are not read."""
    from indexer.gazetteer import load_gazetteer

    with gazetteer_setting(gazetteer_dir):
        try:
            taxonomy = Taxonomy.load(topics_file)
            load_gazetteer()
        except (TaxonomyError, GazetteerError) as exc:
            raise click.UsageError(str(exc)) from None
        run(make_store(index_dir, taxonomy).retag)


@contextlib.contextmanager
def gazetteer_setting(folder: Path | None) -> Iterator[None]:
    """The GAZETTEER setting pointing at ``folder`` (when given) for the run: the
    tagger reads it, in worker processes too."""
    if folder is None:
        yield
        return
    before = os.environ.get(GAZETTEER_ENV)
    os.environ[GAZETTEER_ENV] = str(folder.resolve())
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(GAZETTEER_ENV, None)
        else:
            os.environ[GAZETTEER_ENV] = before


@click.command(epilog=EPILOG)
@INDEX_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print the statistics as JSON.")
def stats(index_dir: str | None, as_json: bool) -> None:
    """Show what the index holds: releases by language, year and topic; size."""
    try:
        store = Store(index_root(index_dir))
        data = store.stats()
    except IndexNotFound as exc:
        raise click.UsageError(str(exc)) from None
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    click.echo(f"releases:    {data['releases']}")
    for key in ("languages", "years", "topics"):
        values = ", ".join(f"{item['value']} {item['count']}" for item in data[key]) or "-"
        click.echo(f"{key + ':':<12} {values}")
    click.echo(f"last update: {data['last_update']}")
    click.echo(f"index size:  {data['index_bytes'] / 1e6:.1f} MB "
               f"(generation {data['generation']}, {store.live_dir()})")


#: The indexer's commands, in the `pressroom` group (``webui.cli``) and in ``cli``.
COMMANDS = (index, sync, rebuild, retag, stats)


@click.group(**GROUP)
@click.version_option(package_version(), prog_name="pressroom")
def cli() -> None:
    """Pressroom's indexing commands (the whole `pressroom` command is webui.cli)."""


for _command in COMMANDS:
    cli.add_command(_command)


if __name__ == "__main__":
    cli()
