"""Where a run reads its inputs and writes its outputs: local paths and fsspec URLs.

`vanban run s3://bucket/inbox/ -o s3://bucket/runs/2026-12-01/` (also `gs://`,
`az://`, `file://` and plain paths). A URL is opened with fsspec, credentials
come from the backend's usual places (the environment, `~/.aws`, fsspec's
configuration: `FSSPEC_S3_ENDPOINT_URL=...`); the backends are extras
(`pip install 'vanban[s3]'`, `[gcs]`, `[azure]`). A `file://` URL is a local path
and keeps every guarantee of one.

The output folder is an `OutStore`: `LocalStore` (no symbolic link followed,
files written under a temporary name and renamed) or `RemoteStore` (each object
written whole by one PUT). Both travel to the workers, which write their
documents' results there themselves.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

from vanban.outputs.files import read_nofollow, safe_child, write_bytes

_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*)://")
#: the extra (and the package) each storage scheme needs
BACKENDS = {"s3": ("s3", "s3fs"), "s3a": ("s3", "s3fs"), "gs": ("gcs", "gcsfs"), "gcs": ("gcs", "gcsfs"),
            "az": ("azure", "adlfs"), "abfs": ("azure", "adlfs"), "abfss": ("azure", "adlfs")}
_CHUNK = 1 << 20
#: a name under OUT: relative, POSIX, no "." or ".." part
_REL = re.compile(r"(?!/)(?:[^/\x00]+/)*[^/\x00]+")


class StorageError(Exception):
    """A URL that cannot be used: the message (one line) names it and the reason."""


def is_url(name: str | os.PathLike[str]) -> bool:
    """Whether `name` is a URL of a remote store (a `file://` URL is a local path, not one)."""
    m = _SCHEME.match(str(name))
    return bool(m) and m.group(1).lower() != "file"


def local_path(name: str | os.PathLike[str]) -> Path:
    """A plain path, or the path of a `file://` URL."""
    s = str(name)
    if s.lower().startswith("file://"):
        parts = urlsplit(s)
        return Path(unquote(parts.path))
    return Path(s)


def filesystem(url: str) -> tuple[Any, str]:
    """The fsspec file system of a URL and the path inside it; `StorageError` when it cannot be had."""
    scheme = _SCHEME.match(url).group(1).lower()
    try:
        from fsspec.core import url_to_fs

        fs, path = url_to_fs(url)
    except ImportError:
        extra, package = BACKENDS.get(scheme, (None, None))
        hint = f"pip install 'vanban[{extra}]'" if extra else f"install the fsspec backend for {scheme}://"
        raise StorageError(f"{url}: {scheme}:// URLs need {package or 'a backend'} ({hint})") from None
    except ValueError as e:
        raise StorageError(f"{url}: not a storage URL vanban can open ({e})") from None
    return fs, path.rstrip("/")


def reason(e: BaseException) -> str:
    """A storage exception in a few words (a botocore error carries its whole response otherwise)."""
    if isinstance(e, FileNotFoundError):
        return "no such file or folder"
    if isinstance(e, PermissionError):
        return f"permission denied ({_short(e)})" if _short(e) else "permission denied"
    text = _short(e)
    return f"{type(e).__name__}: {text}" if text else type(e).__name__


def _short(e: BaseException) -> str:
    text = getattr(e, "strerror", None) or str(e)
    return " ".join(str(text).split())[:300]


# --------------------------------------------------------------------------- inputs


def remote_name(url: str) -> str:
    """The file name of a URL's object."""
    return PurePosixPath(urlsplit(url).path).name


def sha256_of_url(url: str) -> str:
    """The SHA-256 of a remote object, read as a stream."""
    fs, path = filesystem(url)
    h = hashlib.sha256()
    with fs.open(path, "rb", block_size=_CHUNK) as f:
        for chunk in iter(lambda: f.read(_CHUNK), b""):
            h.update(chunk)
    return h.hexdigest()


def fetch(url: str, folder: Path, expected_sha: str | None) -> Path:
    """Copy a remote object into `folder` under its own name (hashing as it streams); its path.

    `ValueError` when its bytes are no longer those the run planned with.
    """
    name = remote_name(url)
    if not name or len(name.encode()) > 200 or name.startswith("."):
        name = "document" + PurePosixPath(name).suffix[:12]
    target = folder / name
    fs, path = filesystem(url)
    h = hashlib.sha256()
    with fs.open(path, "rb", block_size=_CHUNK) as src, open(target, "wb") as dst:
        for chunk in iter(lambda: src.read(_CHUNK), b""):
            h.update(chunk)
            dst.write(chunk)
    if expected_sha and h.hexdigest() != expected_sha:
        raise ValueError(f"the object changed since the run started (its SHA-256 is now {h.hexdigest()[:16]}…)")
    return target


# --------------------------------------------------------------------------- the output folder


