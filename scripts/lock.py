"""Split the pinned Python dependencies into what `vanban run` needs and the rest.

    .venv/bin/python scripts/lock.py          # rewrite requirements.lock and requirements-dev.lock
    .venv/bin/python scripts/lock.py --check  # exit 1 when the split is not what the metadata says

`requirements.lock` holds the pins of vanban's runtime dependencies and everything they
need, as the installed metadata says (`pyproject.toml`'s `dependencies`, no extras);
`requirements-dev.lock` holds every other pin: the extras the tests exercise (spaCy,
Dask, s3fs) and the test tools (pytest, Playwright, atheris, ...). `scripts/setup.sh`
installs both. Run it in a set-up `.venv` after changing `pyproject.toml` or a pin.
"""

from __future__ import annotations

import importlib.metadata as md
import re
import sys
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
RUNTIME_LOCK = ROOT / "requirements.lock"
DEV_LOCK = ROOT / "requirements-dev.lock"
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)$")


def _applies(req: Requirement, extras: set[str]) -> bool:
    if req.marker is None:
        return True
    env = default_environment()
    return any(req.marker.evaluate({**env, "extra": e}) for e in extras | {""})


def closure(requirements: list[str]) -> set[str]:
    """The canonical names of the installed distributions these requirements pull in, transitively."""
    wanted: dict[str, set[str]] = {}  # name -> extras asked of it
    todo = [Requirement(r) for r in requirements]
    while todo:
        req = todo.pop()
        name = canonicalize_name(req.name)
        asked = wanted.get(name)
        if asked is not None and set(req.extras) <= asked:
            continue
        wanted[name] = (asked or set()) | set(req.extras)
        todo.extend(r for r in map(Requirement, md.distribution(name).requires or []) if _applies(r, wanted[name]))
    return set(wanted)


def runtime_requirements() -> list[str]:
    """vanban's own requirements without an extra, as its installed metadata has them."""
    return [r for r in md.requires("vanban") or [] if _applies(Requirement(r), set())]


def pins(*paths: Path) -> dict[str, str]:
    """{canonical name: "Name==version"} of the lock files."""
    out = {}
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            m = _PIN.match(line.strip())
            if m:
                out[canonicalize_name(m.group(1))] = line.strip()
    return out


def split() -> tuple[list[str], list[str]]:
    """(runtime pins, development pins), each sorted as pip freeze sorts."""
    every = pins(RUNTIME_LOCK, DEV_LOCK) if DEV_LOCK.exists() else pins(RUNTIME_LOCK)
    runtime = closure(runtime_requirements()) - {"vanban"}
    missing = sorted(runtime - every.keys() - {"setuptools", "pip", "wheel"})
    if missing:
        raise SystemExit(f"lock: runtime dependencies with no pin: {', '.join(missing)}")
    return ([every[k] for k in sorted(every) if k in runtime], [every[k] for k in sorted(every) if k not in runtime])


def main(argv: list[str]) -> int:
    runtime, dev = split()
    texts = {RUNTIME_LOCK: "\n".join(runtime) + "\n", DEV_LOCK: "\n".join(dev) + "\n"}
    if "--check" in argv:
        stale = [p.name for p, t in texts.items() if not p.exists() or p.read_text(encoding="utf-8") != t]
        if stale:
            print(f"lock: {', '.join(stale)} out of date (run scripts/lock.py)", file=sys.stderr)
            return 1
        return 0
    for path, text in texts.items():
        path.write_text(text, encoding="utf-8")
    print(f"lock: {len(runtime)} runtime pins in {RUNTIME_LOCK.name}, {len(dev)} more in {DEV_LOCK.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
