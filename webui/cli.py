"""The `pressroom` command: the group, with the indexer's, the search layer's, the
upkeep and the server's commands.

``indexer.cli`` keeps a group of the indexing commands alone (`python -m indexer.cli`)
for child processes that must not load the web side.
"""

from __future__ import annotations

import click

from indexer.cli import COMMANDS as INDEXER_COMMANDS
from indexer.cli import GROUP, package_version
from indexer.upkeep import COMMANDS as UPKEEP_COMMANDS
from search.cli import export_command, report_group, search_command
from webui.serve import serve_command


@click.group(**GROUP)
@click.version_option(package_version(), prog_name="pressroom")
def cli() -> None:
    """Pressroom: full-text search for archives of bilingual press releases."""


# index, sync, rebuild, retag, stats; search, export, report; serve;
# watch, fetch, delete, history (issue 16)
for command in (*INDEXER_COMMANDS, search_command, export_command, report_group,
                serve_command, *UPKEEP_COMMANDS):
    cli.add_command(command)


def main() -> None:
    cli()
