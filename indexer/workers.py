"""Worker processes that analyze releases for the single index writer.

Most of an indexing run goes into analysis (tokenizing, lemmatizing, tagging
topics), which needs nothing from the index.  ``AnalysisPool`` hands
consecutive slices of the releases to worker processes, each of which turns
its slice into a ``indexer.codec.chunks.Chunk`` (postings grouped by field and term, the
stored fields pickled and compressed), and gives the chunks back in order.
Document numbers, and so the index, are exactly those of a run without
workers; the writer, and every lock, stay in the calling process.

Workers are fresh interpreters (``python -m indexer.workers``), not forks: a
fork would inherit the open lock files, and keep the index locked after its
parent died, along with whatever the parent's other threads held.  A worker
reads tasks from its stdin and exits when that closes.  It also holds the read
end of a *lifeline*, a pipe nobody writes to whose only write end is the
parent's: when the parent dies, however abruptly, a thread of the worker sees
end-of-file at once and ends the worker, even in the middle of a long task.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import pickle
import struct
import subprocess
import sys
import threading
import traceback
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from indexer.codec.blocks import BlockBatch, EncodedBlock, encode_batch
from indexer.codec.chunks import Chunk, ChunkBuilder
from indexer.faults import ENV as CRASH_ENV
from indexer.release import Release, Version

#: Releases per task: big enough that a chunk's postings group well, small
#: enough that the first chunks arrive soon and the last ones finish together.
CHUNK_SIZE = 500
#: Seconds a worker gets to exit after its input closes before it is killed.
STOP_TIMEOUT = 10.0

_HEADER = struct.Struct("<Q")
PROJECT_ROOT = Path(__file__).resolve().parents[1]


class WorkerError(RuntimeError):
    """A worker process died or could not be started."""


def cpu_count() -> int:
    """CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def send(stream: IO[bytes], message: Any) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)))
    stream.write(data)
    stream.flush()


def receive(stream: IO[bytes]) -> Any:
    """The next message; EOFError when the other side has closed."""
    head = stream.read(_HEADER.size)
    if len(head) < _HEADER.size:
        raise EOFError
    (size,) = _HEADER.unpack(head)
    data = stream.read(size)
    if len(data) < size:
        raise EOFError
    return pickle.loads(data)


@dataclass
class Setup:
    """What every worker needs before its first task."""

    schema: Any
    #: The tagger's taxonomy; None: the worker loads the configured one.
    taxonomy: Any
    now: dt.datetime
    #: The parent's gazetteer with its stamp (``indexer.gazetteer.catalog.stamped_gazetteer``),
    #: adopted by every worker instead of each building its own; None: each reads the files.
    gazetteer: tuple | None = None

    def completed(self) -> Setup:
        """This setup with what the parent loads once for all its workers: the
        gazetteer, when the schema has fields that use it (the name keys, issue 12;
        the entities, issue 13).  Called once the workers are started, so that
        loading it overlaps their own start-up."""
        from indexer.fields import COUNTRY_FIELD, NAME_SPELLINGS_FIELD

        if self.gazetteer is not None or not {COUNTRY_FIELD, NAME_SPELLINGS_FIELD} & set(
                self.schema.names()):
            return self
        from indexer.gazetteer.catalog import stamped_gazetteer

        return dataclasses.replace(self, gazetteer=stamped_gazetteer())


class _Packed:
    """Releases for the pipe, their texts as UTF-8 bytes.

    Pickling a str makes CPython keep a UTF-8 copy inside it for as long as it
    lives: sent as they are, the parent's releases would double in memory.
    Packing happens as the feeder thread pickles each task.
    """

    def __init__(self, releases: Sequence[Release]) -> None:
        self.releases = releases

    def __reduce__(self) -> tuple:
        packed = []
        for r in self.releases:
            versions = [(v.lang, v.title.encode("utf-8"), v.body.encode("utf-8"))
                        for v in r.versions.values()]
            packed.append((versions, r.date, r.number, r.url, r.topics, r.id, r.source))
        return _unpack, (packed,)


