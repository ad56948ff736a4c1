"""The output folder (`-o OUT`): what vanban may write there, and what it may delete (issue 14).

Before a run writes anything, `prepare` checks OUT:

- it is a folder vanban can write in (a file, or a folder it cannot write, is a
  one-line error);
- none of the paths vanban writes or reads at a fixed place inside it
  (`documents.csv`, `vanban.sqlite` and its journal files, `docs/`, `.cache/`,
  `validation/`, ...) is a symbolic link: a link there would make vanban drop a
  database or delete files somewhere else, so it is refused, never followed;
- a folder that is not empty is a vanban output folder: it has the manifest
  `OUT/.vanban/manifest.json`, or (written by a vanban from before the manifest)
  vanban's tables, database or cache, whose files are then adopted as vanban's.
  Any other non-empty folder is refused unless `--force-output`.

The manifest lists the files vanban wrote; only those are ever deleted (a
document of `OUT/docs` no longer among the run's inputs, Data Docs being
replaced). Names in a manifest are only ever taken for the paths vanban itself
writes, so a crafted manifest cannot point vanban at another file.

OUT may be a URL (`s3://bucket/runs/x/`, see `vanban.storage`): there is no
link to refuse in an object store; the same rules hold otherwise (an object
where OUT should be a folder, a prefix holding objects but no manifest, a
bucket that cannot be written are one-line errors), and only the objects the
manifest lists are ever deleted.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import stat
import tempfile
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vanban.outputs import tables as T
from vanban.outputs.files import read_nofollow

MANIFEST = ".vanban/manifest.json"
MANIFEST_FORMAT = 1
#: folders vanban writes at fixed places in OUT
FOLDERS = ("docs", ".cache", "validation", "validation/data_docs", ".vanban")
#: the one folder vanban replaces whole (Great Expectations' Data Docs)
DATA_DOCS = "validation/data_docs"
_DOC_FILE = re.compile(r"docs/[0-9a-z_-]+\.json")


class OutputError(Exception):
    """OUT cannot be used: the message (one line) names the path and the reason."""


def fixed_paths() -> list[str]:
    """Every path, relative to OUT, that vanban writes or reads at a fixed place."""
    tables = [*T.TABLES, "findings"]
    return [
        *(f"{t}.csv" for t in T.TABLES), *(f"{t}.jsonl" for t in tables), *(f"{t}.parquet" for t in tables),
        "vanban.xlsx", "vanban.sqlite", "vanban.sqlite-wal", "vanban.sqlite-shm", "vanban.sqlite-journal",
        "report.html", ".cache/corpus_findings.json", "validation/results.json", MANIFEST, *FOLDERS,
    ]


def _acceptable(rel: str) -> bool:
    return rel in _FIXED or bool(_DOC_FILE.fullmatch(rel))


@dataclass
class Manifest:
    """The files of OUT that vanban wrote (relative POSIX paths), and how OUT was recognised.

    `run` names the run that saved it last: a worker that reads the same token
    sees the same OUT as the client.
    """

    out: Path | str
    files: set[str] = field(default_factory=set)
    how: str = "manifest"  # manifest, new, adopted, forced
    run: str = field(default_factory=lambda: secrets.token_hex(8))
    store: Any = None  # vanban.storage.OutStore

    def __post_init__(self) -> None:
        if self.store is None:
            from vanban.storage import open_out

            self.store = open_out(self.out)

    def add(self, *rels: str) -> None:
        self.files.update(r for r in rels if _acceptable(r))

    def owns(self, rel: str) -> bool:
        return rel in self.files

    def save(self) -> None:
        data = {"vanban": "output folder", "format": MANIFEST_FORMAT, "run": self.run, "files": sorted(self.files)}
        self.store.write(MANIFEST, (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode(), durable=True)

    def prune_documents(self, keep: set[str]) -> int:
        """Delete OUT/docs/<doc_id>.json files vanban wrote whose doc_id is not in `keep`; how many."""
        n = 0
        for rel in sorted(r for r in self.files if r.startswith("docs/")):
            if rel[len("docs/"):-len(".json")] in keep:
                continue
            n += self.store.delete(rel)
            self.files.discard(rel)
        return n


_FIXED = frozenset(fixed_paths())


def prepare(out: Path | str, *, force: bool = False) -> Manifest:
    """Check OUT (creating it when missing) and return its manifest; `OutputError` when it cannot be used."""
    from vanban.storage import is_url, local_path

    if is_url(out):
        return _prepare_remote(str(out), force)
    out = local_path(out)
    _ensure_folder(out)
    check_links(out)
    manifest = load(out)
    if manifest is not None:
        return manifest
    try:
        empty = not any(os.scandir(out))
    except OSError as e:
        raise OutputError(f"{out}: cannot list the output folder ({e.strerror or e})") from None
    if empty:
        return Manifest(out, how="new")
    adopted = _adopt(out)
    if adopted is not None:
        return adopted
    if force:
        return Manifest(out, how="forced")
    raise OutputError(
        f"{out}: the folder is not empty and is not a vanban output folder; choose a new or empty folder, "
        "or pass --force-output to write into it (vanban deletes nothing it did not write)"
    )


def _ensure_folder(out: Path) -> None:
    try:
        st = os.stat(out)  # OUT itself may be a link to a folder: the user named it
    except (FileNotFoundError, NotADirectoryError):
        try:
            out.mkdir(parents=True)
        except FileExistsError:  # a broken link, or made meanwhile
            pass
        except OSError as e:
            raise OutputError(f"{out}: cannot create the output folder ({e.strerror or e})") from None
        try:
            st = os.stat(out)
        except OSError as e:
            raise OutputError(f"{out}: cannot create the output folder ({e.strerror or e})") from None
    except OSError as e:
        raise OutputError(f"{out}: cannot use it as the output folder ({e.strerror or e})") from None
    if not stat.S_ISDIR(st.st_mode):
        what = "a file of that name exists" if stat.S_ISREG(st.st_mode) else f"it is {_kind(st.st_mode)}"
        raise OutputError(f"{out}: not a folder ({what}); -o needs a folder")
    try:
        fd, probe = tempfile.mkstemp(prefix=".vanban-write-check.", dir=out)
        os.close(fd)
        os.unlink(probe)
    except OSError as e:
        raise OutputError(f"{out}: cannot write in the output folder ({e.strerror or e})") from None


def _kind(mode: int) -> str:
    from vanban.extract.base import file_kind

    return file_kind(mode)


def check_links(out: Path) -> None:
    """Refuse a symbolic link (or a thing of the wrong kind) where vanban writes or reads in OUT."""
    for rel in fixed_paths():
        path = out / rel
        try:
            st = os.lstat(path)
        except (FileNotFoundError, NotADirectoryError):
            continue
        if stat.S_ISLNK(st.st_mode):
            raise OutputError(
                f"{path}: a symbolic link inside the output folder; vanban never follows one there "
                "(remove it, or choose another -o)"
            )
        if rel in FOLDERS and not stat.S_ISDIR(st.st_mode):
            raise OutputError(f"{path}: not a folder ({_kind(st.st_mode)}); vanban writes a folder of that name")
        if rel not in FOLDERS and not stat.S_ISREG(st.st_mode):
            raise OutputError(f"{path}: {_kind(st.st_mode)} where vanban writes a file; remove it or choose another -o")
    docs = out / DATA_DOCS
    for root, dirs, files in os.walk(docs):  # Great Expectations writes a tree there
        for name in dirs + files:
            if os.path.islink(os.path.join(root, name)):
                raise OutputError(f"{os.path.join(root, name)}: a symbolic link inside the output folder; "
                                  "vanban never follows one there (remove it, or choose another -o)")


def _prepare_remote(url: str, force: bool) -> Manifest:
    """`prepare` for OUT in an object store."""
    from vanban.storage import RemoteStore, StorageError, reason

    store = RemoteStore(url)
    try:
        fs, root = store.fs, store.key(MANIFEST)[: -len(MANIFEST) - 1]
        try:
            kind = fs.info(root).get("type")
        except FileNotFoundError:
            kind = None
        if kind not in (None, "directory"):
            raise OutputError(f"{url}: not a folder (an object of that name exists); -o needs a folder")
        manifest = load(url, store)
        if manifest is not None:
            return manifest
        empty = kind is None or not fs.ls(root, detail=False)
        probe = f".vanban/.write-check-{secrets.token_hex(6)}"
        store.write(probe, b"")
        store.delete(probe)
    except StorageError as e:
        raise OutputError(str(e)) from None
    except OutputError:
        raise
    except Exception as e:  # noqa: BLE001 - no such bucket, no credentials, access denied: one line
        raise OutputError(f"{url}: cannot write in the output folder ({reason(e)})") from None
    if empty:
        return Manifest(url, how="new", store=store)
    if force:
        return Manifest(url, how="forced", store=store)
    raise OutputError(
        f"{url}: the folder is not empty and is not a vanban output folder; choose a new or empty folder, "
        "or pass --force-output to write into it (vanban deletes nothing it did not write)"
    )


def load(out: Path | str, store: Any = None) -> Manifest | None:
    """OUT's manifest, or None when there is none (or it is not one of ours)."""
    m = Manifest(out, store=store)
    try:
        data = json.loads(m.store.read(MANIFEST))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("vanban") != "output folder" or not isinstance(data.get("files"), list):
        return None
    m.add(*(f for f in data["files"] if isinstance(f, str)))
    return m


