"""Fault injection: kill -9 during multi-process builds, damaged index files, planted links,
a full disk, Ctrl-C. After every fault the next command answers correctly (rebuilding what is
damaged, with one line saying so), and nothing outside index/ and drafts/ changed a byte."""

from __future__ import annotations

import errno
import hashlib
import importlib.util
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kb import index as index_mod
from kb.errors import KbError
from kb.home import locate
from kb.search import Searcher

from .conftest import REPO

N = 250  # records: three job batches of Whoosh's multi-process writer, so two workers run


def _gen():
    spec = importlib.util.spec_from_file_location("gen_corpus", REPO / "bench" / "gen_corpus.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """A generated knowledge base of N records with its index, copied by each test that needs it."""
    root = tmp_path_factory.mktemp("faults") / "kb"
    _gen().generate(root, N, seed=11)
    index_mod.build(locate(root), procs=1)
    return root


@pytest.fixture
def kb(generated, tmp_path):
    root = tmp_path / "kb"
    shutil.copytree(generated, root, symlinks=True)
    # A copy has the same bytes but new inode change times, which the index takes for damage
    # (rightly: it cannot tell); record the copy's stats as kb would have written them.
    gen, _ = index_mod._current(root / "index")
    m = index_mod.Manifest.read(gen / "manifest.json")
    m.store = index_mod._store_state(gen)
    for rel, entry in m.files.items():
        st = (root / rel).stat()
        entry[0], entry[6], entry[7] = st.st_mtime_ns, st.st_ctime_ns, st.st_ino
    m.config = index_mod._config_state(root / "corpus")
    m.write(gen / "manifest.json")
    return root


def tree_hash(root: Path, skip: tuple[str, ...] = ("index", "drafts")) -> dict[str, str]:
    """Every file (and link) under root except index/ and drafts/, with a hash of its bytes."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        rel = Path(dirpath).relative_to(root)
        if rel.parts and rel.parts[0] in skip or not rel.parts and False:
            dirnames[:] = []
            continue
        if not rel.parts:
            dirnames[:] = [d for d in dirnames if d not in skip]
        for name in filenames + [d for d in dirnames if (Path(dirpath) / d).is_symlink()]:
            p = Path(dirpath) / name
            if p.is_symlink():
                out[str(rel / name)] = "link:" + os.readlink(p)
            else:
                out[str(rel / name)] = hashlib.sha1(p.read_bytes()).hexdigest()
    return out


def _ids(home, query: str, limit: int = 500) -> tuple[list[str], str | None]:
    with Searcher(home) as s:
        return sorted(h.id for h in s.search(query, limit=limit).hits), s.opened.notice


def _lock_holders(lock: Path) -> list[int]:
    """Processes with `lock` open (Linux /proc)."""
    out = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            fds = list((proc / "fd").iterdir())
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(fd) == str(lock):
                    out.append(int(proc.name))
                    break
            except OSError:
                continue
    return out


BUILD = "from kb import index; from kb.home import locate; import sys; index.build(locate(sys.argv[1]), procs=2)"


def _run_build(root: Path, fault: str, code: str = BUILD) -> subprocess.CompletedProcess:
    env = {**os.environ, "KB_FAULT": fault, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-c", code, str(root)], env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("point", ["build:documents", "build:after-commit", "build:before-current"])
def test_kill_9_during_a_multiprocess_build_leaves_no_worker_and_a_good_index(kb, point):
    home = locate(kb)
    first, _ = index_mod._current(kb / "index")
    before = tree_hash(kb)
    word = "科技成果转化"
    want, _ = _ids(home, word)  # the answer before the fault
    assert len(want) > 10
    proc = _run_build(kb, point)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    lock = kb / "index" / "build.lock"
    deadline = time.monotonic() + 5
    while _lock_holders(lock) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _lock_holders(lock) == []  # the workers died with their parent
    assert (kb / "index" / "CURRENT").read_text(encoding="utf-8") == first.name
    assert _ids(home, word) == (want, None)
    gens = sorted(p.name for p in (kb / "index").iterdir() if p.name.startswith("gen-"))
    assert len(gens) == 2  # the live one and the dead build's
    if point == "build:documents":
        # The next build takes the lock at once (no orphan holds it) and prunes the dead folder.
        opened, n = index_mod.build(home, procs=2)
        assert n == len(index_mod.Manifest.read(first / "manifest.json").files) > N
        gens = sorted(p.name for p in (kb / "index").iterdir() if p.name.startswith("gen-"))
        assert gens == sorted([first.name, opened.path.name])
        assert _ids(home, word) == (want, None)
    else:
        with index_mod._Lock(kb / "index", wait=0):
            index_mod._prune(kb / "index", keep=set())
        assert [p.name for p in (kb / "index").iterdir() if p.name.startswith("gen-")] == [first.name]
    assert tree_hash(kb) == before


def test_kill_9_after_an_incremental_commit_is_caught_up(kb):
    home = locate(kb)
    f = next((kb / "corpus" / "remarks").glob("*.yaml"))
    f.write_text(f.read_text(encoding="utf-8").replace("title:", "title: 独一无二的标记词", 1), encoding="utf-8")
    code = "from kb import index; from kb.home import locate; import sys; index.ensure(locate(sys.argv[1]))"
    assert _run_build(kb, "update:after-commit", code).returncode == -signal.SIGKILL
    ids, notice = _ids(home, "独一无二的标记词")
    assert ids == [f.stem]
    assert notice is not None and notice.startswith("索引已")  # the manifest was stale or the store changed: caught up
    assert _ids(home, "独一无二的标记词") == ([f.stem], None)


def test_ctrl_c_during_a_multiprocess_build_prints_one_line(kb):
    live = (kb / "index" / "CURRENT").read_text(encoding="utf-8")
    code = (
        "import sys, time\n"
        "from kb import index\n"
        "real = index._build_locked\n"
        "index._build_locked = lambda home, progress, procs, fresh_segdict=False: real(home, progress, 2, fresh_segdict)\n"
        "def pause(point):\n"
        "    if point == 'build:documents':\n"
        "        print('READY', flush=True); time.sleep(30)\n"
        "index._fault = pause\n"
        "from kb.cli import main\n"
        "main(['--kb', sys.argv[1], 'index', '--rebuild'])\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    before = tree_hash(kb)
    proc = subprocess.Popen(
        [sys.executable, "-c", code, str(kb)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    assert proc.stdout.readline().strip() == "READY"
    time.sleep(0.3)
    os.killpg(proc.pid, signal.SIGINT)  # as a terminal does: the whole process group
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130
    assert err == "kb: interrupted; nothing was changed\n"
    assert [p.name for p in (kb / "index").iterdir() if p.name.startswith("gen-")] == [live]
    assert _lock_holders(kb / "index" / "build.lock") == []
    assert tree_hash(kb) == before


def test_stale_lock_of_dead_builders_orphans_is_broken(make_kb, tmp_path):
    root = make_kb()
    home = locate(root)
    index_mod.ensure(home)
    dead = subprocess.Popen(["true"])
    dead.wait()
    lock = root / "index" / "build.lock"
    # An orphan (a worker of an older kb) holding the flock, the file naming its dead parent.
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, os, sys, time\n"
            "fd = os.open(sys.argv[1], os.O_RDWR)\n"
            "fcntl.flock(fd, fcntl.LOCK_EX)\n"
            "os.ftruncate(fd, 0); os.write(fd, sys.argv[2].encode())\n"
            "print('held', flush=True); time.sleep(60)\n",
            str(lock),
            str(dead.pid),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        t0 = time.monotonic()
        opened = index_mod.ensure(home, rebuild=True)
        assert time.monotonic() - t0 < 10
        assert opened.notice == "索引已建成:2 条记录(按要求重建)"
    finally:
        holder.kill()
        holder.wait()


# -- planted links --------------------------------------------------------------------------


def test_links_planted_in_the_index_folder_are_never_written_through(make_kb, tmp_path):
    root = make_kb()
    home = locate(root)
    index_mod.ensure(home)
    victims = {}
    idx = root / "index"
    names = ["build.lock", "CURRENT", "HISTORY", f"CURRENT.tmp{os.getpid()}"]
    names += [f"{p.name}.tmp{os.getpid()}" for p in idx.glob("segdict-*.sqlite")]
    for name in names:
        victim = tmp_path / f"victim-{name}"
        victim.write_text("precious\n", encoding="utf-8")
        target = idx / name
        if target.exists() or target.is_symlink():
            target.unlink()
        target.symlink_to(victim)
        victims[victim] = "precious\n"
    before = tree_hash(root)
    opened = index_mod.ensure(home, rebuild=True)
    assert opened.notice == "索引已建成:2 条记录(按要求重建)"
    for victim, text in victims.items():
        assert victim.read_text(encoding="utf-8") == text
    assert tree_hash(root) == before
    assert _ids(home, "最后一公里") == (["2018-05-28-test"], None)


def test_symlinked_index_folder_is_refused(make_kb, tmp_path):
    root = make_kb()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (root / "index").symlink_to(elsewhere)
    with pytest.raises(KbError, match="symbolic link"):
        index_mod.ensure(locate(root))
    assert list(elsewhere.iterdir()) == []


def test_current_naming_another_kbs_generation_is_damage_never_followed(make_kb, tmp_path):
    a = make_kb()
    other = tmp_path / "other"
    shutil.copytree(a, other)
    index_mod.ensure(locate(a))
    theirs = index_mod.ensure(locate(other))
    other_before = tree_hash(other, skip=())
    (a / "index" / "CURRENT").write_text(f"../../other/index/{theirs.path.name}", encoding="utf-8")
    ids, notice = _ids(locate(a), "最后一公里")
    assert ids == ["2018-05-28-test"]
    assert notice == (
        f"索引已建成:2 条记录(索引已损坏:CURRENT names '../../other/index/{theirs.path.name}', "
        "not a generation folder of this index)"
    )
    assert tree_hash(other, skip=()) == other_before


# -- pruning --------------------------------------------------------------------------------


def test_pruning_keeps_the_generation_searches_use_after_a_killed_build(make_kb):
    root = make_kb()
    home = locate(root)
    live = index_mod.ensure(home).path
    idx = root / "index"
    # A killed build's folder, newer than the live one (by mtime, and by clock skew).
    dead = subprocess.Popen(["true"])
    dead.wait()
    killed = idx / "gen-29991231235959-1-1"
    killed.mkdir()
    (killed / ".kb-building").write_text(f"{dead.pid}\n", encoding="utf-8")
    os.utime(live, (1, 1))
    foreign = idx / "gen-mine-keep"  # not made by kb: never touched
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine", encoding="utf-8")
    with Searcher(home) as s:
        new = index_mod.ensure(home, rebuild=True).path
        assert live.is_dir()  # the one the open search uses
        assert [h.id for h in s.search("最后一公里").hits] == ["2018-05-28-test"]
    assert not killed.exists()
    assert (foreign / "notes.txt").read_text(encoding="utf-8") == "mine"
    third = index_mod.ensure(home, rebuild=True).path
    gens = sorted(p.name for p in idx.iterdir() if p.name.startswith("gen-"))
    assert gens == sorted([new.name, third.name, foreign.name])


# -- damaged index files --------------------------------------------------------------------


def _segment_files(gen: Path) -> list[Path]:
    return sorted(p for p in gen.iterdir() if p.suffix in (".seg", ".toc"))


@pytest.mark.parametrize(
    "damage",
    [
        "truncate",
        "delete",
        "garble",
        "toc",
        "segdict",
        "segdict-empty",
        "current-garbage",
        "current-missing-gen",
        "current-link",
        "manifest",
    ],
)
def test_damaged_index_is_detected_on_open_and_rebuilt(make_kb, tmp_path, damage):
    root = make_kb()
    home = locate(root)
    gen = index_mod.ensure(home).path
    idx = root / "index"
    seg = max((p for p in _segment_files(gen) if p.suffix == ".seg"), key=lambda p: p.stat().st_size)
    if damage == "truncate":
        with open(seg, "r+b") as fh:
            fh.truncate(seg.stat().st_size // 2)
    elif damage == "delete":
        seg.unlink()
    elif damage == "garble":
        st = seg.stat()
        data = bytearray(seg.read_bytes())
        data[len(data) // 3 : len(data) // 3 + 64] = b"\xff" * 64
        seg.write_bytes(bytes(data))
        os.utime(seg, ns=(st.st_atime_ns, st.st_mtime_ns))  # size and mtime as before
    elif damage == "toc":
        toc = next(p for p in _segment_files(gen) if p.suffix == ".toc")
        toc.write_bytes(b"\x00" * toc.stat().st_size)
    elif damage == "segdict":
        db = next(idx.glob("segdict-*.sqlite"))
        db.write_bytes(b"garbage" * 1000)
    elif damage == "segdict-empty":
        db = next(idx.glob("segdict-*.sqlite"))
        db.write_bytes(b"")
    elif damage == "current-garbage":
        (idx / "CURRENT").write_bytes(b"\xff\xfe\x00junk")
    elif damage == "current-missing-gen":
        (idx / "CURRENT").write_text("gen-20000101000000-1-1", encoding="utf-8")
    elif damage == "current-link":
        (idx / "CURRENT").unlink()
        (idx / "CURRENT").symlink_to(tmp_path / "nowhere")
    elif damage == "manifest":
        (gen / "manifest.json").write_text("{", encoding="utf-8")
    ids, notice = _ids(home, "最后一公里")
    assert ids == ["2018-05-28-test"]
    if damage.startswith("segdict"):
        assert notice is None  # the dictionary database is rewritten; the index itself is fine
    else:
        assert notice.startswith("索引已建成:2 条记录(索引已损坏:"), notice
        assert "\n" not in notice
    assert _ids(home, "最后一公里") == (["2018-05-28-test"], None)


def test_cli_index_reports_damage_instead_of_up_to_date(run, make_kb):
    root = make_kb()
    assert run("--kb", str(root), "index").exit_code == 0
    gen = index_mod.ensure(locate(root)).path
    for p in _segment_files(gen):
        if p.suffix == ".seg":
            p.unlink()
    result = run("--kb", str(root), "index")
    assert result.exit_code == 0
    assert result.output.startswith("索引已建成:2 条记录(索引已损坏:gen-")
    assert result.output.endswith(" is missing)\n")


def test_rebuild_rewrites_the_segment_dictionary(make_kb):
    root = make_kb()
    home = locate(root)
    index_mod.ensure(home)
    db = next((root / "index").glob("segdict-*.sqlite"))
    before = db.stat().st_mtime_ns
    time.sleep(0.01)
    index_mod.ensure(home, rebuild=True)
    assert db.stat().st_mtime_ns != before


# -- a full disk ----------------------------------------------------------------------------


def _edit(root: Path) -> None:
    f = root / "corpus" / "remarks" / "2018-05-28-test.yaml"
    f.write_text(
        f.read_text(encoding="utf-8").replace("occasion: 测试会议", "occasion: 科学家座谈会"), encoding="utf-8"
    )


def test_disk_full_answers_from_the_last_good_index_and_leaves_no_temporaries(make_kb, monkeypatch):
    root = make_kb()
    home = locate(root)
    index_mod.ensure(home)
    listing = sorted(p.name for p in (root / "index").iterdir())
    gen_listing = sorted(p.name for p in index_mod.ensure(home).path.iterdir())
    _edit(root)
    from whoosh.filedb.filestore import FileStorage

    def full(self, name, **kw):
        raise OSError(errno.ENOSPC, "No space left on device", name)

    monkeypatch.setattr(FileStorage, "create_file", full)
    with Searcher(home) as s:
        assert [h.id for h in s.search("最后一公里").hits] == ["2018-05-28-test"]
        assert s.opened.notice == ("警告:索引无法更新(磁盘已满);以上一份完好的索引作答,可能缺少最近的修改")
    with pytest.raises(
        KbError, match=r"index: cannot write the index: the disk is full \(check free space and permissions\)$"
    ):
        index_mod.ensure(home, rebuild=True)  # asked to rebuild: the error itself, in one line
    assert sorted(p.name for p in (root / "index").iterdir()) == listing
    assert sorted(p.name for p in index_mod._current(root / "index")[0].iterdir()) == gen_listing
    monkeypatch.undo()
    ids, notice = _ids(home, "科学家座谈会")
    assert (ids, notice) == (["2018-05-28-test"], "索引已更新:修改 1 条")


def _mount_tmpfs(where: Path, size: str) -> bool:
    if sys.platform != "linux" or os.geteuid() != 0 or not shutil.which("mount"):
        return False
    where.mkdir()
    return (
        subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)], capture_output=True
        ).returncode
        == 0
    )


def test_disk_full_on_a_real_small_filesystem(make_kb, tmp_path):
    """The same on a tmpfs filled to the last byte (where this machine allows mounting one;
    the simulated test above runs everywhere)."""
    mnt = tmp_path / "mnt"
    if not _mount_tmpfs(mnt, "64m"):
        pytest.skip("cannot mount a tmpfs here; the simulated ENOSPC test covers this")
    try:
        src = make_kb()
        root = mnt / "kb"
        shutil.copytree(src, root)
        home = locate(root)
        index_mod.ensure(home)
        listing = sorted(p.name for p in (root / "index").iterdir())
        _edit(root)
        before = tree_hash(root)
        with open(mnt / "filler", "wb", buffering=0) as fh:
            for chunk in (1 << 20, 4096, 1):  # to the last byte
                try:
                    while True:
                        fh.write(b"\0" * chunk)
                except OSError:
                    pass
        ids, notice = _ids(home, "最后一公里")
        assert ids == ["2018-05-28-test"]
        assert notice.startswith("警告:索引无法更新(磁盘已满)")
        ids, notice = _ids(home, "最后一公里")
        assert notice.startswith("警告:索引无法更新")
        assert sorted(p.name for p in (root / "index").iterdir()) == listing
        assert not list((root / "index").rglob("*.tmp"))
        assert tree_hash(root) == before
        (mnt / "filler").unlink()
        assert _ids(home, "科学家座谈会") == (["2018-05-28-test"], "索引已更新:修改 1 条")
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)