def _unpack(packed: list[tuple]) -> list[Release]:
    return [Release(versions={lang: Version(lang, title.decode("utf-8"), body.decode("utf-8"))
                              for lang, title, body in versions},
                    date=date, number=number, url=url, topics=topics, id=id_, source=source)
            for versions, date, number, url, topics, id_, source in packed]


def prepare(setup: Setup, tagger: Callable[[Release], list[str]], start: int,
            releases: Sequence[Release]) -> Chunk:
    """The chunk of ``releases`` as documents numbered from ``start``."""
    from indexer.documents import release_document

    builder = ChunkBuilder(setup.schema, start)
    for release in releases:
        builder.add(release_document(release, tagger, now=setup.now, schema=setup.schema))
    return builder.build()


class AnalysisPool:
    """Worker processes preparing chunks of releases, and encoding posting blocks
    for the writer's commit; use as a context manager."""

    def __init__(self, setup: Setup, processes: int) -> None:
        self.setup = setup
        self.processes = processes
        self._procs: list[subprocess.Popen] = []
        self._feeder: threading.Thread | None = None
        self._feed_error: BaseException | None = None
        self._lifeline: int | None = None
        #: Every task's result was read: the workers may simply be let go.
        self._done = False
        env = {**os.environ}
        env.pop(CRASH_ENV, None)  # crash points are the writer's, never a worker's
        # The workers import this package as the parent did.
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(PROJECT_ROOT), env.get("PYTHONPATH", "")) if p)
        # The write end is not inheritable: only this process holds it.
        lifeline, self._lifeline = os.pipe()
        try:
            for _ in range(processes):
                proc = subprocess.Popen([sys.executable, "-m", "indexer.workers", str(lifeline)],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        env=env, close_fds=True, pass_fds=(lifeline,))
                self._procs.append(proc)
            self.setup = setup = setup.completed()  # while the workers start
            for proc in self._procs:
                send(proc.stdin, setup)
        except BaseException:
            self.close()
            raise
        finally:
            os.close(lifeline)

    def __enter__(self) -> AnalysisPool:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def chunks(self, releases: Sequence[Release], start: int) -> Iterator[Chunk]:
        """Chunks of ``releases`` in order, documents numbered from ``start``."""
        size = CHUNK_SIZE
        starts = range(0, len(releases), size)
        return self._run((("prepare", (start + i, _Packed(releases[i:i + size])))
                          for i in starts), len(starts))

    def encode_blocks(self, batches: Iterable[BlockBatch],
                      count: int) -> Iterator[list[EncodedBlock]]:
        """Each of the ``count`` batches' blocks encoded (``indexer.codec.blocks.encode_batch``), in
        order.  The batches are made as they are sent, in another thread."""
        return self._run((("encode", batch) for batch in batches), count)

    def _run(self, tasks: Iterable[tuple[str, Any]], count: int) -> Iterator[Any]:
        """The results of ``count`` tasks in order, the tasks spread over the workers."""
        procs = self._procs
        if self._feeder is not None:
            self._feeder.join()
        self._done = False
        # Tasks go out from a thread: a worker blocked writing a result must
        # not keep the parent from reading it, nor the other way round.
        self._feeder = threading.Thread(target=self._feed, args=(tasks,), daemon=True,
                                        name="pressroom-analysis-feeder")
        self._feeder.start()
        for i in range(count):
            proc = procs[i % len(procs)]
            try:
                kind, payload = receive(proc.stdout)
            except EOFError:
                failure = self._feed_error
                if failure is not None and not isinstance(failure, OSError):
                    raise failure from None  # making a task failed, here
                raise self._died(proc) from failure
            if kind == "error":
                raise _remote_error(payload)
            yield payload
        self._feeder.join()
        self._done = True

    def _feed(self, tasks: Iterable[tuple[str, Any]]) -> None:
        procs = self._procs
        try:
            for i, task in enumerate(tasks):
                send(procs[i % len(procs)].stdin, task)
        except BaseException as exc:
            # A worker died (a broken pipe), or making a task failed: the
            # reader, waiting on a worker, learns of it when they are gone.
            self._feed_error = exc
            for proc in procs:
                if proc.poll() is None:
                    proc.kill()

    def _died(self, proc: subprocess.Popen) -> WorkerError:
        try:
            code = proc.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            code = None
        return WorkerError(f"an indexing worker process stopped (exit code {code})")

    def close(self) -> None:
        """Let the workers go: close their input, so that they exit.

        Workers still busy (the run failed or was interrupted) are killed
        first: the feeder thread may be blocked writing to them.
        """
        if not self._done:
            for proc in self._procs:
                if proc.poll() is None:
                    proc.kill()
        for proc in self._procs:
            try:
                proc.stdin.close()
            except (OSError, ValueError):
                pass
        for proc in self._procs:
            try:
                proc.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            if proc.stdout is not None:
                proc.stdout.close()
        if self._feeder is not None:
            self._feeder.join(timeout=STOP_TIMEOUT)
        self._procs = []
        if self._lifeline is not None:
            os.close(self._lifeline)
            self._lifeline = None


