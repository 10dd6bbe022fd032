"""bench/web.py's freshness scenario: the search load goes on while `pressroom index` adds
FRESH_COUNT releases carrying a marker word, polled until all of them are found."""

from __future__ import annotations

import contextlib
import http.client
import json
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from bench.webload import Load, parse_wrk, write_script, wrk_command
from bench.webserver import FRESH_COUNT, commit_toc, fresh_releases, index_file, marker_word

POLL_EVERY = 0.05
#: Seconds the freshness load goes on at least after the new releases were found.
AFTER_COMMIT = 5.0
#: How long freshness may take before the run gives up waiting (the target is 2 s).
FRESH_PATIENCE = 60.0


@dataclass
class Poller:
    """Polls a marker query until it finds ``expected`` releases."""

    port: int
    marker: str
    expected: int
    polls: int = 0
    errors: list[str] = field(default_factory=list)
    odd_totals: list[int] = field(default_factory=list)
    seen_at: float | None = None
    seen_poll_ms: float | None = None
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        path = f"/api/search?{urlencode({'q': self.marker, 'per_page': 1})}"
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            while not self.stop.is_set():
                started = time.time()
                try:
                    conn.request("GET", path)
                    response = conn.getresponse()
                    body = response.read()
                except (OSError, http.client.HTTPException) as exc:
                    self.errors.append(f"{type(exc).__name__}: {exc}")
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                    self.stop.wait(POLL_EVERY)
                    continue
                ended = time.time()
                self.polls += 1
                total = None
                if response.status == 200:
                    with contextlib.suppress(ValueError, KeyError, TypeError):
                        total = int(json.loads(body)["total"])
                if total is None:
                    self.errors.append(f"HTTP {response.status}: {body[:200]!r}")
                else:
                    if total >= self.expected:
                        self.seen_at, self.seen_poll_ms = ended, (ended - started) * 1000
                        return
                    if total:
                        self.odd_totals.append(total)  # a commit is all or nothing
                self.stop.wait(max(0.0, POLL_EVERY - (time.time() - started)))
        finally:
            conn.close()


def freshness_figures(marker: str, done: subprocess.CompletedProcess, index_started: float,
                      exited: float, committed: float, toc: Path, poller: Poller,
                      load: Load) -> dict:
    """The freshness scenario's figures, JSON-ready."""
    return {
        "marker": marker,
        "releases": FRESH_COUNT,
        "index_exit_code": done.returncode,
        "index_seconds": exited - index_started,
        "index_output": (done.stdout + done.stderr).strip().splitlines()[-3:],
        "commit_toc": toc.name,
        "commit_at": committed,
        "exit_at": exited,
        "seen_at": poller.seen_at,
        "delay_ms": (poller.seen_at - committed) * 1000 if poller.seen_at else None,
        "delay_after_exit_ms": (poller.seen_at - exited) * 1000 if poller.seen_at else None,
        "seen_poll_ms": poller.seen_poll_ms,
        # When the poll that found them was sent, after the commit: visibility itself
        # is at most this late; the rest of the delay is that poll's wait behind the load.
        "seen_poll_sent_ms": ((poller.seen_at - poller.seen_poll_ms / 1000 - committed) * 1000
                              if poller.seen_at else None),
        "polls": poller.polls,
        "poll_errors": poller.errors[:10],
        "poll_error_count": len(poller.errors),
        "partial_totals": poller.odd_totals[:10],
        "load": load.to_dict(),
    }


def freshness(root: Path, port: int, paths: Sequence[str], duration: float, work: Path) -> dict:
    """Load, then `pressroom index` adding FRESH_COUNT releases, polled until all are found."""
    marker = marker_word()
    fresh = fresh_releases(work, marker)
    script = write_script(paths, work)
    # Run long, stop with SIGINT (wrk then prints its summary): the load must outlast
    # the commit and the wait for the releases to show up, however long those take.
    load_started = time.monotonic()
    wrk = subprocess.Popen(wrk_command(f"http://127.0.0.1:{port}", script, 3600),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    poller = Poller(port, marker, FRESH_COUNT)
    polling = threading.Thread(target=poller.run, daemon=True)
    try:
        time.sleep(min(3.0, duration / 4))
        polling.start()
        index_started = time.time()
        done = index_file(root, fresh)
        exited = time.time()
        # A failed command committed nothing: no point waiting for its releases.
        polling.join(FRESH_PATIENCE if done.returncode == 0 else 2.0)
        poller.stop.set()
        polling.join(5)
        # Keep the load on for at least the scenario's duration, and for a while after
        # the commit: the moments right after one are when a search is most likely to trip.
        time.sleep(max(AFTER_COMMIT, duration - (time.monotonic() - load_started)))
    finally:
        if wrk.poll() is None:
            wrk.send_signal(signal.SIGINT)
        out, err = wrk.communicate(timeout=60)
    load = Load.from_runs("search during `pressroom index`", "/api/search (mix)",
                          [parse_wrk(out)])
    toc, committed = commit_toc(root)
    result = freshness_figures(marker, done, index_started, exited, committed, toc, poller,
                               load)
    delay = result["delay_ms"]
    print(f"freshness: {FRESH_COUNT} releases searchable "
          + (f"{delay:.0f} ms after the commit" if delay is not None else "NOT seen")
          + f"; load {load.rps:.1f} req/s, errors {load.errors}, "
          f"poll errors {len(poller.errors)}", file=sys.stderr, flush=True)
    return result
