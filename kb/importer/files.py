"""Reading the file to import, writing the drafts, and the whole run (`import_file`)."""

from __future__ import annotations

import os
import re
import tempfile
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
        data = p.read_bytes()
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
        for rel, body in files.items():
            try:
                if _write_new(base / rel, body):
                    written.append(rel)
            except OSError as e:
                raise ImportProblem(_write_failed(base / rel, e, written)) from None
    return ImportResult(str(path), src, tuple(drafts), figures, tuple(written), dry_run, ct, _shown(base), tuple(files))


def _write_failed(path: Path, err: OSError, written: list[str]) -> str:
    """One line naming the path that could not be written (the file or a folder on its way)."""
    where = err.filename or path
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


def _write_new(path: Path, text: str) -> bool:
    """Write `text` to `path` atomically, and only if no file is there; False if one is."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        return False
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        try:
            os.link(tmp, path)  # fails if the file appeared meanwhile: never write over it
        except FileExistsError:
            return False
        except OSError:
            if path.exists():
                return False
            os.replace(tmp, path)
        return True
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
