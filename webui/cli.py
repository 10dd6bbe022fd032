"""The `pressroom` command: the indexer's, the search layer's and the server's commands."""

from __future__ import annotations

from indexer.cli import cli
from indexer.upkeep import COMMANDS as UPKEEP_COMMANDS
from search.cli import export_command, report_group, search_command
from webui.serve import serve_command

cli.add_command(search_command)
cli.add_command(export_command)
cli.add_command(report_group)
cli.add_command(serve_command)
for command in UPKEEP_COMMANDS:  # watch, fetch, delete, history (issue 16)
    cli.add_command(command)


def main() -> None:
    cli()
