"""A real `pressroom serve` (gunicorn) in a subprocess on a free port, and a plain GET:
for the tests that need the production server, not Flask's test client."""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from tests.conftest import ADMIN_TOKEN

REPO = Path(__file__).resolve().parents[1]
#: Seconds a client waits for an answer before the test fails (a hung server).
PATIENCE = 30.0
UPLOAD_LIMIT = 64 * 1024


class Server:
    """A `pressroom serve` subprocess; ``port`` once gunicorn says it listens."""

    def __init__(self, index: Path, home: Path, *options: str, **settings: str) -> None:
        env = {k: v for k, v in os.environ.items() if k != "XDG_RUNTIME_DIR"}
        env.update(PYTHONPATH=str(REPO), HOME=str(home), PRESSROOM_ADMIN_TOKEN=ADMIN_TOKEN,
                   PRESSROOM_MAX_UPLOAD_BYTES=str(UPLOAD_LIMIT),
                   **{f"PRESSROOM_{name}": value for name, value in settings.items()})
        # Port 0: the system picks a free port and gunicorn logs which.
        command = [sys.executable, "-c", "from webui.cli import main; main()", "serve",
                   "--index", str(index), "--host", "127.0.0.1", "--port", "0", *options]
        self.process = subprocess.Popen(command, env=env, cwd=REPO, stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, text=True)
        self.lines: list[str] = []
        self.new_line = threading.Condition()
        self.listening = threading.Event()
        self.port = 0
        self.reader = threading.Thread(target=self._read_log, daemon=True)
        self.reader.start()
        if not self.listening.wait(PATIENCE) or not self.port:
            self.stop()
            raise AssertionError("pressroom serve did not start:\n" + "".join(self.lines))

    def _read_log(self) -> None:
        # Drained to the end, so that the server never blocks on a full pipe.
        for line in self.process.stdout:
            with self.new_line:
                self.lines.append(line)
                self.new_line.notify_all()
            if "Listening at: http://127.0.0.1:" in line and not self.port:
                self.port = int(line.split("127.0.0.1:", 1)[1].split()[0])
                self.listening.set()
        self.listening.set()

    def wait_for_line(self, wanted: Callable[[str], bool]) -> bool:
        """Whether the server logs a line that is ``wanted`` (within PATIENCE)."""
        with self.new_line:
            return self.new_line.wait_for(lambda: any(map(wanted, self.lines)), PATIENCE)

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(PATIENCE)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.reader.join(PATIENCE)
        self.process.stdout.close()
        return self.process.returncode


def get(port: int, path: str, headers: dict[str, str] | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=PATIENCE)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()