def run_token(store: Any) -> str | None:
    """The `run` of OUT's manifest as seen from here (a worker checks it sees the client's OUT), or None."""
    try:
        data = json.loads(store.read(MANIFEST))
    except (OSError, ValueError):
        return None
    return data.get("run") if isinstance(data, dict) else None


def _adopt(out: Path) -> Manifest | None:
    """A folder written by vanban before the manifest existed: its vanban files, or None."""
    if not (_our_documents_csv(out) or _our_database(out) or _our_cache(out)):
        return None
    m = Manifest(out, how="adopted")
    for rel in fixed_paths():
        if rel not in FOLDERS and (out / rel).is_file():
            m.add(rel)
    if (out / DATA_DOCS).is_dir():
        m.add(DATA_DOCS)
    cache = out / ".cache"
    try:
        docs = [e.name for e in os.scandir(out / "docs") if e.is_file(follow_symlinks=False)]
    except OSError:
        docs = []
    # a document file is vanban's when the cache holds the entry written with it
    m.add(*(f"docs/{name}" for name in docs if name.endswith(".json") and (cache / name).is_file()))
    return m


def _our_documents_csv(out: Path) -> bool:
    header = ",".join(T.TABLES["documents"][:4])
    try:
        return read_nofollow(out / "documents.csv", limit=len(header)).decode("utf-8", "replace") == header
    except OSError:
        return False


