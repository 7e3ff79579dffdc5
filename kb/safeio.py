"""Safe file primitives: writes that never follow a planted link, reads with a size cap.

Every file kb writes goes through here, so that a symlink placed in the index or drafts folder
(`index/build.lock -> ~/.bashrc`) can never make kb truncate or overwrite what it points to:

- `write_atomic` writes a temporary file with an unpredictable name in the target's folder
  (`tempfile.mkstemp`: O_CREAT|O_EXCL|O_NOFOLLOW), fsyncs it and renames it over the target
  (a rename replaces a link, it never writes through one);
- `create_new` creates a file that must not exist yet (O_EXCL|O_NOFOLLOW);
- `open_lock` opens a lock file without following a link and refuses anything but a
  regular file;
- `make_dirs` creates folders below a root, refusing a component that is a symlink;
- `read_bytes`/`read_text` read a regular file with a size cap, never blocking on a FIFO;
- `inside` resolves a path named by a record and refuses it when it leaves its root.

Errors are KbError subclasses with one line naming the path.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from pathlib import Path

from kb.errors import KbError

MB = 1024 * 1024
# Caps far beyond any real file of its kind, low enough that a hostile one (`/dev/zero`, a
# 50 MB field) fails in a second with a clear line instead of exhausting memory.
MAX_RECORD = 2 * MB  # one YAML record (the largest bundled one is ~10 KB)
MAX_CONFIG = 8 * MB  # topics.yaml, synonyms.yaml, dictionary.txt
MAX_TEXT = 64 * MB  # a source text (a whole book is ~2 MB)
MAX_SMALL = 1 * MB  # index bookkeeping: CURRENT, manifest pieces

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


class PathError(KbError):
    """A problem with one path: str() is `path: reason`; `reason` alone for `path:line:` reports."""

    def __init__(self, path: str | os.PathLike, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = str(path)
        self.reason = reason


class UnsafePath(PathError):
    """A path kb refuses to read or write: a link, a folder leaving its root, not a regular file."""


class TooLarge(PathError):
    """A file larger than kb reads of its kind."""


def _why(e: OSError) -> str:
    if e.errno == errno.ELOOP:
        return "is a symbolic link (kb does not write through links) or a link loop"
    return e.strerror or str(e)


def _human(n: int) -> str:
    return f"{n // MB} MB" if n >= MB and n % MB == 0 else f"{n:,} bytes"


# -- writing --------------------------------------------------------------------------------


def write_atomic(
    path: str | os.PathLike, data: bytes | str, *, encoding: str = "utf-8", fsync: bool = True, mode: int = 0o644
) -> None:
    """Replace `path` with `data` atomically: a temporary file in the same folder (created with
    O_EXCL|O_NOFOLLOW under an unpredictable name), fsynced, then renamed over `path`. A link at
    `path` is replaced, never followed; a folder at `path` is an error. Temporaries are removed
    when anything fails (a full disk, Ctrl-C)."""
    path = Path(path)
    raw = data.encode(encoding) if isinstance(data, str) else data
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        st = None
    except OSError as e:
        raise UnsafePath(path, f"cannot be written: {_why(e)}") from None
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise UnsafePath(path, "is a folder where kb writes a file (remove or rename it)")
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
            fh.flush()
            if fsync:
                os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    if fsync:
        _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | _CLOEXEC)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def create_new(path: str | os.PathLike, data: bytes | str, *, encoding: str = "utf-8") -> None:
    """Create `path`, which must not exist (not even as a link), and write `data` to it.
    FileExistsError when something is there already; removed again if the write fails."""
    path = Path(path)
    raw = data.encode(encoding) if isinstance(data, str) else data
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC, 0o644)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
    except BaseException:
        try:
            os.unlink(path)
        except OSError:
            pass
        raise


def open_lock(path: str | os.PathLike) -> int:
    """Open (creating) a lock file for reading and writing without following a link; refuse a
    FIFO, device or folder planted in its place. Returns a file descriptor (close it yourself).
    Nothing is ever written to it, so an existing file keeps its bytes."""
    path = Path(path)
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | _NOFOLLOW | _NONBLOCK | _CLOEXEC, 0o644)
    except OSError as e:
        raise UnsafePath(path, f"cannot open the lock file: {_why(e)} (remove it and retry)") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise UnsafePath(path, "the lock file is not a regular file (remove it and retry)")
    return fd


def make_dirs(path: str | os.PathLike, root: str | os.PathLike) -> Path:
    """Create `path` and its missing parents below `root` (which must exist or is created the
    same way from its own parent), refusing any component below root that is a symbolic link
    or not a folder. Returns `path`."""
    root = Path(root)
    path = Path(path)
    try:
        rel = path.relative_to(root)
    except ValueError:
        raise UnsafePath(path, f"is not inside {root}") from None
    if ".." in rel.parts:
        raise UnsafePath(path, f"'..' is not allowed below {root}")
    if not root.is_dir():
        root.mkdir(parents=True, exist_ok=True)
    cur = root
    for part in rel.parts:
        cur = cur / part
        try:
            os.mkdir(cur)
            continue
        except FileExistsError:
            pass
        except OSError as e:
            raise UnsafePath(cur, f"cannot create the folder: {_why(e)}") from None
        st = os.lstat(cur)
        if stat.S_ISLNK(st.st_mode):
            raise UnsafePath(
                cur, f"is a symbolic link; kb writes only into real folders inside {root} (remove the link)"
            )
        if not stat.S_ISDIR(st.st_mode):
            raise UnsafePath(cur, "is not a folder (remove or rename it)")
    return path


# -- reading --------------------------------------------------------------------------------


def read_bytes(path: str | os.PathLike, cap: int, *, what: str = "file", follow: bool = True) -> bytes:
    """The bytes of regular file `path`, at most `cap` of them: TooLarge naming the path and
    the cap when it is bigger (nothing beyond cap+1 bytes is read, so `/dev/zero` is safe);
    UnsafePath for a FIFO, device or folder (opened non-blocking, so a FIFO never hangs);
    OSError as raised for a missing or unreadable file. `follow=False` refuses a final link."""
    path = Path(path)
    flags = os.O_RDONLY | _NONBLOCK | _CLOEXEC | (0 if follow else _NOFOLLOW)
    try:
        fd = os.open(path, flags)
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise UnsafePath(path, f"cannot be read: {_why(e)}") from None
        raise
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            kind = (
                "a folder"
                if stat.S_ISDIR(st.st_mode)
                else "a FIFO"
                if stat.S_ISFIFO(st.st_mode)
                else "not a regular file"
            )
            raise UnsafePath(path, f"is {kind}; kb reads only regular files as {what}")
        if st.st_size > cap:
            raise TooLarge(path, f"{what} is {_human(st.st_size)}, more than the {_human(cap)} kb reads")
        chunks = []
        got = 0
        while got <= cap:
            chunk = os.read(fd, min(cap + 1 - got, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
        if got > cap:
            raise TooLarge(path, f"{what} is more than the {_human(cap)} kb reads")
        return b"".join(chunks)
    finally:
        os.close(fd)


def read_text(
    path: str | os.PathLike, cap: int, *, what: str = "file", encoding: str = "utf-8", follow: bool = True
) -> str:
    """`read_bytes` decoded (UnicodeDecodeError as raised)."""
    return read_bytes(path, cap, what=what, follow=follow).decode(encoding)


# -- paths named by records -----------------------------------------------------------------


def inside(root: str | os.PathLike, path: str | os.PathLike) -> Path:
    """`path` (absolute, or relative to the working folder) resolved through every link; it
    must stay inside `root` (also resolved). UnsafePath otherwise. The file need not exist."""
    root_r = Path(root).resolve()
    try:
        real = Path(path).resolve()
    except (OSError, RuntimeError) as e:  # a link loop
        raise UnsafePath(path, f"cannot be resolved: {e}") from None
    if real != root_r and root_r not in real.parents:
        raise UnsafePath(path, f"leads outside {root} (to {real}); kb reads only files inside the knowledge base")
    return real


def resolve_inside(root: str | os.PathLike, base: str | os.PathLike, name: str) -> Path:
    """A path a record names (`name`, relative to folder `base`) resolved inside `root`:
    an absolute name, or one that leaves root through '..' or a link, is UnsafePath."""
    if not isinstance(name, str) or not name.strip():
        raise UnsafePath(repr(name), "is not a file name")
    if "\x00" in name:
        raise UnsafePath(repr(name), "a file name cannot hold a NUL character")
    if os.path.isabs(name):
        raise UnsafePath(name, "must be relative to the record's folder, not an absolute path")
    return inside(root, Path(base) / name)
