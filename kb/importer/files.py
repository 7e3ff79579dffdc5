"""Reading the file to import, writing the drafts, and the whole run (`import_file`)."""

from __future__ import annotations

import errno
import os
import re
import secrets
import stat
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kb.errors import KbError
from kb.importer.cleaning import Document, clean
from kb.importer.measuring import Figures, measure
from kb.importer.proposing import Draft, _topics, propose
from kb.records import ID_RE
from kb.text import squash

# A text kb import reads: a whole book extracted from a PDF is 1-2 MB of UTF-8; cleaning and
# proposing are linear (bench/import_eval.py --scale), so the cap bounds a run.
MAX_IMPORT_BYTES = 4 * 2**20


class ImportProblem(KbError):
    """The file to import cannot be read or holds nothing to import."""


@dataclass(frozen=True)
class ImportResult:
    """What one `kb import` proposed, wrote (or, in a dry run, would write) and measured."""

    file: str
    source: Draft
    drafts: tuple[Draft, ...]
    figures: Figures | None
    written: tuple[str, ...]
    dry_run: bool
    clean: Document = field(repr=False, compare=False, default=None)  # type: ignore[assignment]
    drafts_dir: str = "drafts"
    planned: tuple[str, ...] = ()  # the files a run writes (paths under drafts_dir)

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "dry_run": self.dry_run,
            "drafts_dir": self.drafts_dir,
            "source": self.source.to_json(),
            "drafts": [d.to_json() for d in self.drafts],
            "planned": list(self.planned),
            "written": list(self.written),
            "figures": self.figures.to_json() if self.figures else None,
        }