class OutStore:
    """The output folder of a run, by names relative to it ("docs/x.json", ".cache/x.pickle")."""

    url: str
    remote: bool

    def read(self, rel: str) -> bytes:
        raise NotImplementedError

    def read_many(self, rels: list[str]) -> Iterator[bytes | None]:
        for rel in rels:
            try:
                yield self.read(rel)
            except (OSError, ValueError):
                yield None

    def write(self, rel: str, data: bytes, *, durable: bool = False) -> None:
        raise NotImplementedError

    def is_file(self, rel: str) -> bool:
        raise NotImplementedError

    def names(self, prefix: str) -> set[str]:
        """The names (relative to OUT) of the files under `prefix`."""
        raise NotImplementedError

    def delete(self, rel: str) -> bool:
        raise NotImplementedError

    def describe(self, rel: str = "") -> str:
        return f"{self.url.rstrip('/')}/{rel}" if rel else self.url


def _check_rel(rel: str) -> str:
    if not _REL.fullmatch(rel) or any(p in (".", "..") for p in rel.split("/")):
        raise ValueError(f"output name {rel!r} is not a plain name inside the output folder")
    return rel


class LocalStore(OutStore):
    """OUT on this machine's file system (or a shared one): no link followed, atomic writes."""

    remote = False

    def __init__(self, root: Path):
        self.root = Path(os.path.abspath(root))  # the same folder wherever it is used (a worker's own folder differs)
        self.url = str(root)

    def path(self, rel: str) -> Path:
        return safe_child(self.root, _check_rel(rel))

    def read(self, rel: str) -> bytes:
        return read_nofollow(self.path(rel))

    def write(self, rel: str, data: bytes, *, durable: bool = False) -> None:
        write_bytes(self.path(rel), data, durable=durable)

    def is_file(self, rel: str) -> bool:
        p = self.path(rel)
        return p.is_file() and not p.is_symlink()

    def delete(self, rel: str) -> bool:
        import stat

        p = self.root / _check_rel(rel)
        try:
            if stat.S_ISREG(os.lstat(p).st_mode):
                p.unlink()
                return True
        except FileNotFoundError:
            pass
        return False


class RemoteStore(OutStore):
    """OUT in an object store: each object is written whole (one PUT), read in batches."""

    remote = True
    BATCH = 64  # objects fetched at once when reading many

    def __init__(self, url: str):
        self.url = url.rstrip("/")
        self._fs = None
        self._root = ""

    def __getstate__(self) -> dict[str, Any]:
        return {"url": self.url}  # the file system is made again where it is used

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["url"])

    @property
    def fs(self):
        if self._fs is None:
            self._fs, self._root = filesystem(self.url)
        return self._fs

    def key(self, rel: str) -> str:
        if self._fs is None:
            self.fs  # noqa: B018 - sets _root
        return f"{self._root}/{_check_rel(rel)}"

    def read(self, rel: str) -> bytes:
        return self.fs.cat_file(self.key(rel))

    def read_many(self, rels: list[str]) -> Iterator[bytes | None]:
        for i in range(0, len(rels), self.BATCH):
            keys = [self.key(r) for r in rels[i:i + self.BATCH]]
            got = self.fs.cat(keys, on_error="return") if keys else {}
            for k in keys:
                v = got.get(k)
                yield v if isinstance(v, bytes) else None

    def write(self, rel: str, data: bytes, *, durable: bool = False) -> None:
        self.fs.pipe_file(self.key(rel), data)

    def is_file(self, rel: str) -> bool:
        try:
            return self.fs.isfile(self.key(rel))
        except OSError:
            return False

    def delete(self, rel: str) -> bool:
        try:
            self.fs.rm_file(self.key(rel))
            return True
        except FileNotFoundError:
            return False

    def names(self, prefix: str) -> set[str]:
        try:
            found = self.fs.find(self.key(prefix))
        except FileNotFoundError:
            return set()
        base = len(self._root) + 1
        return {k[base:] for k in found}

    def upload(self, folder: Path, rels: Iterable[str]) -> None:
        """Copy these files of a local folder to the same names under OUT."""
        pairs = [(str(folder / r), self.key(r)) for r in rels]
        if pairs:
            self.fs.put([p for p, _ in pairs], [k for _, k in pairs])

    def download(self, rel: str, folder: Path) -> bool:
        """Copy OUT/rel into folder/rel when it exists; whether it did."""
        target = folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.fs.get_file(self.key(rel), str(target))
        except FileNotFoundError:
            return False
        return True


def open_out(out: str | os.PathLike[str]) -> OutStore:
    """The store of `-o OUT`: a `RemoteStore` for a URL, a `LocalStore` for a path or `file://` URL."""
    if is_url(out):
        return RemoteStore(str(out))
    return LocalStore(local_path(out))


def staging_folder() -> Path:
    """A private local folder where a run with a remote OUT writes its tables before they are uploaded."""
    return Path(tempfile.mkdtemp(prefix="vanban-staging-"))
