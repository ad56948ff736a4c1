"""What `pip install .` brings (issue 15): `vanban run` needs no spaCy, Dask, Playwright,
atheris or pytest; those are extras, and a command that needs an absent one says which
extra to install, in one line, without a traceback.

`vanban run` is run where importing those packages fails (a meta-path blocker in a
`sitecustomize` on PYTHONPATH, which every worker process inherits) and must write the
same tables as a run with everything installed.
"""

from __future__ import annotations

import importlib.metadata as md
import os
import subprocess
import sys
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from conftest import ROOT, SAMPLES, SEED

sys.path.insert(0, str(ROOT / "scripts"))
import lock  # noqa: E402 - scripts/lock.py

EXTRAS_ONLY = ("spacy", "dask", "distributed", "playwright", "atheris", "pytest")
_BLOCKER = '''
import sys

BLOCKED = {blocked!r}


class _Blocker:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ImportError(f"No module named {{name!r}} (blocked: not installed by `pip install .`)", name=name)
        return None


sys.meta_path.insert(0, _Blocker())
'''


def _without(tmp_path: Path, blocked=EXTRAS_ONLY) -> dict[str, str]:
    """An environment whose Python processes cannot import `blocked`."""
    site = tmp_path / "site"
    site.mkdir(exist_ok=True)
    (site / "sitecustomize.py").write_text(_BLOCKER.format(blocked=tuple(blocked)), encoding="utf-8")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(site), *filter(None, [env.get("PYTHONPATH")])])
    return env


def _vanban(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "vanban.cli", *args], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=600)


def test_the_runtime_requirements_leave_the_extras_out():
    runtime = lock.runtime_requirements()
    assert {Requirement(r).name.lower() for r in runtime} >= {"pypdfium2", "pdfplumber", "python-docx", "jinja2", "pyarrow"}
    pulled = lock.closure(runtime)
    assert not pulled & {"spacy", "dask", "distributed", "playwright", "atheris", "pytest", "hypothesis", "thinc"}, pulled
    # and each extra the README names is declared
    extras = set(md.metadata("vanban").get_all("Provides-Extra"))
    assert {"spacy", "dask", "dev", "s3", "gcs", "azure"} <= extras


def test_the_lock_files_split_runtime_from_development():
    runtime, dev = lock.split()
    assert (ROOT / "requirements.lock").read_text(encoding="utf-8") == "\n".join(runtime) + "\n"
    assert (ROOT / "requirements-dev.lock").read_text(encoding="utf-8") == "\n".join(dev) + "\n"
    runtime_names = {canonicalize_name(line.split("==")[0]) for line in runtime}
    dev_names = {canonicalize_name(line.split("==")[0]) for line in dev}
    assert not runtime_names & {"spacy", "dask", "distributed", "playwright", "atheris", "pytest", "hypothesis"}
    assert {"spacy", "dask", "distributed", "playwright", "atheris", "pytest", "pytest-xdist"} <= dev_names
    # everything the dev extra pulls in is pinned in one of the two files
    dev_reqs = [r for r in md.requires("vanban") if 'extra == "dev"' in r]
    assert lock.closure(dev_reqs) - {"vanban", "setuptools", "pip", "wheel"} <= runtime_names | dev_names


def test_the_blocker_blocks(tmp_path):
    proc = subprocess.run([sys.executable, "-c", "import spacy"], capture_output=True, text=True, env=_without(tmp_path))
    assert proc.returncode == 1 and "blocked" in proc.stderr


def test_vanban_run_needs_none_of_the_extras(tmp_path):
    files = [str(SEED), str(SAMPLES / "Kế hoạch CCHC 2026 của tỉnh Lâm Đồng.docx"), str(SAMPLES / "82_2020_ND-CP_392611.pdf")]
    with_all, without = tmp_path / "all", tmp_path / "bare"
    full = _vanban("run", *files, "-o", str(with_all), "-q")
    assert full.returncode == 0, full.stderr
    bare = _vanban("run", *files, "-o", str(without), "-q", env=_without(tmp_path))
    assert bare.returncode == 0, bare.stderr
    assert "Traceback" not in bare.stderr
    for name in ("tasks.csv", "citations.csv", "targets.csv", "relations.csv", "findings.jsonl"):
        assert (without / name).read_bytes() == (with_all / name).read_bytes(), name
    docs = sorted(p.name for p in (with_all / "docs").glob("*.json"))
    assert len(docs) == 3 and docs == sorted(p.name for p in (without / "docs").glob("*.json"))


def test_annotate_without_spacy_names_the_extra(tmp_path):
    proc = _vanban("annotate", str(SEED), "-o", str(tmp_path / "seed.spacy"), env=_without(tmp_path, ("spacy",)))
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0, proc.stderr  # one line
    assert "install vanban[spacy]" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "seed.spacy").exists()


def test_the_dask_engine_without_dask_names_the_extra(tmp_path):
    proc = _vanban("run", str(SEED), "-o", str(tmp_path / "out"), "--engine", "dask", "--scheduler", "tcp://127.0.0.1:9",
                   env=_without(tmp_path))
    assert proc.returncode == 2
    assert "vanban[dask]" in proc.stderr and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr


def test_annotate_writes_the_spans(tmp_path):
    from spacy.tokens import DocBin  # the dev set-up installs the extra

    from vanban.normalize.annotate import blank_vi
    from vanban.pipeline import process_file

    dec = process_file(SEED).decision
    proc = _vanban("annotate", str(SEED), "-o", str(tmp_path / "seed.spacy"))
    assert proc.returncode == 0, proc.stderr
    [doc] = list(DocBin().from_disk(tmp_path / "seed.spacy").get_docs(blank_vi().vocab))
    assert doc.text == dec.text
    assert [s.label_ for s in doc.spans["citations"]] == [c.id for c in dec.citations]
    page = _vanban("annotate", str(SEED), "-o", str(tmp_path / "seed.html"), "--group", "agencies")
    assert page.returncode == 0, page.stderr
    html = (tmp_path / "seed.html").read_text(encoding="utf-8")
    assert "Sở Tư pháp" in html and "<script" not in html.lower()
