"""`pressroom serve` and `pressroom index` for bench/web.py (and bench/timelimit.py,
bench/slowclients.py): a server on a free loopback port, its logs, and the corpus
records it indexes."""

from __future__ import annotations

import contextlib
import http.client
import json
import re
import secrets
import shutil
import signal
import socket
import string
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.common import child_env  # noqa: E402
from bench.indexing import corpus_for, read_records  # noqa: E402
from bench.querymix import topic_slug  # noqa: E402

FRESH_COUNT = 500


# --- the server -----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pressroom_command() -> list[str]:
    beside = Path(sys.executable).with_name("pressroom")
    if beside.exists():
        return [str(beside)]
    found = shutil.which("pressroom")
    if found:
        return [found]
    return [sys.executable, "-c", "from webui.cli import main; main()"]


def get_json(port: int, path: str, timeout: float = 30.0) -> tuple[int, dict | None]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        body = response.read()
        try:
            return response.status, json.loads(body)
        except ValueError:
            return response.status, None
    finally:
        conn.close()


@contextlib.contextmanager
def serving(root: Path, work: Path, *, cache_size: int | None, workers: int,
            threads: int) -> Iterator[int]:
    """`pressroom serve` on a free loopback port until /healthz answers 200; its port."""
    port = free_port()
    env = child_env()
    if cache_size is not None:
        env["PRESSROOM_PAGE_CACHE_SIZE"] = str(cache_size)
    log = (work / f"serve-{port}.log").open("wb")
    command = [*pressroom_command(), "serve", "--index", str(root), "--host", "127.0.0.1",
               "--port", str(port), "--workers", str(workers), "--threads", str(threads)]
    # The access log goes to a file (a pipe nobody reads would fill up and block).
    server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=REPO)
    try:
        deadline = time.monotonic() + 120
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"pressroom serve exited ({server.returncode}):\n"
                                   + tail(log.name))
            with contextlib.suppress(OSError):
                if get_json(port, "/healthz", timeout=5)[0] == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError("pressroom serve did not answer /healthz in 120 s")
            time.sleep(0.2)
        yield port
    finally:
        if server.poll() is None:
            server.send_signal(signal.SIGTERM)  # gunicorn: graceful shutdown
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        log.close()


def tail(path: str | Path, lines: int = 30) -> str:
    text = Path(path).read_text(encoding="utf-8", errors="replace")
    return "\n".join(text.splitlines()[-lines:])


ACCESS_STATUS = re.compile(r'^127\.0\.0\.1 .*?"(?:GET|POST|HEAD) (\S+) [^"]*" (\d{3}) ')


def server_log(work: Path) -> dict:
    """What this run's server logs say went wrong: non-2xx responses by status (with a
    few of their paths) and logged errors, each with the traceback that follows it."""
    statuses: Counter[str] = Counter()
    samples: list[str] = []
    errors: list[str] = []
    for log in sorted(work.glob("serve-*.log")):
        lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
        for i, line in enumerate(lines):
            access = ACCESS_STATUS.match(line)
            if access:
                if not access[2].startswith("2"):
                    statuses[access[2]] += 1
                    if len(samples) < 10:
                        samples.append(f"{access[2]} {access[1]}")
            # Flask logs "ERROR in errors: unhandled error on ..."; gunicorn "[ERROR] ...".
            elif "ERROR" in line:
                block = [line]
                for more in lines[i + 1:i + 80]:
                    if ACCESS_STATUS.match(more) or "ERROR" in more:
                        break
                    block.append(more)
                errors.append(f"{log.name}:\n" + "\n".join(block))
    return {"non2xx": dict(statuses), "non2xx_samples": samples, "errors": errors[:20],
            "error_count": len(errors)}


# --- corpus and releases --------------------------------------------------------------


def release_record(record: dict, *, release_id: str | None = None,
                   marker: str | None = None) -> dict:
    """A generated corpus record in the shape `pressroom index` reads
    (indexer/inputs/records.py)."""
    out = {"id": release_id or record["id"], "date": record["date"],
           "topics": [topic_slug(record["topic"])]}
    for lang in ("en", "ru"):
        title, body = record.get(f"title_{lang}", ""), record.get(f"body_{lang}", "")
        if lang == "en" and marker:
            title, body = f"{title} {marker}", f"{body} {marker}"
        if body or title:
            out[lang] = {"title": title, "body": body}
    return out


def write_jsonl(records: Sequence[dict], path: Path) -> Path:
    with path.open("w", encoding="utf-8") as f:
        for record in records:
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


def index_file(root: Path, path: Path) -> subprocess.CompletedProcess:
    # Records may name only topics of the taxonomy, and the generated corpus has
    # its own: index them under a taxonomy that holds them too.
    env = child_env(**({"PRESSROOM_TOPICS": str(corpus_taxonomy(path))}
                       if path.suffix == ".jsonl" else {}))
    return subprocess.run([*pressroom_command(), "index", "--index", str(root), str(path)],
                          capture_output=True, text=True, env=env, cwd=REPO)


def corpus_taxonomy(path: Path) -> Path:
    """The bundled taxonomy plus every topic the records of ``path`` name (no keywords),
    written beside it."""
    from indexer.topics import DEFAULT_TAXONOMY

    topics = sorted({t for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
                     for t in json.loads(line).get("topics", [])})
    text = Path(DEFAULT_TAXONOMY).read_text(encoding="utf-8")
    known = set(re.findall(r"^\[topics\.([^\]]+)\]", text, flags=re.M))
    text += "".join(f'\n[topics.{slug}]\nen = "{slug}"\nru = "{slug}"\nkeywords = []\n'
                    for slug in topics if slug not in known)
    taxonomy = path.with_suffix(".topics.toml")
    taxonomy.write_text(text, encoding="utf-8")
    return taxonomy


def build_index(n: int, work: Path) -> Path:
    """A fresh index of the first n releases of the generated corpus."""
    corpus = corpus_for(n)
    source = write_jsonl([release_record(r) for r in read_records(corpus, n)],
                         work / f"corpus-{n}.jsonl")
    root = work / f"index-{n}"
    done = index_file(root, source)
    if done.returncode:
        raise RuntimeError(f"pressroom index failed:\n{done.stdout}\n{done.stderr}")
    return root


def marker_word() -> str:
    # Letters only, so every analyzer keeps it one token; random, so it is in no release.
    return "zq" + "".join(secrets.choice(string.ascii_lowercase) for _ in range(10))


def fresh_releases(work: Path, marker: str, count: int = FRESH_COUNT) -> Path:
    """`count` new releases (new ids; text of corpus releases plus the marker word)."""
    records = read_records(corpus_for(count), count)
    fresh = [release_record(r, release_id=f"web-{marker}-{i:04d}", marker=marker)
             for i, r in enumerate(records)]
    return write_jsonl(fresh, work / f"fresh-{marker}.jsonl")


def commit_toc(root: Path) -> tuple[Path, float]:
    """The newest TOC of the live generation and its modification time (epoch seconds)."""
    from indexer.location import live_index_dir

    live = live_index_dir(root)
    tocs = sorted(live.glob("_*_*.toc"), key=lambda p: int(p.stem.rsplit("_", 1)[1]))
    toc = tocs[-1]
    return toc, toc.stat().st_mtime_ns / 1e9
