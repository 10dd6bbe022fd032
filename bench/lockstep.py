"""Page latency of two or more checkouts in lock step: each query on every one in turn.

    python bench/lockstep.py [--workload mix|xquad] [--rounds 5] [--corpus FILE] [--n 1000]
                             NAME=CHECKOUT:INDEX NAME=CHECKOUT:INDEX ...

A p95 over a few hundred calls moves by a third between identical runs of
``bench/speed.py`` on a shared machine.  Here every checkout (a git worktree
of the commit, and an index its own code built: a missing INDEX folder is
built there from the first ``--n`` releases of ``--corpus``) answers in a
child process of its own, and each query is asked of all of them back to
back, in alternating order, after one warm-up pass that is not counted: a
slow moment of the machine hits them all alike.  Printed per
checkout: p50 and p95 over all calls, and over each query's fastest call.

The mix is the first 150 rows of ``bench/queries-mix.tsv``; XQuAD is every 4th
question (``bench/speed.py``'s ``xquad_questions``), read with each checkout's
own code.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

MIX_QUERIES = 150
XQUAD_STEP = 4


def serve(index: Path, workload: str, corpus: Path, n: int) -> None:
    """The child: the count of queries, then the milliseconds of each asked by number."""
    sys.path[:0] = ["bench", "."]
    from speed import read_records, xquad_questions
    from speed_engines import ENGINE_CLASSES

    from bench.querymix import load

    if not index.exists():
        ENGINE_CLASSES["pressroom"].build(read_records(corpus, n), index)
    searcher = ENGINE_CLASSES["pressroom"]().open(index)
    if workload == "xquad":
        items, call = xquad_questions(XQUAD_STEP), searcher.xquad
    else:
        items, call = load(Path("bench/queries-mix.tsv"))[:MIX_QUERIES], searcher.mix
    print(len(items), flush=True)
    for line in sys.stdin:
        started = time.perf_counter()
        call(items[int(line)])
        print(f"{(time.perf_counter() - started) * 1000:.4f}", flush=True)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workload", choices=("mix", "xquad"), default="mix")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--corpus", type=Path, default=Path("/tmp/gen1000.jsonl"),
                        help="JSONL corpus (gen_corpus.py) to build a missing index from")
    parser.add_argument("--n", type=int, default=1000, help="releases of a built index")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("checkouts", nargs="*", metavar="NAME=CHECKOUT:INDEX")
    args = parser.parse_args()
    if args.child:
        serve(Path(args.child[0]), args.child[1], args.corpus, args.n)
        return
    children = []
    for spec in args.checkouts:
        name, _, rest = spec.partition("=")
        checkout, _, index = rest.partition(":")
        if not (name and checkout and index):
            parser.error(f"{spec!r}: expected NAME=CHECKOUT:INDEX")
        env = {**os.environ, "PYTHONPATH": str(Path(checkout).resolve())}
        child = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--child",
             str(Path(index).resolve()), args.workload, "--corpus",
             str(args.corpus.resolve()), "--n", str(args.n)],
            cwd=checkout, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        children.append((name, child, int(child.stdout.readline())))
    if not children:
        parser.error("name at least one checkout")
    count = min(n for _, _, n in children)

    def ask(child: subprocess.Popen, i: int) -> float:
        child.stdin.write(f"{i}\n")
        child.stdin.flush()
        return float(child.stdout.readline())

    for i in range(count):  # the warm-up pass: per-generation memos fill
        for _, child, _ in children:
            ask(child, i)
    times: dict[str, list[float]] = {name: [] for name, _, _ in children}
    best = {name: [float("inf")] * count for name, _, _ in children}
    for r in range(args.rounds):
        for i in range(count):
            order = children if (i + r) % 2 else children[::-1]
            for name, child, _ in order:
                ms = ask(child, i)
                times[name].append(ms)
                best[name][i] = min(best[name][i], ms)
    for name, child, _ in children:
        child.stdin.close()
        child.wait()
        print(f"{args.workload} {name}: all calls p50 {percentile(times[name], 50):.2f} "
              f"p95 {percentile(times[name], 95):.2f} ms | each query's fastest p50 "
              f"{percentile(best[name], 50):.2f} p95 {percentile(best[name], 95):.2f} ms")


if __name__ == "__main__":
    main()
