"""Where a knowledge base lives: its corpus, its drafts and its index.

A knowledge base is a directory holding `corpus/` (and `index/`, `drafts/`). `--kb DIR` or
`KB_HOME` choose one; otherwise the bundled corpus is used. When the directory is not
writable (an installed package), the index goes to the user cache directory.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from kb.errors import KbError

PACKAGE_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Home:
    root: Path
    corpus_dir: Path
    index_dir: Path
    drafts_dir: Path


def bundled_corpus() -> Path:
    """The corpus that ships with kb: the checkout's corpus/, or the copy inside the package."""
    for cand in (PACKAGE_DIR.parent / "corpus", PACKAGE_DIR / "_corpus"):
        if (cand / "topics.yaml").is_file():
            return cand
    raise KbError("the bundled corpus is missing from this installation (reinstall kb, or use --kb DIR)")


def cache_dir() -> Path:
    """The user's cache folder for kb: $XDG_CACHE_HOME/kb when that is an absolute path (the
    XDG spec ignores a relative one), else ~/.cache/kb, with the home folder from $HOME when it
    is absolute, else from the password database; never `/.cache` or a path relative to the
    working folder. Without any usable home: a per-user folder in the system's temp folder."""
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    if os.path.isabs(xdg):
        return Path(xdg) / "kb"
    home = _home()
    if home is not None:
        return home / ".cache" / "kb"
    import tempfile

    return Path(tempfile.gettempdir()) / f"kb-cache-{os.getuid() if hasattr(os, 'getuid') else 'user'}"


def _home() -> Path | None:
    """The user's home folder, when one is known and absolute (not `/`)."""
    candidates = [os.environ.get("HOME", "")]
    try:
        import pwd

        candidates.append(pwd.getpwuid(os.getuid()).pw_dir)
    except (ImportError, KeyError, OSError):
        pass
    for c in candidates:
        if c and os.path.isabs(c) and Path(c).parent != Path(c):
            return Path(c)
    return None


def _writable(path: Path) -> bool:
    probe = path if path.exists() else path.parent
    return os.access(probe, os.W_OK)


def locate(kb_dir: str | os.PathLike | None = None) -> Home:
    """Resolve the knowledge base from --kb, KB_HOME or the bundled corpus."""
    chosen = kb_dir or os.environ.get("KB_HOME")
    if chosen:
        root = Path(chosen).expanduser().resolve()
        corpus = root / "corpus"
        if not corpus.is_dir():
            raise KbError(f"{root}: no corpus/ folder here (create one with 'kb init {chosen}')")
    else:
        corpus = bundled_corpus().resolve()
        root = corpus.parent
    in_package = PACKAGE_DIR in corpus.parents
    index = root / "index"
    if in_package or not _writable(index):
        digest = hashlib.sha1(str(corpus).encode()).hexdigest()[:12]
        index = cache_dir() / digest / "index"
    return Home(root=root, corpus_dir=corpus, index_dir=index, drafts_dir=root / "drafts")
