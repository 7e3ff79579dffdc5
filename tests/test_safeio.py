"""kb.safeio: writes never follow a planted link, reads are capped and refuse non-files."""

from __future__ import annotations

import os

import pytest

from kb import safeio
from kb.errors import KbError


def test_write_atomic_replaces_a_planted_link_never_writes_through_it(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious", encoding="utf-8")
    target = tmp_path / "index" / "CURRENT"
    target.parent.mkdir()
    target.symlink_to(victim)
    safeio.write_atomic(target, "gen-1")
    assert victim.read_text(encoding="utf-8") == "precious"
    assert not target.is_symlink() and target.read_text(encoding="utf-8") == "gen-1"
    assert sorted(p.name for p in target.parent.iterdir()) == ["CURRENT"]  # no temporary left


def test_write_atomic_cleans_its_temporary_when_the_write_fails(tmp_path, monkeypatch):
    def full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OSError):
        safeio.write_atomic(tmp_path / "f", b"x" * 100)
    assert list(tmp_path.iterdir()) == []


def test_write_atomic_refuses_a_folder_in_place_of_the_file(tmp_path):
    (tmp_path / "f").mkdir()
    with pytest.raises(safeio.UnsafePath, match="is a folder"):
        safeio.write_atomic(tmp_path / "f", "x")


def test_create_new_refuses_an_existing_name_or_link(tmp_path):
    victim = tmp_path / "victim"
    victim.write_text("keep", encoding="utf-8")
    (tmp_path / "link").symlink_to(victim)
    with pytest.raises(FileExistsError):
        safeio.create_new(tmp_path / "link", "overwrite")
    assert victim.read_text(encoding="utf-8") == "keep"
    safeio.create_new(tmp_path / "new", "fresh")
    assert (tmp_path / "new").read_text(encoding="utf-8") == "fresh"


def test_open_lock_refuses_links_and_fifos_and_keeps_bytes(tmp_path):
    victim = tmp_path / "victim"
    victim.write_text("keep", encoding="utf-8")
    (tmp_path / "build.lock").symlink_to(victim)
    with pytest.raises(safeio.UnsafePath, match="symbolic link"):
        safeio.open_lock(tmp_path / "build.lock")
    os.mkfifo(tmp_path / "fifo.lock")
    with pytest.raises(safeio.UnsafePath, match="not a regular file"):
        safeio.open_lock(tmp_path / "fifo.lock")
    fd = safeio.open_lock(tmp_path / "ok.lock")
    os.close(fd)
    assert victim.read_text(encoding="utf-8") == "keep"


def test_make_dirs_refuses_a_symlinked_component(tmp_path):
    root = tmp_path / "kb"
    root.mkdir()
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (root / "drafts").symlink_to(outside)
    with pytest.raises(safeio.UnsafePath, match="symbolic link"):
        safeio.make_dirs(root / "drafts" / "remarks", root)
    assert list(outside.iterdir()) == []
    made = safeio.make_dirs(root / "index" / "gen-1", root)
    assert made.is_dir()
    with pytest.raises(safeio.UnsafePath, match="not inside"):
        safeio.make_dirs(tmp_path / "x", root)


def test_read_bytes_caps_size_and_names_path_and_cap(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_bytes(b"a" * 2000)
    with pytest.raises(safeio.TooLarge) as e:
        safeio.read_bytes(big, 1000, what="a record")
    assert str(big) in str(e.value) and "1,000 bytes" in str(e.value)
    assert isinstance(e.value, KbError)
    assert safeio.read_bytes(big, 2000) == b"a" * 2000


def test_read_bytes_of_dev_zero_stops_at_the_cap():
    # st_size is 0 for a device: the cap must hold while reading, not only from stat.
    with pytest.raises(safeio.UnsafePath, match="not a regular file"):
        safeio.read_bytes("/dev/zero", 1000)


def test_read_bytes_refuses_fifo_folder_without_blocking(tmp_path):
    os.mkfifo(tmp_path / "fifo")
    with pytest.raises(safeio.UnsafePath, match="a FIFO"):
        safeio.read_bytes(tmp_path / "fifo", 100)
    with pytest.raises(safeio.UnsafePath, match="a folder"):
        safeio.read_bytes(tmp_path, 100)


def test_read_bytes_link_loop_is_one_clear_error(tmp_path):
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    with pytest.raises(safeio.UnsafePath, match="link loop"):
        safeio.read_bytes(tmp_path / "a", 100)


def test_resolve_inside_refuses_escape_by_dotdot_absolute_and_link(tmp_path):
    root = tmp_path / "kb"
    (root / "corpus" / "sources").mkdir(parents=True)
    base = root / "corpus" / "sources"
    (base / "ok.txt").write_text("x", encoding="utf-8")
    assert safeio.resolve_inside(root, base, "ok.txt") == (base / "ok.txt").resolve()
    for name in ("../../../../etc/passwd", "/etc/passwd"):
        with pytest.raises(safeio.UnsafePath):
            safeio.resolve_inside(root, base, name)
    (base / "link.txt").symlink_to("/etc/passwd")
    with pytest.raises(safeio.UnsafePath, match="leads outside"):
        safeio.resolve_inside(root, base, "link.txt")
    (base / "inner.txt").symlink_to(base / "ok.txt")
    assert safeio.resolve_inside(root, base, "inner.txt") == (base / "ok.txt").resolve()
