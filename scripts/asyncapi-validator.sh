#!/usr/bin/env bash
# Validates an AsyncAPI document (default: services/contracts/asyncapi.json) with the AsyncAPI Initiative's
# parser, @asyncapi/parser, pinned in tools/asyncapi/package-lock.json. Installs it first (npm ci) when
# tools/asyncapi/node_modules is missing or older than the lock, so a fresh clone needs only node and npm.
#
# Usage: scripts/asyncapi-validator.sh [FILE]
# Prints the parser's diagnostics on stdout (npm's output goes to stderr). Exit status: 0 valid, 1 the
# parser reported an error, 2 bad usage or unreadable file, 3 node/npm missing or the install failed.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tool="$root/tools/asyncapi"
file=${1:-$root/services/contracts/asyncapi.json}

for command in node npm; do
  if ! command -v "$command" >/dev/null; then
    echo "asyncapi-validator: $command is not installed (Node.js 20 or later is needed)" >&2
    exit 3
  fi
done

# Two test runs at once must not both rewrite node_modules.
exec 9>"$tool/.install.lock"
flock 9
if [[ ! "$tool/node_modules/.package-lock.json" -nt "$tool/package-lock.json" ]]; then
  # --ignore-scripts: the parser is plain JavaScript; the only install script in the tree is a usage
  # tracker (@scarf/scarf), which must not run on our machines.
  if ! npm ci --prefix "$tool" --no-audit --no-fund --ignore-scripts --prefer-offline --loglevel=error >&2; then
    echo "asyncapi-validator: npm ci in tools/asyncapi failed" >&2
    exit 3
  fi
fi
exec 9>&-

exec node "$tool/validate.mjs" "$file"
