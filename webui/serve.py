"""``pressroom serve``: the web application under gunicorn.

Flask's own server (``flask --app webui run``) is for development only.
Gunicorn manages the worker processes; each serves requests with the
buffering worker of ``webui.worker`` (slow clients hold no thread).
"""

from __future__ import annotations

from typing import Any

import click
from gunicorn.app.base import BaseApplication

from indexer.settings import SETTINGS
from webui.settings import setting


class PressroomServer(BaseApplication):
    """Gunicorn driven from Python, so the CLI's options are its only configuration."""

    def __init__(self, options: dict[str, Any], app_config: dict[str, Any]) -> None:
        self.options = options
        self.app_config = app_config
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in self.cfg.settings and value is not None:
                self.cfg.set(key, value)

    def load(self):  # -> Flask
        from webui import create_app

        # Each worker builds its own app and opens its own long-lived Archive.
        return create_app(self.app_config)


def gunicorn_options(host: str, port: int, workers: int, threads: int) -> dict[str, Any]:
    return {
        "bind": f"{host}:{port}",
        "workers": workers,
        # Whole requests are read by an event loop before a thread answers them:
        # slow clients cannot hold the threads (webui/worker.py).  Threads share
        # one worker's Archive and its open searcher.
        "worker_class": "webui.worker.BufferingWorker",
        "threads": threads,
        "accesslog": "-",
        "timeout": 60,
        # Gunicorn's control socket is one path per user ($XDG_RUNTIME_DIR or
        # ~/.gunicorn/gunicorn.ctl): a second server would take over the first's.
        # Nothing of Pressroom uses it.
        "control_socket_disable": True,
    }


def ingest_line(token_set: bool) -> str:
    """Whether POST /api/releases accepts releases: the first question of a new operator."""
    if token_set:
        return "Ingest is on: POST /api/releases with the PRESSROOM_ADMIN_TOKEN bearer token."
    return "Ingest is off: set PRESSROOM_ADMIN_TOKEN to accept releases at POST /api/releases."


@click.command("serve")
@click.option("--index", "index", default=None, help=SETTINGS["INDEX"].help)
@click.option("--host", default=None, help=SETTINGS["HOST"].help)
@click.option("--port", default=None, type=int, help=SETTINGS["PORT"].help)
@click.option("--workers", default=None, type=int, help=SETTINGS["WORKERS"].help)
@click.option("--threads", default=None, type=int, help=SETTINGS["THREADS"].help)
def serve_command(
    index: str | None, host: str | None, port: int | None, workers: int | None, threads: int | None
) -> None:
    """Serve the search pages and the JSON API with gunicorn."""
    app_config: dict[str, Any] = {}
    if index:
        app_config["INDEX"] = index
    options = gunicorn_options(
        host or setting("HOST"),
        port if port is not None else setting("PORT"),
        workers or setting("WORKERS"),
        threads or setting("THREADS"),
    )
    click.echo(f"Pressroom on http://{options['bind']}/ (index: {index or setting('INDEX')})")
    click.echo(ingest_line(bool(setting("ADMIN_TOKEN"))))
    PressroomServer(options, app_config).run()
