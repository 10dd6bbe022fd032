"""`pressroom watch`: bursts batched, partial writes waited out, deletions, restarts,
SIGTERM at a commit boundary.  The core runs on a fake clock with explicit ticks;
the end-to-end tests wait for log lines, never for time to pass."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from whoosh import index as whoosh_index

from indexer.ledger import Ledger
from indexer.location import live_index_dir
from indexer.store import Progress, Store
from indexer.watch import FolderWatch, is_temporary, make_observer, stop_on_signals

ROOT = Path(__file__).resolve().parents[2]
#: A failure bound only: how long to wait for a log line before declaring a hang.
PATIENCE = 120


def release_text(n: int, body: str = "") -> str:
    body = body or f"The Minister met delegation {n} to discuss river basin number {n}."
    return (f"Press release 3 March 2026\n\n"
            f"No:{n}/26, Minister met delegation {n} of the Water Council (ENG/RU)\n\n"
            f"{body}\n\n"
            f"Министр встретился с делегацией {n}, чтобы обсудить речной бассейн {n}.\n")


def stored(root: Path) -> dict[str, dict]:
    try:
        folder = live_index_dir(root)
    except Exception:
        return {}
    ix = whoosh_index.open_dir(str(folder))
    with ix.searcher() as s:
        return {d["id"]: d for d in s.all_stored_fields()}


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture()
def setup(tmp_path):
    folder = tmp_path / "inbox"
    folder.mkdir()
    root = tmp_path / "index"
    store = Store(root)
    store.actor, store.origin = "watch", str(folder)
    clock = Clock()
    lines: list[str] = []
    watch = FolderWatch(store, folder, quiet=1.0, max_delay=30.0, clock=clock,
                        report=lines.append)
    return watch, folder, root, clock, lines


def settle(watch: FolderWatch, clock: Clock):
    """Two looks a quiet period apart: what a quiet folder gets."""
    clock.advance(0.5)
    assert watch.tick() is None  # the first look only records the files
    clock.advance(1.0)
    return watch.tick()


def test_temporary_names_are_ignored(setup):
    watch, folder, *_ = setup
    for name in (".hidden.txt", "draft.txt~", "a.tmp", "b.txt.part", ".#lock.txt", "x.swp"):
        assert is_temporary(Path(name))
        watch.notice(folder / name)
    watch.notice(folder / ".git" / "notes.txt")  # hidden folders: skipped like sync does
    watch.notice(folder / "photo.jpg")  # not an input format
    assert watch.pending() == []
    watch.notice(folder / "real.txt")
    assert watch.pending() == [folder / "real.txt"]


def test_a_burst_of_200_files_through_the_observer_is_one_commit(setup):
    watch, folder, root, clock, lines = setup
    watch.start()
    observer = make_observer(watch)
    try:
        for n in range(1, 201):
            (folder / f"release-{n}.txt").write_text(release_text(n), encoding="utf-8")
        # Wait (failure bound only) for the observer to have reported every file
        # closed by its writer: the last event a written file gets.
        def all_closed() -> bool:
            with watch._lock:
                looks = list(watch._pending.values())
            return len(looks) == 200 and all(look.open_since is None for look in looks)

        done = threading.Event()
        for _ in range(PATIENCE * 10):
            if all_closed():
                done.set()
                break
            threading.Event().wait(0.1)
        assert done.is_set(), f"only {len(watch.pending())} files noticed"
    finally:
        observer.stop()
        observer.join()
    summary = settle(watch, clock)
    assert summary is not None and summary.added == 200, lines
    assert watch.commits == 1
    assert len(stored(root)) == 200
    assert lines[-1].startswith("added 200, updated 0, unchanged 0, deleted 0, failed 0")
    log = Ledger(root).history()
    assert [(e["actor"], e["added"]) for e in log] == [("watch", 200)]


def test_events_during_the_quiet_period_postpone_the_commit(setup):
    watch, folder, root, clock, _ = setup
    for n in range(1, 201):
        (folder / f"r{n}.txt").write_text(release_text(n), encoding="utf-8")
        watch.notice(folder / f"r{n}.txt")
        clock.advance(0.1)  # a copy that takes 20 s: events never 1 s apart
        if n % 10 == 0:
            assert watch.tick() is None
    summary = settle(watch, clock)
    assert summary.added == 200 and watch.commits == 1


def test_events_that_never_stop_still_commit_after_max_delay(setup):
    watch, folder, root, clock, _ = setup
    commits = []
    for n in range(1, 401):  # 40 s of events, 0.1 s apart
        (folder / f"r{n}.txt").write_text(release_text(n), encoding="utf-8")
        watch.notice(folder / f"r{n}.txt")
        clock.advance(0.1)
        if n % 10 == 0 and (summary := watch.tick()) is not None:
            commits.append(summary.added)
    assert len(commits) == 1 and 250 < commits[0] < 300  # once, at max_delay (30 s)
    summary = settle(watch, clock)
    assert sum(commits) + summary.added == 400 and watch.commits == 2


def test_a_file_written_in_three_parts_is_indexed_once_complete(setup):
    watch, folder, root, clock, lines = setup
    target = folder / "slow.txt"
    text = release_text(7, body="First part. Second part of the body. Third and last part.")
    with open(target, "w", encoding="utf-8") as out:
        for part in (text[:60], text[60:140], text[140:]):
            out.write(part)
            out.flush()
            watch.notice(target, writing=True)  # what inotify reports: modified
            # Long pauses between the parts: the quiet period passes, and the file
            # looks the same twice, but its writer still holds it open.
            for _ in range(3):
                clock.advance(5.0)
                assert watch.tick() is None
    watch.notice(target, writing=False)  # closed
    summary = settle(watch, clock)
    assert summary is not None and summary.added == 1
    assert watch.commits == 1
    (release,) = stored(root).values()
    assert "Third and last part." in release["body_en"]
    assert [e["added"] for e in Ledger(root).history()] == [1]


def test_a_slow_writer_seen_through_the_observer_is_taken_after_it_closes(setup):
    watch, folder, root, clock, lines = setup
    observer = make_observer(watch)
    target = folder / "slow.txt"
    text = release_text(8, body="First part. Second part of the body. Third and last part.")

    def noticed(opened: bool, before: int) -> None:
        # Wait (failure bound only) for the observer to report the writer's state.
        for _ in range(PATIENCE * 10):
            look = watch._pending.get(target)
            if (watch.events > before and look is not None
                    and (look.open_since is not None) == opened):
                return
            threading.Event().wait(0.1)
        raise AssertionError(f"the observer never reported the file as open={opened}")

    try:
        with open(target, "w", encoding="utf-8") as out:
            for part in (text[:60], text[60:140], text[140:]):
                before = watch.events
                out.write(part)
                out.flush()
                noticed(opened=True, before=before)
                for _ in range(3):
                    clock.advance(5.0)
                    assert watch.tick() is None
            before = watch.events
        noticed(opened=False, before=before)
    finally:
        observer.stop()
        observer.join()
    summary = settle(watch, clock)
    assert summary is not None and summary.added == 1 and watch.commits == 1
    assert "Third and last part." in next(iter(stored(root).values()))["body_en"]


def test_a_file_that_grows_without_events_is_not_taken(setup):
    watch, folder, root, clock, _ = setup
    target = folder / "grow.txt"
    target.write_text(release_text(3)[:50], encoding="utf-8")
    watch.notice(target)
    clock.advance(2.0)
    assert watch.tick() is None  # first look
    with open(target, "a", encoding="utf-8") as out:
        out.write(release_text(3)[50:])  # no event delivered (a lost or late one)
    clock.advance(2.0)
    assert watch.tick() is None  # size changed: not stable
    summary = watch.tick()
    assert summary is not None and summary.added == 1
    assert "river basin number 3" in next(iter(stored(root).values()))["body_en"]


def test_deleting_a_file_deletes_its_release(setup):
    watch, folder, root, clock, _ = setup
    for n in (1, 2):
        (folder / f"r{n}.txt").write_text(release_text(n), encoding="utf-8")
    watch.start()
    assert set(stored(root)) == {"2026-1", "2026-2"}
    (folder / "r1.txt").unlink()
    watch.notice(folder / "r1.txt")
    summary = settle(watch, clock)
    assert summary.deleted == 1
    assert set(stored(root)) == {"2026-2"}
    log = Ledger(root).history()
    assert log[-1]["changes"]["deleted"] == ["2026-1"] and log[-1]["actor"] == "watch"


def test_a_restart_catches_up_with_changes_made_while_down(setup, tmp_path):
    watch, folder, root, clock, lines = setup
    for n in (1, 2, 3):
        (folder / f"r{n}.txt").write_text(release_text(n), encoding="utf-8")
    watch.start()
    # Down: one file added, one changed, one deleted, and no events for any of it.
    (folder / "r4.txt").write_text(release_text(4), encoding="utf-8")
    (folder / "r2.txt").write_text(release_text(2, body="Changed while nobody watched."),
                                   encoding="utf-8")
    (folder / "r3.txt").unlink()
    again = FolderWatch(watch.store, folder, clock=clock, report=lines.append)
    summary = again.start()
    assert (summary.added, summary.updated, summary.deleted) == (1, 1, 1)
    assert lines[-1].startswith("added 1, updated 1, unchanged 1, deleted 1, failed 0")
    assert set(stored(root)) == {"2026-1", "2026-2", "2026-4"}


class TermAt(Progress):
    """Sends this process SIGTERM when the commit has written its ``nth`` document."""

    def __init__(self, nth: int) -> None:
        self.nth, self.seen = nth, 0

    def advance(self, n: int = 1) -> None:
        self.seen += n
        if self.seen == self.nth:
            os.kill(os.getpid(), signal.SIGTERM)


def test_sigterm_in_the_middle_of_a_commit_lets_it_finish(setup):
    watch, folder, root, clock, _ = setup
    for n in range(1, 51):
        (folder / f"r{n}.txt").write_text(release_text(n), encoding="utf-8")
        watch.notice(folder / f"r{n}.txt")
    watch.store.progress = TermAt(50 + 20)  # 50 parsed, then the 20th document written
    with stop_on_signals() as stop:
        summary = settle(watch, clock)
        assert stop.is_set()  # the signal came, during the commit
    assert summary.added == 50
    assert len(stored(root)) == 50  # the batch's commit, whole


def test_sigterm_before_a_batch_commits_abandons_it_and_the_next_start_takes_it(setup):
    watch, folder, root, clock, lines = setup
    watch.start()
    (folder / "r1.txt").write_text(release_text(1), encoding="utf-8")
    watch.notice(folder / "r1.txt")
    with stop_on_signals() as stop:
        os.kill(os.getpid(), signal.SIGTERM)
        assert stop.wait(PATIENCE)
    # The run loop stops here; the batch was never committed.
    assert stored(root) == {}
    assert FolderWatch(watch.store, folder, report=lines.append).start().added == 1


# -- the command itself, end to end -------------------------------------------


def start_watch(folder: Path, root: Path, *extra: str) -> tuple[subprocess.Popen, queue.Queue]:
    env = {**os.environ, "PRESSROOM_WATCH_QUIET": "0.5", "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "pressroom"), "watch", "--index", str(root),
         *extra, str(folder)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    lines: queue.Queue = queue.Queue()

    def pump() -> None:
        for line in proc.stdout:
            lines.put(line.rstrip("\n"))
        lines.put(None)

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    proc.reader = reader
    return proc, lines


def end(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.kill()
    proc.wait()
    proc.reader.join(PATIENCE)
    proc.stdout.close()


def wait_for(lines: queue.Queue, predicate) -> str:
    while True:
        line = lines.get(timeout=PATIENCE)
        assert line is not None, "watch ended early"
        if predicate(line):
            return line


@pytest.mark.parametrize("mode", ["events", "polling"])
def test_watch_command_indexes_new_files_and_stops_on_sigterm(tmp_path, mode):
    folder, root = tmp_path / "inbox", tmp_path / "index"
    folder.mkdir()
    (folder / "r1.txt").write_text(release_text(1), encoding="utf-8")
    extra = ("--polling",) if mode == "polling" else ()
    proc, lines = start_watch(folder, root, *extra)
    try:
        assert wait_for(lines, lambda s: s.startswith("added ")).startswith("added 1,")
        wait_for(lines, lambda s: s.startswith("watching "))
        # Idle, the watch holds no lock: another writer needs no wait at all.
        assert Store(root, lock_timeout=0.0).delete(["no-such-id"]).notes
        (folder / "r2.txt.part").write_text(release_text(2), encoding="utf-8")
        (folder / "r2.txt.part").rename(folder / "r2.txt")  # a downloader's finish
        wait_for(lines, lambda s: s.startswith("added 1,"))
        assert set(stored(root)) == {"2026-1", "2026-2"}
        (folder / "r1.txt").unlink()
        wait_for(lines, lambda s: s.startswith("added 0,") and "deleted 1," in s)
        proc.send_signal(signal.SIGTERM)
        assert wait_for(lines, lambda s: s.startswith("stopped")) == "stopped"
        assert proc.wait(PATIENCE) == 0
    finally:
        end(proc)
    assert set(stored(root)) == {"2026-2"}
    actors = {(e["actor"], e["operation"]) for e in Ledger(root).history()}
    assert actors == {("watch", "sync")}


def test_watch_shares_the_lock_a_busy_index_keeps_the_batch(setup):
    watch, folder, root, clock, lines = setup
    watch.start()
    (folder / "r1.txt").write_text(release_text(1), encoding="utf-8")
    watch.notice(folder / "r1.txt")
    watch.store.lock_timeout = 0.0
    other = Store(root)
    with other.locked():  # another writer (the API, `pressroom index`) is committing
        assert settle(watch, clock) is None
        assert lines[-1].startswith("busy, will retry")
        assert watch.pending() == [folder / "r1.txt"]
    summary = watch.tick()  # its turn comes
    assert summary is not None and summary.added == 1 and watch.pending() == []
    # Between commits the watch holds no lock: another writer goes straight in.
    with other.locked():
        pass


def test_a_folder_moved_in_or_out_ends_in_a_full_sync(setup, tmp_path):
    watch, folder, root, clock, lines = setup
    outside = tmp_path / "batch"
    outside.mkdir()
    for n in (1, 2):
        (outside / f"r{n}.txt").write_text(release_text(n), encoding="utf-8")
    outside.rename(folder / "batch")  # one event for the folder, none for its files
    watch.notice_folder()
    clock.advance(1.0)
    summary = watch.tick()
    assert summary is not None and summary.added == 2
    (folder / "batch").rename(tmp_path / "gone")
    watch.notice_folder()
    clock.advance(1.0)
    assert watch.tick().deleted == 2 and stored(root) == {}
