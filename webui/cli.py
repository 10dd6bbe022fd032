"""The `pressroom` command: the indexer's, the search layer's and the server's commands."""

from __future__ import annotations

from indexer.cli import cli
from search.cli import search_command
from webui.serve import serve_command

cli.add_command(search_command)
cli.add_command(serve_command)


def main() -> None:
    cli()
