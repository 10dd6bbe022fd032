"""Random-time kill soak: SIGKILL writer runs at random moments, check every state.

    python bench/crash_soak.py [--rounds N] [--files F] [--seed S] [--workers W]

The suite kills writers at named crash points (tests/indexer/test_crash.py), which is
deterministic; this soak adds what a fixed list of points cannot: moments
nobody thought of.  Each round runs `pressroom index`, `sync`, `rebuild` or
`retag` in a child process on a small index, kills it after a random delay
drawn from [0.2, 1.1] × the time an unkilled run of the same command took just
before (on a copy, to know the state it must give), then
checks that the index opens with every document whole and equals exactly the
state before the run or the state a complete run gives (computed on a copy),
and that the next run completes.  It prints the figures: rounds, kills, runs
that finished before the kill, the states seen per command, and failures.
Exit status 1 when any round failed.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from whoosh import index as whoosh_index  # noqa: E402

from bench.common import child_env  # noqa: E402
from indexer.location import live_index_dir  # noqa: E402

COMMANDS = ("index", "sync", "rebuild", "retag")
PER_FILE = 20
EN = ("minister foreign affairs visit meeting cooperation trade energy pipeline caspian sea "
      "culture visa embassy security conflict transport corridor railway economy summit").split()
RU = ("министр иностранных дел визит встреча сотрудничество торговля энергетика трубопровод "
      "каспийское море культура виза посольство безопасность конфликт транспорт экономика").split()
TAXONOMIES = (
    '[topics.pipes]\nen = "Pipes"\nru = "Трубы"\nkeywords = ["pipeline", "minister"]\n',
    '[topics.visas]\nen = "Visas"\nru = "Визы"\nkeywords = ["visa", "embassy"]\n',
)


def write_corpus(folder: Path, files: range, version: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for f in files:
        rng = random.Random(f"{version}-{f}")
        lines = []
        for i in range(PER_FILE):
            n = f * PER_FILE + i
            lines.append(json.dumps({
                "id": f"s{n}", "date": f"{2010 + n % 12}-0{1 + n % 9}-15",
                "en": {"title": " ".join(rng.choices(EN, k=6)),
                       "body": " ".join(rng.choices(EN, k=60)) + f" {version} item{n}"},
                "ru": {"title": " ".join(rng.choices(RU, k=6)),
                       "body": " ".join(rng.choices(RU, k=60)) + f" {version}"},
            }, ensure_ascii=False))
        (folder / f"f{f:03d}.jsonl").write_text("\n".join(lines), encoding="utf-8")


def snapshot(root: Path) -> dict[str, tuple[str, str]]:
    """id → (content hash, topics); raises when a document is not whole."""
    ix = whoosh_index.open_dir(str(live_index_dir(root)))
    try:
        with ix.searcher() as s:
            docs = list(s.all_stored_fields())
            if len(docs) != s.doc_count():
                raise AssertionError(f"{len(docs)} stored documents, doc_count {s.doc_count()}")
    finally:
        ix.close()
    for doc in docs:
        if not (doc.get("body_en") and doc.get("body_ru") and doc.get("content_hash")):
            raise AssertionError(f"partial document {doc.get('id')}")
    return {d["id"]: (d["content_hash"], d["topics"]) for d in docs}


class Soak:
    def __init__(self, work: Path, files: int, workers: int) -> None:
        self.work = work
        self.files = files
        self.folder = work / "archive"
        self.root = work / "index"
        self.env = child_env(PRESSROOM_INDEX_WORKERS=str(workers))
        for name in ("PRESSROOM_INDEX", "PRESSROOM_TOPICS", "PRESSROOM_CRASH_AT"):
            self.env.pop(name, None)
        self.version = 0

    def argv(self, command: str, root: Path, topics: Path) -> list[str]:
        if command == "retag":
            return [sys.executable, "-m", "indexer.cli", "retag", "--index", str(root),
                    "--topics", str(topics)]
        target = self.folder
        return [sys.executable, "-m", "indexer.cli", command, "--index", str(root), str(target)]

    def change_inputs(self, command: str, rng: random.Random) -> Path:
        """Make the next run of ``command`` have work to do; the taxonomy file for retag."""
        topics = self.work / "topics.toml"
        if command == "retag":
            topics.write_text(TAXONOMIES[self.version % 2], encoding="utf-8")
        else:
            shutil.rmtree(self.folder, ignore_errors=True)
            first = rng.randrange(0, 3) if command == "sync" else 0
            write_corpus(self.folder, range(first, self.files), f"v{self.version}")
        self.version += 1
        return topics

    def run(self, argv: list[str]) -> tuple[int, float, str]:
        started = time.perf_counter()
        done = subprocess.run(argv, env=self.env, capture_output=True, text=True)
        return done.returncode, time.perf_counter() - started, done.stderr

    def expected(self, command: str, topics: Path) -> tuple[dict, float]:
        """The state a complete run gives, computed on a copy of the index, and the
        seconds that run took."""
        copy = self.work / "reference"
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(self.root, copy)
        code, seconds, err = self.run(self.argv(command, copy, topics))
        if code != 0:
            raise SystemExit(f"the reference {command} run failed ({code}):\n{err}")
        return snapshot(copy), seconds


def report(rounds: int, kills: int, finished: int, durations: dict[str, list[float]],
           states: Counter[tuple[str, str]], failures: list[str]) -> None:
    """Print the kills, the states they left and the failures."""
    print(f"rounds: {rounds}  kills: {kills}  finished before the kill: {finished}  "
          f"failures: {len(failures)}")
    print("unkilled run seconds (median): " + ", ".join(
        f"{c} {statistics.median(s):.2f}" for c, s in sorted(durations.items())))
    for command in COMMANDS:
        seen = {s: states[(command, s)] for s in ("old", "new", "other")
                if states[(command, s)]}
        print(f"  {command:8} states after a kill: {seen or '-'}")
    for failure in failures:
        print(f"FAILED {failure}")


def arguments() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--files", type=int, default=20, help=f"input files of {PER_FILE}")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=1,
                        help="PRESSROOM_INDEX_WORKERS of the runs (workers start at 1000 "
                             "releases: use --files 60 or more to see them)")
    return parser


def main() -> None:
    parser = arguments()
    args = parser.parse_args()
    rng = random.Random(args.seed)

    with tempfile.TemporaryDirectory(prefix="pressroom-soak-") as tmp:
        soak = Soak(Path(tmp), args.files, args.workers)
        soak.change_inputs("index", rng)
        code, _, err = soak.run(soak.argv("index", soak.root, soak.work / "topics.toml"))
        if code != 0:
            raise SystemExit(f"the first index run failed ({code}):\n{err}")
        durations: dict[str, list[float]] = {}
        kills = finished = 0
        states: Counter[tuple[str, str]] = Counter()
        failures: list[str] = []
        for round_ in range(1, args.rounds + 1):
            command = COMMANDS[rng.randrange(len(COMMANDS))]
            topics = soak.change_inputs(command, rng)
            before = snapshot(soak.root)
            after, seconds = soak.expected(command, topics)
            durations.setdefault(command, []).append(seconds)
            # The first fifth or so of a run is the interpreter starting: kill
            # mostly later, and now and then after the end.
            delay = rng.uniform(0.2 * seconds, 1.1 * seconds)
            proc = subprocess.Popen(soak.argv(command, soak.root, topics), env=soak.env,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            try:
                proc.wait(timeout=delay)
            except subprocess.TimeoutExpired:
                proc.send_signal(signal.SIGKILL)
            _, err = proc.communicate()
            if proc.returncode == -signal.SIGKILL:
                kills += 1
            elif proc.returncode == 0:
                finished += 1
            else:
                failures.append(f"round {round_}: {command} exited {proc.returncode}: {err}")
            try:
                found = snapshot(soak.root)
            except Exception as exc:  # noqa: BLE001 - reported as a failure
                failures.append(f"round {round_}: {command}: the index does not open: {exc}")
                break
            state = "old" if found == before else "new" if found == after else "other"
            if proc.returncode == -signal.SIGKILL:
                states[(command, state)] += 1
            if state == "other":
                failures.append(f"round {round_}: {command} killed after {delay:.3f} s left "
                                f"{len(found)} documents, neither the old nor the new commit")
            code, _, err = soak.run(soak.argv(command, soak.root, topics))
            if code != 0 or snapshot(soak.root) != after:
                failures.append(f"round {round_}: the rerun of {command} exited {code} "
                                f"or did not reach the complete state:\n{err}")
        report(args.rounds, kills, finished, durations, states, failures)
        sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
