#!/usr/bin/env bash
# `make eval`: extraction quality, offline (`newswire extract`, no Kafka), on each set with gold:
#   samples   samples/ against ../shared/eval/seeds.gold.jsonl (the texts the extractor grew up on)
#   heldout   tests/fixtures/heldout (wire-style texts written for this repo)
#   dev       tests/fixtures/realnews/dev (real French news; look at its errors freely)
#   holdout   tests/fixtures/realnews/holdout (real French news; score only, never read its errors)
# For each: the shared scorer's entity / event / identity figures and event-argument P/R/F1
# (bench/quality.py); on dev also the most frequent error classes.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

score() { # name, texts dir, gold file, extra arguments of bench.quality
  local name=$1 texts=$2 gold=$3
  shift 3
  [[ -f $gold ]] || { echo "eval: $gold is missing" >&2; return 1; }
  .venv/bin/newswire extract "$texts" --output "$out/$name.jsonl" 2>"$out/$name.log" ||
    { cat "$out/$name.log" >&2; return 1; }
  echo "== $name ($texts, $(grep -c . "$gold") articles)"
  .venv/bin/python -m bench.quality "$gold" "$out/$name.jsonl" "$texts" "$@"
  echo
}

score samples samples ../shared/eval/seeds.gold.jsonl
score heldout tests/fixtures/heldout tests/fixtures/heldout.gold.jsonl
score dev tests/fixtures/realnews/dev tests/fixtures/realnews/dev.gold.jsonl --errors 12
score holdout tests/fixtures/realnews/holdout tests/fixtures/realnews/holdout.gold.jsonl
