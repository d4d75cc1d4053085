#!/usr/bin/env bash
# Installs the real Toxiproxy server (pinned) into a cache outside the repo, and optionally starts it.
#   scripts/ci/toxiproxy.sh            install (idempotent; instant when cached), print the binary path
#   scripts/ci/toxiproxy.sh start      install, start on 127.0.0.1 on a free port, print its URL;
#                                      the pid is written to $TOKENSTORM_CACHE/toxiproxy.pid
#   scripts/ci/toxiproxy.sh stop       stop the server started by `start`
# Go's own caches (module download, build) live under the same folder, so a repeated run neither
# downloads nor compiles anything.
set -euo pipefail

VERSION="v2.12.0"
CACHE="${TOKENSTORM_CACHE:-$HOME/.cache/tokenstorm}"
GO_HOME="$CACHE/go"
BIN_DIR="$GO_HOME/bin/toxiproxy-$VERSION"
BIN="$BIN_DIR/toxiproxy-server"
PID_FILE="$CACHE/toxiproxy.pid"

install() {
  if [[ -x "$BIN" ]]; then
    return 0
  fi
  if ! command -v go >/dev/null 2>&1; then
    echo "toxiproxy.sh: Go is required to install toxiproxy-server $VERSION (https://go.dev/dl/)" >&2
    exit 1
  fi
  mkdir -p "$BIN_DIR"
  # The module publishes the server as cmd/server (its release archives rename it toxiproxy-server);
  # `go install` names the binary after the folder, so it is renamed the same way here.
  GOPATH="$GO_HOME/path" GOMODCACHE="$GO_HOME/mod" GOCACHE="$GO_HOME/build" GOBIN="$BIN_DIR" \
    GOFLAGS="-modcacherw -buildvcs=false" \
    go install "github.com/Shopify/toxiproxy/v2/cmd/server@$VERSION" >&2
  mv "$BIN_DIR/server" "$BIN"
}

free_port() {
  node -e 'const s=require("node:net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

start() {
  install
  local port url
  port="$(free_port)"
  url="http://127.0.0.1:$port"
  "$BIN" -host 127.0.0.1 -port "$port" >"$CACHE/toxiproxy.log" 2>&1 &
  echo $! >"$PID_FILE"
  for _ in $(seq 1 100); do
    if curl -fsS "$url/version" >/dev/null 2>&1; then
      echo "$url"
      return 0
    fi
    sleep 0.1
  done
  echo "toxiproxy.sh: toxiproxy-server did not answer on $url within 10 s (log: $CACHE/toxiproxy.log)" >&2
  exit 1
}

stop() {
  if [[ -f "$PID_FILE" ]]; then
    kill "$(cat "$PID_FILE")" 2>/dev/null || true
    rm -f "$PID_FILE"
  fi
}

case "${1:-install}" in
  install) install; echo "$BIN" ;;
  start) start ;;
  stop) stop ;;
  path) echo "$BIN" ;;
  *) echo "usage: scripts/ci/toxiproxy.sh [install|start|stop|path]" >&2; exit 2 ;;
esac
