"""The typed errors of an index write: busy (another writer holds the lock), and
unwritable (disk full, read-only), which the command line and the web error
handler map to an exit code and a status.  Raised by ``indexer.store.Store``."""

from __future__ import annotations

import errno
from pathlib import Path


class IndexBusy(Exception):
    """Another process holds the index's write lock."""

    def __init__(self, root: Path) -> None:
        super().__init__(
            f"index is busy: another pressroom process is writing to {root}; "
            "try again when it finishes"
        )
        self.root = root


class IndexUnwritable(Exception):
    """The index cannot be written: nothing of this run was committed, and its
    partly written files are gone.  Searching the index still works."""

    def __init__(self, root: Path, cause: OSError, what: str, advice: str) -> None:
        reason = cause.strerror or str(cause)
        if cause.filename:
            reason += f": {cause.filename}"
        super().__init__(f"{what} ({reason}); nothing was committed; {advice}")
        self.root = root
        self.cause = cause


class DiskFull(IndexUnwritable):
    """No space (or quota) left where the index is written."""

    def __init__(self, root: Path, cause: OSError) -> None:
        super().__init__(root, cause, f"disk full: the index at {root} could not be written",
                         "free some space and run again")


class ReadOnlyIndex(IndexUnwritable):
    """The index folder (or its file system) does not let this process write."""

    def __init__(self, root: Path, cause: OSError) -> None:
        super().__init__(root, cause, f"the index at {root} is read-only for this process",
                         "searching it still works; make the folder writable to change it")


#: errno values of a write that cannot succeed until an operator acts.
DISK_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})
READ_ONLY_ERRNOS = frozenset({errno.EROFS, errno.EACCES, errno.EPERM})


def unwritable(root: Path, exc: OSError) -> IndexUnwritable | None:
    """The typed error of a failed index write, or None for any other OSError."""
    if exc.errno in DISK_FULL_ERRNOS:
        return DiskFull(root, exc)
    if exc.errno in READ_ONLY_ERRNOS:
        return ReadOnlyIndex(root, exc)
    return None


