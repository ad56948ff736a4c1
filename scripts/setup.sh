#!/usr/bin/env bash
# Set up vanban on a fresh machine, idempotently:
#  1. the Debian packages the readers and the review page need (Tesseract with its
#     Vietnamese model, LibreOffice Writer and its Python bridge (python3-uno: one LibreOffice
#     kept running per worker), Chromium, poppler), installed with
#     apt-get when this user may, otherwise named in a clear message;
#  2. a Python 3.11 virtual environment in .venv with the pinned dependencies of
#     `vanban run` (requirements.lock), those of the extras and tools the tests use
#     (requirements-dev.lock: spaCy, Dask, s3fs, pytest, Playwright, atheris; the
#     `dev` extra), and vanban itself.
# Running it again does nothing that is already done.
set -euo pipefail
cd "$(dirname "$0")/.."

DEB_PACKAGES=(tesseract-ocr tesseract-ocr-vie libreoffice-writer-nogui python3-uno chromium poppler-utils)

missing=()
if command -v dpkg-query >/dev/null 2>&1; then
  for p in "${DEB_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
fi
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing Debian packages: ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "setup: these Debian packages are missing and I cannot install them as this user:" >&2
    echo "         sudo apt-get install ${missing[*]}" >&2
    echo "       vanban runs without them, but scanned PDFs (OCR), .doc/.rtf/.odt files and the review page's browser tests need them." >&2
  fi
fi

PY=${PYTHON:-}
if [ -z "$PY" ]; then
  for c in python3.11 python3; do
    if command -v "$c" >/dev/null 2>&1 && "$c" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else 1)' 2>/dev/null; then
      PY=$c; break
    fi
  done
fi
if [ -z "$PY" ]; then
  echo "setup: Python 3.11 is needed (set PYTHON=/path/to/python3.11)" >&2
  exit 1
fi

if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
stamp=.venv/.vanban-installed
want=$(cat requirements.lock requirements-dev.lock pyproject.toml | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ] || ! .venv/bin/python -c 'import vanban' 2>/dev/null; then
  echo "setup: installing Python dependencies into .venv" >&2
  .venv/bin/python -m pip install -q --upgrade pip setuptools wheel
  .venv/bin/python -m pip install -q -r requirements.lock -r requirements-dev.lock
  .venv/bin/python -m pip install -q --no-deps -e . 2>&1 | grep -v -e '^ *!!' -e '^ *\*\*\*' -e 'wheel_obj' -e '^ *$' -e 'Please' -e 'See https' -e 'By 20' -e 'setuptools' -e 'isolation' -e 'PEP' -e 'deprecated' >&2 || true
  echo "$want" > "$stamp"
fi
