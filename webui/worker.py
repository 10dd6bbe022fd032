"""The gunicorn worker of ``pressroom serve``: whole requests first, then a thread.

Gunicorn's own threaded worker hands a connection to a thread as soon as its
first bytes arrive, and the thread then waits on the socket for the rest of the
request: a few clients that send half a request and stop hold every thread,
and every other search waits behind them.  Pressroom is served directly, with
no buffering proxy in front, so the worker itself must not let that happen.

This worker keeps gunicorn as the process manager (one process per worker,
restarts, graceful SIGTERM, logging) and serves its share of the listening
socket with waitress, whose event loop reads each request, headers and body
(bodies past half a MiB spill to a temporary file), before a thread of the
pool sees it.  A slow client costs an open socket, never a thread.

Requests the server refuses itself (malformed, or over a size limit) are
answered by the application too, through ``webui.errors.SERVER_ERROR_KEY``, so
they get the product's error shape and security headers like any other error.
"""

from __future__ import annotations

import io
import os
import time
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import unquote_to_bytes

from gunicorn.workers.base import Worker
from waitress import wasyncore
from waitress.channel import HTTPChannel
from waitress.parser import HTTPRequestParser
from waitress.server import BaseWSGIServer, create_server
from waitress.task import WSGITask

from webui.errors import SERVER_ERROR_KEY
from webui.settings import setting

#: Largest request line plus headers, bytes.  A long pasted query percent-encodes
#: each Cyrillic letter as six bytes: 64 KiB takes 10,000 letters with room to spare.
MAX_HEADER_BYTES = 64 * 1024
#: Seconds a connection may stay silent (mid-request or kept alive) before it is closed.
IDLE_SECONDS = 30
#: Open connections per worker; past that the worker stops accepting until some close.
CONNECTIONS_PER_WORKER = 500
#: The forwarded headers believed from a trusted reverse proxy (``TRUSTED_PROXY``).
FORWARDED_HEADERS = {"x-forwarded-for", "x-forwarded-proto", "x-forwarded-host",
                     "x-forwarded-port"}
#: Bytes of a request kept to name its path should the server refuse it.
FIRST_BYTES = 2048
#: Seconds a stopping worker goes on reading requests that were partly read.
STOP_LINGER_SECONDS = 2.0
#: Seconds one turn of the event loop may wait, so the worker reports to gunicorn
#: that it is alive and notices a stop request.
TURN_SECONDS = 1.0


class RememberingParser(HTTPRequestParser):
    """Waitress's request parser, keeping the first bytes a client sent: a refused
    request still says which path it was for (an API client gets JSON)."""

    first_bytes = b""

    def received(self, data: bytes) -> int:
        if len(self.first_bytes) < FIRST_BYTES:
            self.first_bytes += data[:FIRST_BYTES - len(self.first_bytes)]
        return super().received(data)


class ServerErrorTask(WSGITask):
    """A request the server refused, answered by the application in the product's shape."""

    def get_environment(self) -> dict[str, Any]:
        if self.environ is None:
            error = self.request.error
            server = self.channel.server
            self.environ = {
                "REQUEST_METHOD": "GET",
                "SCRIPT_NAME": "",
                "PATH_INFO": refused_path(self.request),
                "QUERY_STRING": "",
                "SERVER_NAME": server.server_name,
                "SERVER_PORT": str(server.effective_port),
                "SERVER_PROTOCOL": f"HTTP/{self.version}",
                "REMOTE_ADDR": self.channel.addr[0],
                "wsgi.version": (1, 0),
                "wsgi.url_scheme": "http",
                "wsgi.input": io.BytesIO(),
                "wsgi.errors": io.StringIO(),
                "wsgi.multithread": True,
                "wsgi.multiprocess": True,
                "wsgi.run_once": False,
                SERVER_ERROR_KEY: (error.code, server_message(error)),
            }
        return self.environ

    def execute(self) -> None:
        # The rest of the connection cannot be trusted to be a next request.
        self.set_close_on_finish()
        super().execute()


def refused_path(request: RememberingParser) -> str:
    """The path a refused request asked for, as far as it was read (JSON for /api/)."""
    first_line = request.first_bytes.lstrip().split(b"\r\n", 1)[0]
    parts = first_line.split(b" ")
    target = parts[1] if len(parts) > 1 else b"/"
    path = unquote_to_bytes(target.split(b"?", 1)[0]).decode("latin-1")
    return path if path.startswith("/") else "/"


def server_message(error: Any) -> str:
    """What the client is told, in words (waitress's own texts name its settings)."""
    if error.code == 431:
        return (f"the request line and headers are over {MAX_HEADER_BYTES // 1024} KiB; "
                "shorten the query")
    if error.code == 413:
        return "the request body is over the upload limit"
    if error.code == 501:
        return "this transfer encoding is not supported"
    return f"malformed HTTP request: {error.body}"


