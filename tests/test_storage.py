"""Inputs and OUT as fsspec URLs, on fsspec's in-memory file system (`memory://`, one process): listing,
hashing from the stream, the output store, and a whole in-process run equal to one on local folders.
A real S3 service and a real Dask cluster are in test_cluster.py."""

from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path

import fsspec
import pytest

from test_batch import TABLES, seed_copy, untimed
from vanban.pipeline import discover
from vanban.storage import LocalStore, RemoteStore, fetch, open_out, sha256_of_url


@pytest.fixture
def mem():
    fs = fsspec.filesystem("memory")
    root = f"/vanban-{os.getpid()}-{id(fs)}"
    yield fs, root
    if fs.exists(root):
        fs.rm(root, recursive=True)


def test_a_remote_folder_is_listed_by_the_local_rules(mem):
    fs, root = mem
    for name, data in {"a.txt": b"x", "Năm 2021/Quyết định số 2.txt": b"y", ".~lock.txt": b"l", "ghi chú.xyz": b"z",
                       "sub/.hidden/b.txt": b"h"}.items():
        fs.pipe(f"{root}/in/{name}", data)
    found = discover([f"memory://{root}/in/", f"memory://{root}/nowhere/"])
    assert found.files == [f"memory://{root}/in/Năm 2021/Quyết định số 2.txt", f"memory://{root}/in/a.txt"]
    assert any("ghi chú.xyz" in str(f) for f, _ in found.skipped)
    assert not any(".~lock" in f or ".hidden" in f for f in found.files)
    assert found.refused == [(f"memory://{root}/nowhere/", "no such file or folder")]


def test_an_object_is_hashed_as_it_streams_and_fetched_only_with_the_planned_bytes(mem, tmp_path):
    fs, root = mem
    data = os.urandom(3 * (1 << 20) + 17)  # several chunks
    fs.pipe(f"{root}/big.pdf", data)
    sha = hashlib.sha256(data).hexdigest()
    assert sha256_of_url(f"memory://{root}/big.pdf") == sha
    got = fetch(f"memory://{root}/big.pdf", tmp_path, sha)
    assert got.name == "big.pdf" and got.read_bytes() == data
    fs.pipe(f"{root}/big.pdf", data[:-1])
    with pytest.raises(ValueError, match="changed since the run started"):
        fetch(f"memory://{root}/big.pdf", tmp_path, sha)


def test_the_remote_output_store(mem):
    fs, root = mem
    store = open_out(f"memory://{root}/out/")
    assert isinstance(store, RemoteStore)
    names = [f".cache/{i}.json" for i in range(RemoteStore.BATCH + 3)]  # more than one batch
    for i, n in enumerate(names[::2]):
        store.write(n, f"{i}".encode())
    got = list(store.read_many(names))
    assert got[::2] == [f"{i}".encode() for i in range(len(names[::2]))] and got[1::2] == [None] * len(names[1::2])
    assert store.is_file(names[0]) and not store.is_file(names[1])
    assert store.names(".cache") == set(names[::2])
    again = pickle.loads(pickle.dumps(store))  # what a worker gets: the URL, its own client made there
    assert again.read(names[0]) == b"0" and again._fs is not None
    assert store.delete(names[0]) and not store.delete(names[0]) and not fs.exists(f"{root}/out/{names[0]}")
    for bad in ("../x", "/etc/passwd", "a/../../b", "docs/./x"):
        with pytest.raises(ValueError):
            store.write(bad, b"no")
    local = open_out("file:///tmp/vanban-out")
    assert isinstance(local, LocalStore) and local.root == Path("/tmp/vanban-out")


def test_a_run_from_and_to_urls_equals_a_run_on_local_folders(mem, tmp_path, capsys):
    from vanban.cli import main

    fs, root = mem
    box = tmp_path / "in"
    for i in range(3):
        seed_copy(box / ("Năm 2021" if i % 2 else "") / f"Quyết định số {i}.txt", i)
    fs.put(str(box) + "/", f"{root}/in", recursive=True)
    os.environ["VANBAN_CACHE_KEY"] = "tests"
    assert main(["run", str(box), "-o", str(tmp_path / "local"), "-j", "1", "--no-validate", "-q"]) == 0
    url = f"memory://{root}"
    assert main(["run", f"{url}/in/", "-o", f"{url}/out", "-j", "1", "--no-validate", "-q"]) == 0
    for t in TABLES:
        local = (tmp_path / "local" / t).read_bytes().replace(str(box).encode(), f"{url}/in".encode())
        assert untimed(t, fs.cat(f"{root}/out/{t}")) == untimed(t, local), t
    assert len(fs.ls(f"{root}/out/docs")) == 3 and len(fs.ls(f"{root}/out/.cache")) >= 6
    assert fs.exists(f"{root}/out/vanban.sqlite") and fs.exists(f"{root}/out/report.html")
    capsys.readouterr()
    assert main(["run", f"{url}/in/", "-o", f"{url}/out", "-j", "1", "--no-validate"]) == 0
    assert "0 new, 3 unchanged" in capsys.readouterr().err  # resumed from the cache in OUT
