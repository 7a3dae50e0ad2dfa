"""Apply locks as files on one machine: `FileLocks`, the default `ApplyLocks`.

Each account's lock is an empty file, `<host>-<digest>.lock` (see `Account.lock_name`: no
key in it), held with `flock` (`msvcrt.locking` on Windows) through the `filelock`
package. The operating system lets go of it when the holding process ends, killed or not,
so a crash never leaves a lock behind.

Why the synchronous `FileLock`, tried once at a time, and not filelock's `AsyncFileLock`:
the async one acquires in an executor thread, which may take the lock after the waiting
task was cancelled, and then nobody releases it. One try is an `open` and a non-blocking
`flock`, too short to stall the event loop; between tries the task sleeps, and a
cancellation there holds nothing.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from ._lock import Account, ApplyLock

if TYPE_CHECKING:
    import filelock

__all__ = ["FileLocks", "default_lock_dir"]

LOCK_DIR_VARIABLE = "VAPI_LOCK_DIR"


def default_lock_dir() -> Path:
    """Where lock files go: `$VAPI_LOCK_DIR` if set, else a directory of the user's own:
    `~/.cache/vapi-phone/locks` (Linux and other Unix), `~/Library/Caches/vapi-phone/locks`
    (macOS), `%LOCALAPPDATA%\\vapi-phone\\locks` (Windows).

    Not `$XDG_RUNTIME_DIR` nor `$XDG_CACHE_HOME`: a login shell has them and a cron job
    or a service often does not, and two processes that disagree on the directory do not
    keep each other out.
    """
    configured = os.environ.get(LOCK_DIR_VARIABLE)
    if configured:
        return Path(configured)
    home = Path.home()
    if sys.platform == "win32":
        return Path(os.environ.get("LOCALAPPDATA") or home / "AppData" / "Local") / (
            "vapi-phone/locks"
        )
    if sys.platform == "darwin":
        return home / "Library" / "Caches" / "vapi-phone" / "locks"
    return home / ".cache" / "vapi-phone" / "locks"


class FileLocks:
    """Apply locks as files in `directory` (default: `default_lock_dir()`, read when a lock
    is taken). They keep out every process of this machine that uses the same directory:
    processes of another user, or on another machine, are not kept out.

        client = VapiPhoneClient(apply_locks=FileLocks("/srv/vapi/locks"))
    """

    def __init__(self, directory: str | os.PathLike[str] | None = None) -> None:
        self._directory = None if directory is None else Path(directory)

    def __repr__(self) -> str:
        return f"FileLocks({str(self.directory)!r})"

    @property
    def directory(self) -> Path:
        """The directory the lock files are in."""
        return self._directory if self._directory is not None else default_lock_dir()

    def __call__(self, account: Account) -> ApplyLock:
        return _FileLock(self.directory / f"{account.lock_name}.lock")


class _FileLock:
    """One holding of one account's lock file."""

    POLL = 0.05  # seconds between tries while waiting

    def __init__(self, path: Path) -> None:
        self._path = path
        self._lock: filelock.BaseFileLock | None = None

    @property
    def where(self) -> str:
        return str(self._path)

    async def acquire(self, timeout: float | None) -> bool:
        import filelock  # here: a command that applies nothing does not pay its import

        # The user's own directory: no one else may rename or link a file into it.
        self._path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        lock = filelock.FileLock(str(self._path), mode=0o600)
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            try:
                lock.acquire(blocking=False)
            except filelock.Timeout:
                pass
            else:
                self._lock = lock
                return True
            if deadline is None:
                await asyncio.sleep(self.POLL)
                continue
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            await asyncio.sleep(min(self.POLL, left))

    async def release(self) -> None:
        lock, self._lock = self._lock, None
        if lock is not None:
            lock.release()