def read_chapter(path: str | os.PathLike) -> str:
    """The text of a chapter file; ImportProblem when it is missing, binary, not UTF-8 or empty."""
    p = Path(path)
    if not p.exists():
        raise ImportProblem(f"{p}: no such file (give the path of a text file extracted from a PDF)")
    if not p.is_file():
        raise ImportProblem(f"{p}: is not a file (give the path of a text file extracted from a PDF)")
    try:
        data = _read_capped(p)
    except OSError as e:
        raise ImportProblem(f"{p}: cannot be read ({e.strerror})") from None
    if b"\x00" in data:
        raise ImportProblem(f"{p}: is a binary file, not text (extract the PDF's text first)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ImportProblem(
            f"{p}: is not UTF-8 text (byte {e.start}); convert it, e.g. iconv -f GB18030 -t UTF-8"
        ) from None
    bad = sum(1 for c in text if unicodedata.category(c) == "Cc" and c not in "\n\r\t\f")
    if bad > max(3, len(text) // 100):
        raise ImportProblem(f"{p}: is a binary file, not text (extract the PDF's text first)")
    if not text.strip():
        raise ImportProblem(f"{p}: is empty (nothing to import)")
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")


def _read_capped(p: Path) -> bytes:
    """The bytes of `p`, refused before reading when larger than MAX_IMPORT_BYTES (and never
    more than that read, should the file grow meanwhile)."""
    fd = os.open(p, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise ImportProblem(f"{p}: is not a file (give the path of a text file extracted from a PDF)")
        if st.st_size > MAX_IMPORT_BYTES:
            raise ImportProblem(_too_large(p, st.st_size))
        chunks, got = [], 0
        while got <= MAX_IMPORT_BYTES:
            chunk = os.read(fd, min(MAX_IMPORT_BYTES + 1 - got, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
        if got > MAX_IMPORT_BYTES:
            raise ImportProblem(_too_large(p, got))
        return b"".join(chunks)
    finally:
        os.close(fd)


def _too_large(p: Path, size: int) -> str:
    return (
        f"{p}: is {size / 2**20:.1f} MB; kb import reads texts up to {MAX_IMPORT_BYTES // 2**20} MB "
        "(split it into chapters)"
    )


def source_id_for(path: str | os.PathLike) -> str:
    """The default id of the clean-text source record: the file's name as a slug + -clean."""
    stem = re.sub(r"[^a-z0-9]+", "-", Path(path).stem.lower()).strip("-") or "chapter"
    return f"{stem}-clean"


def _source_draft(clean_text: Document, source_id: str, file: str, home: Any, corpus: Any) -> Draft:
    rel = f"{source_id}.txt"  # text_file is read beside the source record, in drafts/ and corpus/ alike
    data: dict[str, Any] = {
        "id": source_id,
        "kind": "source",
        "date": None,
        "title": f"{clean_text.title or Path(file).stem}(清理后的文本)",
        "title_is_label": True,
        "topics": _topics(clean_text.title, getattr(corpus, "topics", {}) or {}),
        "source": {"record": source_id, "section": "全文"},
        "text_file": rel,
        "notes": [
            f"kb import 从 {Path(file).name} 清理出的文本:断行已接上,页眉页脚、逐字拆开的标题和"
            "脚注已移出正文;脚注附在文末,各注明其在正文中的位置。日期未知:原文件未给出。",
        ],
        "draft": True,
    }
    status, same = "new", None
    existing = getattr(corpus, "get", lambda _id: None)(source_id)
    if existing is not None or (Path(home.drafts_dir) / "sources" / f"{source_id}.yaml").exists():
        status, same = "exists", source_id
    return Draft("source", source_id, data, status, same)


def _chapter_sources(corpus: Any, text: str) -> list[str]:
    """Source records of the corpus whose text is this chapter (white space aside)."""
    want = squash(text)
    out = []
    for r in getattr(corpus, "records", ()):
        if r.kind == "source" and r.get("text_file"):
            got = corpus.source_text(r.id)
            if got is not None and squash(got) == want:
                out.append(r.id)
    return out


def import_file(
    path: str | os.PathLike, home: Any, source_id: str | None = None, dry_run: bool = False
) -> ImportResult:
    """Clean a chapter, propose drafts, measure them and (unless `dry_run`) write the new ones.

    Nothing is written when the file cannot be read or holds nothing to import. Existing files
    are never written over; drafts that duplicate a record are reported, not written.
    """
    from kb.corpus import scan

    text = read_chapter(path)
    sid = source_id or source_id_for(path)
    if not ID_RE.match(sid):
        raise ImportProblem(f"--source-id {sid!r} is not a slug (lowercase a-z, 0-9 and '-')")
    ct = clean(text)
    if not ct.paragraphs:
        raise ImportProblem(f"{path}: no paragraphs of text found (is this a chapter?)")
    if not any(re.search(r"\d{4}年", p.text) for p in ct.paragraphs):
        raise ImportProblem(f"{path}: no dates (YYYY年…) in the text, so nothing to propose")
    corpus, _ = scan(Path(home.corpus_dir), (Path(home.drafts_dir),))
    drafts = propose(ct, corpus, sid)
    src = _source_draft(ct, sid, str(path), home, corpus)
    chapter_ids = _chapter_sources(corpus, text)
    figures = measure(drafts, corpus, chapter_ids) if chapter_ids else None
    files: dict[str, str] = {}  # path under drafts/ -> its text
    if src.status == "new":
        files[f"sources/{sid}.txt"] = ct.text
    for d in (src, *drafts):
        if d.status == "new":
            files[d.path] = to_yaml(d.data)
    written: list[str] = []
    base = Path(home.drafts_dir)
    if not dry_run:
        folders: dict[str, int] = {}
        try:
            for rel in files:  # every folder checked (and opened) before any file is written
                kind_dir = rel.split("/")[0]
                if kind_dir not in folders:
                    folders[kind_dir] = _open_folder(base, (kind_dir,))
            for rel, body in files.items():
                kind_dir, name = rel.split("/", 1)
                try:
                    if _write_in(folders[kind_dir], name, body):
                        written.append(rel)
                except OSError as e:
                    raise ImportProblem(_write_failed(base / rel, e, written)) from None
        except OSError as e:
            raise ImportProblem(f"{base}: cannot write drafts there ({e.strerror})") from None
        finally:
            for fd in folders.values():
                os.close(fd)
    return ImportResult(str(path), src, tuple(drafts), figures, tuple(written), dry_run, ct, _shown(base), tuple(files))


def _write_failed(path: Path, err: OSError, written: list[str]) -> str:
    """One line naming the path that could not be written (the file or a folder on its way)."""
    where = path
    done = f"; {len(written)} files written before it" if written else ""
    return f"{where}: cannot write drafts there ({err.strerror or type(err).__name__}){done}"


def _shown(path: Path) -> str:
    """A folder as the report names it: relative to the working directory when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve())) + "/"
    except ValueError:
        return str(path) + "/"


def to_yaml(data: Mapping[str, Any]) -> str:
    """A record as YAML the way people write them: keys in order, Chinese unescaped."""
    import yaml

    return yaml.safe_dump(dict(data), allow_unicode=True, sort_keys=False, width=100)


_DIR = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_LINK = "is a symbolic link; kb import writes drafts only into real folders (remove the link)"


def _open_folder(base: Path, parts: tuple[str, ...]) -> int:
    """A descriptor of the folder `base`/`parts`, creating what is missing. `base` itself (the
    drafts folder) and every folder below it are opened one by one relative to their parent
    without following a link, so a symlink planted as `drafts/` or `drafts/<kind>` can never
    take a write outside the knowledge base, not even by swapping a folder for a link midway.
    ImportProblem naming the folder otherwise."""
    fd = os.open(base.parent, _DIR)
    where = base.parent
    try:
        for part in (base.name, *parts):
            where = where / part
            try:
                os.mkdir(part, 0o755, dir_fd=fd)
            except FileExistsError:
                pass
            except OSError as e:
                raise ImportProblem(f"{where}: cannot write drafts there ({e.strerror})") from None
            st = os.stat(part, dir_fd=fd, follow_symlinks=False)
            if stat.S_ISLNK(st.st_mode):
                raise ImportProblem(f"{where}: {_LINK}")
            if not stat.S_ISDIR(st.st_mode):
                raise ImportProblem(f"{where}: cannot write drafts there (Not a directory)")
            try:
                nfd = os.open(part, _DIR | _NOFOLLOW, dir_fd=fd)
            except OSError as e:  # swapped for a link since the check
                raise ImportProblem(
                    f"{where}: {_LINK if e.errno in (errno.ELOOP, errno.ENOTDIR) else e.strerror}"
                ) from None
            os.close(fd)
            fd = nfd
    except BaseException:
        os.close(fd)
        raise
    return fd


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _write_in(folder: int, name: str, text: str) -> bool:
    """Write `text` as `name` in the open folder `folder`, atomically and only if nothing (not
    even a link) is there: a temporary file under an unpredictable name (O_EXCL|O_NOFOLLOW),
    fsynced, then hard-linked to `name`, which fails if the name is taken. False if it is."""
    try:
        os.stat(name, dir_fd=folder, follow_symlinks=False)
        return False
    except FileNotFoundError:
        pass
    tmp = f".{name}.{secrets.token_hex(8)}.tmp"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(tmp, flags, 0o644, dir_fd=folder)
    try:
        try:
            _write_all(fd, text.encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            os.link(tmp, name, src_dir_fd=folder, dst_dir_fd=folder, follow_symlinks=False)
        except FileExistsError:
            return False
        except OSError:  # a file system without hard links: create the name exclusively instead
            try:
                fd = os.open(name, flags, 0o644, dir_fd=folder)
            except FileExistsError:
                return False
            try:
                _write_all(fd, text.encode("utf-8"))
            finally:
                os.close(fd)
        return True
    finally:
        try:
            os.unlink(tmp, dir_fd=folder)
        except FileNotFoundError:
            pass


def _write_new(path: Path, text: str) -> bool:
    """Write `text` to `path` atomically, and only if no file (nor link) is there; False if one is."""
    folder = _open_folder(path.parent, ())
    try:
        return _write_in(folder, path.name, text)
    finally:
        os.close(folder)
