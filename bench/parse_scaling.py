"""How parsing time grows with hostile input sizes: the timings the suite no longer asserts.

    python bench/parse_scaling.py [--reps R]

The suite checks that these inputs parse or fail cleanly (tests/indexer/test_scraped.py,
tests/indexer/test_htmlpage.py, tests/indexer/test_sources.py); whether their time grows
linearly is a measurement, so it lives here.  For each input this prints the
best CPU seconds of ``--reps`` runs at size n and 2n and their ratio: about 2
is linear, about 4 quadratic.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from indexer.inputs.htmlpage import parse_html  # noqa: E402
from indexer.inputs.scraped import parse_scraped_text  # noqa: E402
from indexer.inputs.sources import parse_bytes  # noqa: E402
from indexer.release import ReleaseError  # noqa: E402


def nested(levels: int) -> str:
    return ("<html><body>" + "<div>" * levels + "<p>21 November 2017</p><h1>Ministers met</h1>"
            "<p>The ministers of the two countries met and discussed relations.</p>"
            + "</div>" * levels + "</body></html>")


#: name → (parser, input of scale k); the suite's inputs are scale 2.
INPUTS: dict[str, tuple[Callable[[str], object], Callable[[int], object]]] = {
    "scraped one-line": (parse_scraped_text, lambda k: "word " * (200_000 * k)),
    "scraped many-lines": (parse_scraped_text, lambda k: "Word of the day.\n" * (4_500 * k)),
    "scraped parens": (parse_scraped_text, lambda k: "(" * (50_000 * k) + "No:1/17 " * 500 * k),
    "scraped digits": (parse_scraped_text, lambda k: "21 " * (150_000 * k)),
    "html nesting": (parse_html, lambda k: nested(4_500 * k)),
    "bytes 15 MB refused": (lambda data: parse_bytes(data, "big.txt"),
                            lambda k: b"ministers met in baku " * (350_000 * k)),
}


def cpu_seconds(parse: Callable[[object], object], value: object, reps: int) -> float:
    best = float("inf")
    for _ in range(reps):
        start = time.process_time()
        try:
            parse(value)
        except ReleaseError:
            pass
        best = min(best, time.process_time() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args()
    print(f"{'input':22} {'n (s)':>8} {'2n (s)':>8} {'ratio':>6}")
    for name, (parse, make) in INPUTS.items():
        one = cpu_seconds(parse, make(1), args.reps)
        two = cpu_seconds(parse, make(2), args.reps)
        print(f"{name:22} {one:8.3f} {two:8.3f} {two / max(one, 1e-9):6.2f}")


if __name__ == "__main__":
    main()
