from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from storage import (
    InvalidKey,
    LocalStore,
    ObjectNotFound,
    ObjectStore,
    StorageUnavailable,
    content_key,
)
from storage.objects import TEMP_PREFIX


def files_under(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def test_is_an_object_store(tmp_path: Path) -> None:
    assert isinstance(LocalStore(tmp_path), ObjectStore)


def test_round_trip_and_content_key(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "objects")
    data = "张三 身份证".encode() + bytes(range(256))
    key = store.put(data, "image/jpeg")
    digest = hashlib.sha256(data).hexdigest()
    assert key == f"original/{digest[:2]}/{digest}" == content_key(data)
    assert store.get(key) == data
    assert store.exists(key)
    assert (tmp_path / "objects" / "original" / digest[:2] / digest).read_bytes() == data


def test_kind_goes_into_the_key(tmp_path: Path) -> None:
    key = LocalStore(tmp_path).put(b"x", "text/plain", kind="page")
    assert key.startswith("page/")
    with pytest.raises(InvalidKey):
        LocalStore(tmp_path).put(b"x", "text/plain", kind="../up")


def test_same_bytes_stored_once(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    key = store.put(b"same bytes", "application/pdf")
    path = tmp_path.joinpath(*key.split("/"))
    before = path.stat()
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns - 10**9))  # mark the file
    marked = path.stat().st_mtime_ns
    assert store.put(b"same bytes", "application/pdf") == key
    assert path.stat().st_mtime_ns == marked  # not written again
    assert path.stat().st_ino == before.st_ino
    assert files_under(tmp_path) == [path]


def test_put_at_replaces_atomically_and_leaves_no_temp_files(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    store.put_at("cases/2026-000123/verdict.json", b'{"v": 1}', "application/json")
    store.put_at("cases/2026-000123/verdict.json", b'{"v": 2}', "application/json")
    assert store.get("cases/2026-000123/verdict.json") == b'{"v": 2}'
    assert [p.name for p in files_under(tmp_path)] == ["verdict.json"]


def test_failed_write_keeps_the_old_object_and_no_partial_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = LocalStore(tmp_path)
    store.put_at("cases/c1/read.json", b"old", "application/json")

    def broken_replace(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(StorageUnavailable) as caught:
        store.put_at("cases/c1/read.json", b"new and longer", "application/json")
    assert caught.value.code == "storage.unavailable"
    assert "No space left on device" in caught.value.message
    with pytest.raises(StorageUnavailable):
        store.put(b"never stored", "application/pdf")
    monkeypatch.undo()

    assert store.get("cases/c1/read.json") == b"old"
    assert not store.exists(content_key(b"never stored"))
    assert not [p for p in tmp_path.rglob("*") if p.name.startswith(TEMP_PREFIX)]


def test_interrupted_write_is_invisible(tmp_path: Path) -> None:
    """A temp file left by a crash is neither an object nor listed."""
    store = LocalStore(tmp_path)
    store.put_at("a/b", b"1", "text/plain")
    (tmp_path / "a" / f"{TEMP_PREFIX}crashed").write_bytes(b"half")
    assert store.keys() == ["a/b"]
    with pytest.raises(InvalidKey):
        store.get(f"a/{TEMP_PREFIX}crashed")


def test_keys_with_prefix(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    k1 = store.put(b"one", "image/png")
    k2 = store.put(b"two", "image/png")
    store.put_at("cases/c1/documents/d/page-1.png", b"p1", "image/png")
    store.put_at("cases/c1/verdict.json", b"{}", "application/json")
    store.put_at("cases/c10/verdict.json", b"{}", "application/json")
    assert store.keys("original/") == sorted([k1, k2])
    assert store.keys("cases/c1/") == ["cases/c1/documents/d/page-1.png", "cases/c1/verdict.json"]
    assert store.keys("cases/c1") == [
        "cases/c1/documents/d/page-1.png",
        "cases/c1/verdict.json",
        "cases/c10/verdict.json",
    ]
    assert store.keys("nothing/") == []
    assert len(store.keys()) == 5
    assert LocalStore(tmp_path / "missing").keys() == []


def test_not_found_and_delete(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    with pytest.raises(ObjectNotFound) as caught:
        store.get("original/ab/abcdef")
    assert caught.value.code == "storage.not_found"
    assert caught.value.key == "original/ab/abcdef"
    store.put_at("x/y", b"1", "text/plain")
    with pytest.raises(ObjectNotFound):
        store.get("x")  # a prefix is not an object
    assert not store.exists("x")
    store.delete("x/y")
    store.delete("x/y")  # deleting what is gone is fine
    assert not store.exists("x/y")
    with pytest.raises(ObjectNotFound):
        store.get("x/y")


@pytest.mark.parametrize(
    "key", ["", "/abs", "a//b", "../etc/passwd", "a/../../b", "a/./b", "a\\b", "a/\x00", " a"]
)
def test_keys_cannot_escape(tmp_path: Path, key: str) -> None:
    store = LocalStore(tmp_path / "root")
    with pytest.raises(InvalidKey) as caught:
        store.put_at(key, b"x", "text/plain")
    assert caught.value.code == "storage.invalid_key"
    with pytest.raises(InvalidKey):
        store.get(key)
    assert not (tmp_path / "etc").exists()


def test_ping(tmp_path: Path) -> None:
    LocalStore(tmp_path / "new" / "dir").ping()
    assert (tmp_path / "new" / "dir").is_dir()
    (tmp_path / "a-file").write_bytes(b"")
    with pytest.raises(StorageUnavailable) as caught:
        LocalStore(tmp_path / "a-file").ping()
    assert caught.value.code == "storage.unavailable"
    assert "PREREVIEW_OBJECT_STORE_URL" in caught.value.message