def _remote_error(payload: tuple[BaseException | None, str]) -> BaseException:
    """The worker's exception (or a WorkerError), with its traceback as a note."""
    exc, text = payload
    if exc is None:
        exc = WorkerError("an indexing worker failed")
    exc.add_note(f"raised in an indexing worker process:\n{text}")
    return exc


class _LazyTagger:
    """The taxonomy's tagger, loaded on first use (many runs carry their topics)."""

    def __init__(self, taxonomy: Any) -> None:
        self.taxonomy = taxonomy

    def __call__(self, release: Release) -> list[str]:
        if self.taxonomy is None:
            from indexer.topics import Taxonomy

            self.taxonomy = Taxonomy.load()
        return self.taxonomy.tag(release)


def serve(inp: IO[bytes], out: IO[bytes]) -> None:
    """A worker's loop: a Setup, then tasks until the input closes."""
    from indexer.analysis import shared_morph_analyzer

    shared_morph_analyzer()  # while the parent completes the Setup (``Setup.completed``)
    try:
        setup: Setup = receive(inp)
    except EOFError:
        return
    if setup.gazetteer is not None:
        from indexer.gazetteer.catalog import adopt_gazetteer

        adopt_gazetteer(*setup.gazetteer)
    tagger = _LazyTagger(setup.taxonomy)
    while True:
        try:
            kind, task = receive(inp)
        except EOFError:
            return
        try:
            if kind == "prepare":
                result = prepare(setup, tagger, *task)
            else:
                result = encode_batch(task)
        except BaseException as exc:
            text = traceback.format_exc()
            try:
                pickle.dumps(exc)
            except Exception:
                exc = None
            send(out, ("error", (exc, text)))
            return
        send(out, ("done", result))


def watch_parent(lifeline: int) -> None:
    """End this process as soon as the parent holding the lifeline's write end is gone."""

    def wait() -> None:
        try:
            while os.read(lifeline, 1):
                pass  # nobody writes; end-of-file is the only news
        except OSError:
            pass
        os._exit(0)  # the parent died: nobody wants this task's result

    threading.Thread(target=wait, daemon=True, name="pressroom-worker-lifeline").start()


def main() -> None:
    if len(sys.argv) > 1:
        watch_parent(int(sys.argv[1]))
    # Results go to the original stdout; anything printed goes to stderr.
    out = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    try:
        serve(sys.stdin.buffer, out)
    except (BrokenPipeError, KeyboardInterrupt):
        pass  # the parent is gone or stopping us: nothing left to do
    finally:
        try:
            out.close()
        except BrokenPipeError:
            pass


if __name__ == "__main__":
    main()
