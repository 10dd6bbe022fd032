"""Slow clients (issue 10, 2.3): do searches still answer while sockets hold half requests?

    python bench/slowclients.py [--workers 2] [--threads 4] [--slow 8] [--searches 20]

Indexes the bundled samples into a temporary folder, starts ``pressroom serve`` on a
free loopback port (the defaults of ``pressroom serve``: 2 workers x 4 threads), times
``--searches`` ordinary ``/api/search`` requests one after another, then opens
``--slow`` sockets that send a request line and part of the headers and stop, and as
many that send whole headers and part of a 1 MB body and stop, and times the same
searches again while those sockets stay open.  The target: every search under load
answers within 1 s.  Prints the figures; stops the server and removes the folder.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.webserver import index_file, serving  # noqa: E402

#: Ordinary searches (English and Russian words of the samples), cycled.
QUERIES = ("energy", "report", "market", "компания", "рост", "x", "results", "год")
#: A client's bound on one search: a search that takes this long failed.
PATIENCE = 60.0
TARGET_SECONDS = 1.0
#: What a slow client sends before it stops: part of the headers...
SLOW_HEADERS = b"GET /api/search?q=x HTTP/1.1\r\nHost: x\r\nX-Slow: "
#: ...or whole headers announcing a 1 MB body, and the first bytes of it.
SLOW_BODY = (b"POST /api/releases HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
             b"Content-Length: 1000000\r\n\r\n[{\"id\": \"slow\", ")


def slow_sockets(port: int, count: int) -> list[socket.socket]:
    """``count`` sockets stopped in the headers and ``count`` stopped in the body."""
    opened = []
    for prefix in (SLOW_HEADERS, SLOW_BODY):
        for _ in range(count):
            s = socket.create_connection(("127.0.0.1", port))
            s.sendall(prefix)
            opened.append(s)
    return opened


def timed_search(port: int, query: str) -> float:
    """Seconds one search took (``PATIENCE`` when it did not answer in time)."""
    started = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=PATIENCE)
    try:
        conn.request("GET", "/api/search?" + urlencode({"q": query}))
        response = conn.getresponse()
        response.read()
        if response.status != 200:
            raise RuntimeError(f"search {query!r} answered {response.status}")
    except TimeoutError:
        return PATIENCE
    finally:
        conn.close()
    return time.monotonic() - started


def searches(port: int, n: int) -> list[float]:
    return [timed_search(port, QUERIES[i % len(QUERIES)]) for i in range(n)]


def describe(label: str, times: list[float]) -> str:
    within = sum(t <= TARGET_SECONDS for t in times)
    return (f"{label}: {len(times)} searches, median {statistics.median(times) * 1000:.0f} ms, "
            f"max {max(times) * 1000:.0f} ms, first {times[0] * 1000:.0f} ms, "
            f"{within}/{len(times)} within {TARGET_SECONDS:g} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--slow", type=int, default=8,
                        help="sockets stopped in the headers, and as many in the body")
    parser.add_argument("--searches", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pressroom-slow-") as folder:
        work = Path(folder)
        root = work / "index"
        done = index_file(root, REPO / "samples")
        if done.returncode:
            raise SystemExit(f"pressroom index failed:\n{done.stdout}\n{done.stderr}")
        with serving(root, work, cache_size=None, workers=args.workers,
                     threads=args.threads) as port:
            print(f"pressroom serve: {args.workers} workers x {args.threads} threads, "
                  f"port {port}")
            print(describe("no slow clients", searches(port, args.searches)))
            opened = slow_sockets(port, args.slow)
            try:
                # Let the server accept them all before the searches start.
                time.sleep(1.0)
                under = searches(port, args.searches)
                print(describe(f"{args.slow} sockets stopped in the headers + {args.slow} "
                               "in a body", under))
                verdict = "MET" if max(under) <= TARGET_SECONDS else "NOT MET"
                print(f"target (every search within {TARGET_SECONDS:g} s): {verdict}")
            finally:
                for s in opened:
                    with contextlib.suppress(OSError):
                        s.close()


if __name__ == "__main__":
    main()