def proxy_options(trusted: str) -> dict[str, Any]:
    """Waitress's options to believe the forwarded headers of one reverse proxy (its
    address), which then name the client, scheme and host (the feed's links); the
    same headers from anyone else are dropped."""
    if not trusted:
        return {}
    return {
        "trusted_proxy": trusted,
        "trusted_proxy_count": 1,
        "trusted_proxy_headers": FORWARDED_HEADERS,
        "clear_untrusted_proxy_headers": True,
    }


class ProductChannel(HTTPChannel):
    parser_class = RememberingParser
    error_task_class = ServerErrorTask


class BufferingWorker(Worker):
    """A gunicorn worker serving its sockets with waitress's buffering event loop."""

    def init_process(self) -> None:
        self.socket_map: dict[int, Any] = {}
        super().init_process()

    def run(self) -> None:
        self.servers = self.create_servers()
        while self.alive and self.ppid == os.getppid():
            self.notify()
            self.turn(TURN_SECONDS)
        self.stop()

    def create_servers(self) -> list[BaseWSGIServer]:
        create_server(
            access_logged(self.wsgi, self.log),
            map=self.socket_map,
            sockets=[listener.sock for listener in self.sockets],
            threads=self.cfg.threads,
            max_request_header_size=MAX_HEADER_BYTES,
            # Waitress refuses from this size on, Flask above MAX_CONTENT_LENGTH: the same.
            max_request_body_size=int(self.wsgi.config["MAX_CONTENT_LENGTH"]) + 1,
            channel_timeout=IDLE_SECONDS,
            connection_limit=CONNECTIONS_PER_WORKER,
            asyncore_use_poll=True,
            ident="pressroom",
            **proxy_options(setting("TRUSTED_PROXY")),
        )
        servers = [d for d in self.socket_map.values() if isinstance(d, BaseWSGIServer)]
        for server in servers:
            server.channel_class = ProductChannel
        return servers

    def turn(self, timeout: float) -> None:
        wasyncore.loop(timeout=timeout, map=self.socket_map, use_poll=True, count=1)

    def stop(self) -> None:
        """Stop accepting, finish the requests already read, then close (SIGTERM)."""
        for server in self.servers:
            server.accepting = False
            server.del_channel()  # the listening socket stays open: gunicorn owns it
        started = time.monotonic()
        deadline = started + self.cfg.graceful_timeout
        # A request arriving meanwhile is read for a moment more, not cut off; a
        # slow client does not hold the stop up for the whole grace period.
        linger = started + STOP_LINGER_SECONDS
        while time.monotonic() < deadline:
            self.notify()
            self.turn(0.1)
            if not (self.answering() or (time.monotonic() < linger and self.reading())):
                break
        if self.servers:
            self.servers[0].task_dispatcher.shutdown(cancel_pending=True, timeout=1)
        wasyncore.close_all(self.socket_map)

    def reading(self) -> bool:
        """Whether a request is partly read."""
        return any(isinstance(channel, HTTPChannel) and channel.request is not None
                   for channel in list(self.socket_map.values()))

    def answering(self) -> bool:
        """Whether a request that was read in full is still being answered or sent."""
        return any(
            isinstance(channel, HTTPChannel) and (channel.requests or channel.total_outbufs_len)
            for channel in list(self.socket_map.values())
        )


def access_logged(app: Callable, log: Any) -> Callable:
    """``app`` writing gunicorn's access log line (combined format) for each request."""
    if not getattr(log, "access_log_enabled", True) or not log.cfg.accesslog:
        return app

    def logged(environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        seen: dict[str, Any] = {"status": "-", "size": 0}

        def remember(status: str, headers: list[tuple[str, str]], exc_info: Any = None):
            seen["status"] = status.split(" ", 1)[0]
            return start_response(status, headers, exc_info)

        try:
            for chunk in app(environ, remember):
                seen["size"] += len(chunk)
                yield chunk
        finally:
            log.access_log.info(access_line(environ, seen["status"], seen["size"]))

    return logged


def access_line(environ: dict[str, Any], status: str, size: int) -> str:
    query = environ.get("QUERY_STRING", "")
    target = environ.get("REQUEST_URI") or (
        environ.get("PATH_INFO", "") + (f"?{query}" if query else ""))
    request = f"{environ.get('REQUEST_METHOD', '-')} {target} {environ.get('SERVER_PROTOCOL')}"
    return (f'{environ.get("REMOTE_ADDR", "-")} - - {time.strftime("[%d/%b/%Y:%H:%M:%S %z]")} '
            f'"{request}" {status} {size or "-"} "{environ.get("HTTP_REFERER", "-")}" '
            f'"{environ.get("HTTP_USER_AGENT", "-")}"')
