"""Freshness of `watch` and `fetch` (issue 16), under the 16-client search load of bench/web.py.

    python bench/freshness.py [--index ROOT | --n N] [--rounds 5] [--json FILE] [--keep]

On a copy of the index (default: the bundled samples/, indexed; ``--n N``: the
first N releases of the generated corpus, as bench/web.py builds them),
``pressroom serve`` runs (2 workers x 4 threads) under wrk with 16 connections
cycling the realistic query mix (bench/queries-mix.tsv), the load generator of
bench/web.py.  Meanwhile, ``--rounds`` times each:

(a) watch: a release carrying a fresh marker word is dropped into the folder a
    running ``pressroom watch`` watches (written under a temporary name, then
    renamed, as a downloader does); ``/api/search?q=<marker>`` is polled every
    50 ms; the figure is from the rename to the end of the first poll that finds it.
(b) fetch: the local test site (tests/ministry_site.py) publishes a new release
    page with a marker word in its RSS feed; ``pressroom fetch`` runs; the figure
    is from the moment the command exits to the end of the first poll that finds it.

The target is 5 s for both, with zero errors (wrk's non-2xx and socket errors,
and the pollers' errors).  Figures are printed and, with ``--json``, written.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.web import (  # noqa: E402
    DEFAULT_QUERIES,
    Load,
    Poller,
    build_index,
    index_file,
    marker_word,
    mix_paths,
    parse_wrk,
    pressroom_command,
    serving,
    warm_up,
    write_script,
    wrk_command,
)
from tests.ministry_site import ministry_site, release_page, rss  # noqa: E402

TARGET_S = 5.0
#: How long one release may take to show up before the round counts as missed.
PATIENCE = 60.0
SAMPLES = REPO / "samples"


def release_text(marker: str, n: int) -> str:
    return (f"Press release 3 March 2026\n\nNo:{n}/26, Minister met the {marker} delegation "
            f"(ENG/RU)\n\nThe Minister met the {marker} delegation to discuss river basins.\n\n"
            f"Министр встретился с делегацией, чтобы обсудить речные бассейны {n}.\n")


class Watching:
    """`pressroom watch` as a subprocess, its output lines on a queue."""

    def __init__(self, root: Path, folder: Path, work: Path) -> None:
        env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen([*pressroom_command(), "watch", "--index", str(root),
                                      str(folder)], stdout=subprocess.PIPE,
                                     stderr=(work / "watch.log").open("wb"), text=True,
                                     env=env, cwd=REPO)
        self.lines: queue.Queue = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def wait_for(self, prefix: str) -> str:
        while True:
            line = self.lines.get(timeout=PATIENCE)
            if line is None:
                raise RuntimeError("pressroom watch ended")
            if line.startswith(prefix):
                return line

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait()


def poll_until_found(port: int, marker: str) -> Poller:
    poller = Poller(port, marker, 1)
    thread = threading.Thread(target=poller.run, daemon=True)
    thread.start()
    thread.join(PATIENCE)
    poller.stop.set()
    thread.join(5)
    return poller


def watch_round(port: int, folder: Path, n: int) -> dict:
    marker = marker_word()
    partial = folder / f"incoming-{n}.txt.part"
    partial.write_text(release_text(marker, n), encoding="utf-8")
    dropped = time.time()
    partial.rename(folder / f"release-{n}.txt")
    poller = poll_until_found(port, marker)
    seconds = poller.seen_at - dropped if poller.seen_at else None
    return {"seconds": seconds, "poll_errors": len(poller.errors), "polls": poller.polls}


def fetch_round(port: int, root: Path, site, sources: Path, paths: list[str], n: int) -> dict:
    marker = marker_word()
    path = f"/news/{n}.html"
    site.put(path, release_page(n, site.base, body=f"The Minister met the {marker} delegation."))
    paths.append(path)
    site.put("/feed.xml", rss(site.base, paths), "application/rss+xml")
    env = {**os.environ, "PYTHONPATH": str(REPO), "PRESSROOM_SOURCES": str(sources)}
    started = time.time()
    done = subprocess.run([*pressroom_command(), "fetch", "--index", str(root), "rss"],
                          capture_output=True, text=True, env=env, cwd=REPO)
    exited = time.time()
    poller = poll_until_found(port, marker)
    seconds = poller.seen_at - exited if poller.seen_at else None
    return {"seconds": seconds, "fetch_seconds": exited - started,
            "exit_code": done.returncode, "output": done.stdout.strip().splitlines()[-1:],
            "poll_errors": len(poller.errors), "polls": poller.polls}


def run(index: Path | None, n: int | None, rounds: int, keep: bool) -> dict:
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is not installed (Debian: apt-get install wrk)")
    work = Path(tempfile.mkdtemp(prefix="pressroom-fresh-"))
    site = ministry_site()
    try:
        root = work / "index"
        if index is not None:
            shutil.copytree(index, root)
        elif n:
            shutil.move(build_index(n, work), root)
        else:
            done = index_file(root, SAMPLES)
            if done.returncode:
                raise RuntimeError(f"pressroom index failed:\n{done.stdout}{done.stderr}")
        folder = work / "inbox"
        folder.mkdir()
        sources = work / "sources.toml"
        sources.write_text(f'[[source]]\nname = "rss"\nkind = "feed"\n'
                           f'url = "{site.base}/feed.xml"\n', encoding="utf-8")
        feed_paths: list[str] = []
        site.put("/feed.xml", rss(site.base, feed_paths), "application/rss+xml")
        queries = mix_paths(DEFAULT_QUERIES)
        with serving(root, work, cache_size=None, workers=2, threads=4) as port:
            warm_up(port, queries, 3.0, 20.0, work)
            watcher = Watching(root, folder, work)
            watcher.wait_for("watching ")
            script = write_script(queries, work)
            wrk = subprocess.Popen(wrk_command(f"http://127.0.0.1:{port}", script, 3600),
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            try:
                time.sleep(3.0)  # the load is on before the first round
                watched = [watch_round(port, folder, 5000 + i) for i in range(rounds)]
                fetched = [fetch_round(port, root, site, sources, feed_paths, 6000 + i)
                           for i in range(rounds)]
            finally:
                if wrk.poll() is None:
                    wrk.send_signal(signal.SIGINT)
                out, _ = wrk.communicate(timeout=60)
                watch_exit = watcher.stop()
        load = Load.from_runs("search during watch and fetch", "/api/search (mix)",
                              [parse_wrk(out)])
        return {"rounds": rounds, "watch": watched, "fetch": fetched, "load": load.to_dict(),
                "watch_exit_code": watch_exit, "target_s": TARGET_S,
                "work": str(work) if keep else None}
    finally:
        site.close()
        if not keep:
            shutil.rmtree(work, ignore_errors=True)


def summary_lines(result: dict) -> list[str]:
    lines = []
    for kind, what in (("watch", "dropped into the watched folder"),
                       ("fetch", "after `pressroom fetch` exits")):
        figures = [r["seconds"] for r in result[kind]]
        seen = [s for s in figures if s is not None]
        errors = sum(r["poll_errors"] for r in result[kind])
        worst = max(seen) if seen else None
        lines.append(
            f"{kind}: searchable {what}: "
            + ", ".join(f"{s:.2f} s" if s is not None else "MISSED" for s in figures)
            + (f"; worst {worst:.2f} s" if worst is not None else "")
            + f" (target {result['target_s']:.0f} s); poll errors {errors}")
    load = result["load"]
    lines.append(f"load: {load['rps']:.1f} req/s over {load['seconds']:.0f} s, "
                 f"p99 {load['p99_ms']:.0f} ms, errors {load['errors']} "
                 f"(non-2xx {load['non2xx']}, socket {load['socket_errors']})")
    lines.append(f"fetch exit codes: {[r['exit_code'] for r in result['fetch']]}; "
                 f"watch exit code {result['watch_exit_code']}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, default=None)
    parser.add_argument("--n", type=int, default=None)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    result = run(args.index, args.n, args.rounds, args.keep)
    for line in summary_lines(result):
        print(line)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