def _our_database(out: Path) -> bool:
    path = out / "vanban.sqlite"
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return False
        con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=5)
        try:
            return con.execute("SELECT 1 FROM meta WHERE key = 'pipeline_version'").fetchone() is not None
        finally:
            con.close()
    except (OSError, sqlite3.Error):
        return False


def _our_cache(out: Path) -> bool:
    try:
        names = sorted(e.name for e in os.scandir(out / ".cache") if e.name.endswith(".json"))[:3]
    except OSError:
        return False
    for name in names:
        try:
            entry = json.loads(read_nofollow(out / ".cache" / name))
        except (OSError, ValueError):
            continue
        if isinstance(entry, dict) and {"key", "record", "doc_id"} <= set(entry) or name == "corpus_findings.json":
            return True
    return False


def remove_remote_data_docs(store: Any) -> None:
    """Delete the objects under OUT/validation/data_docs/ of an object store, when vanban wrote them."""
    m = load(store.url, store)
    if m is None or not m.owns(DATA_DOCS):
        return
    for rel in sorted(store.names(DATA_DOCS)):
        store.delete(rel)


def remove_data_docs(out: Path) -> None:
    """Delete OUT/validation/data_docs before it is written again, when vanban wrote it."""
    m = load(out)
    path = out / DATA_DOCS
    if m is None or not m.owns(DATA_DOCS):
        return
    try:
        if stat.S_ISDIR(os.lstat(path).st_mode):
            shutil.rmtree(path)  # removes links inside, never what they point to
    except FileNotFoundError:
        pass
