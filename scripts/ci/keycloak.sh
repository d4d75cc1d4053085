#!/usr/bin/env bash
# A real Keycloak for tests and local load tests, without Docker.
#
#   scripts/ci/keycloak.sh install                 fetch + unpack (idempotent), print KEYCLOAK_HOME
#   scripts/ci/keycloak.sh start [--port 8080] [--management-port 9000] [--dir DIR] [--watch-pid PID]
#                                                  start-dev on 127.0.0.1, wait for /health/ready,
#                                                  import scenarios/keycloak/*.json, print the base URL;
#                                                  with --watch-pid, stop it when that process ends
#   scripts/ci/keycloak.sh stop [--dir DIR]        stop the instance started with the same --dir
#
# The distribution is org.keycloak:keycloak-quarkus-dist (zip) from Maven Central, fetched with
# Maven and cached under ~/.cache/tokenstorm/keycloak (override: TOKENSTORM_CACHE). The version is
# the newest of KEYCLOAK_VERSIONS whose class files this machine's newest JDK can run (checked on
# the unpacked jar, not assumed); KEYCLOAK_VERSION pins one.
#
# Realms are imported through the admin REST API after start-up rather than with --import-realm:
# that option reads only <install>/data/import, which would make the shared cached install carry
# one checkout's realm files. The database is dev-mem, so every start begins from the files.
set -euo pipefail

REPO="$(cd "$(dirname "$0")/../.." && pwd)"
CACHE="${TOKENSTORM_CACHE:-$HOME/.cache/tokenstorm}/keycloak"
KEYCLOAK_VERSIONS="${KEYCLOAK_VERSIONS:-26.7.3 26.7.0 26.5.6 26.4.7}"
REALMS_DIR="${KEYCLOAK_REALMS_DIR:-$REPO/scenarios/keycloak}"
DEPENDENCY_PLUGIN="org.apache.maven.plugins:maven-dependency-plugin:3.8.1"

die() { echo "keycloak.sh: $*" >&2; exit 1; }

# Major version of a JDK home (17, 21, 25…), from its release file.
jdk_major() {
  local v
  v="$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release" 2>/dev/null || true)"
  echo "${v:-0}"
}

# The newest JDK on this machine: JAVA_HOME, /usr/lib/jvm/*, or the one on PATH.
pick_jdk() {
  local best="" best_major=0 h m
  for h in ${JAVA_HOME:-} /usr/lib/jvm/*; do
    [ -x "$h/bin/java" ] || continue
    m="$(jdk_major "$h")"
    if [ "$m" -gt "$best_major" ]; then best="$h"; best_major="$m"; fi
  done
  if [ -z "$best" ] && command -v java >/dev/null 2>&1; then
    best="$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")"
    best_major="$(jdk_major "$best")"
  fi
  [ -n "$best" ] || die "no JDK found (install OpenJDK 17 or newer: apt-get install openjdk-17-jdk-headless)"
  echo "$best $best_major"
}

# Java release a Keycloak install needs: class-file major of its server jar minus 44 (61 → 17).
required_java() {
  local jar cls major
  jar="$(ls "$1"/lib/lib/main/org.keycloak.keycloak-services-*.jar 2>/dev/null | head -n 1)"
  [ -n "$jar" ] || { echo 99; return; }
  cls="$(mktemp -d)"
  (cd "$cls" && "$2/bin/jar" xf "$jar" 'org/keycloak/services/resources/KeycloakApplication.class' 2>/dev/null) || true
  major="$(od -An -j7 -N1 -tu1 "$cls/org/keycloak/services/resources/KeycloakApplication.class" 2>/dev/null | tr -d ' ')"
  rm -rf "$cls"
  echo $(( ${major:-143} - 44 ))
}

fetch() {
  local version="$1" zip="$CACHE/dl/keycloak-quarkus-dist-$1.zip"
  if [ ! -s "$zip" ]; then
    command -v mvn >/dev/null 2>&1 || die "Maven (mvn) is needed to fetch Keycloak: apt-get install maven"
    mkdir -p "$CACHE/dl"
    echo "keycloak.sh: fetching org.keycloak:keycloak-quarkus-dist:$version:zip with Maven" >&2
    mvn -B -q "$DEPENDENCY_PLUGIN:copy" "-Dartifact=org.keycloak:keycloak-quarkus-dist:$version:zip" \
      "-DoutputDirectory=$CACHE/dl" >&2 || return 1
  fi
  if [ ! -x "$CACHE/keycloak-$version/bin/kc.sh" ]; then
    rm -rf "$CACHE/keycloak-$version.tmp"
    mkdir -p "$CACHE/keycloak-$version.tmp"
    if command -v unzip >/dev/null 2>&1; then
      unzip -q "$zip" -d "$CACHE/keycloak-$version.tmp" || return 1
    else
      # No unzip on this machine: Python's zipfile (it drops the exec bits, restored below).
      python3 -m zipfile -e "$zip" "$CACHE/keycloak-$version.tmp" || return 1
      chmod +x "$CACHE/keycloak-$version.tmp/keycloak-$version"/bin/*.sh
    fi
    mv "$CACHE/keycloak-$version.tmp/keycloak-$version" "$CACHE/keycloak-$version"
    rm -rf "$CACHE/keycloak-$version.tmp"
  fi
}

# Prints "<keycloak home> <java home>".
install() {
  local jdk jdk_major v versions="${KEYCLOAK_VERSION:-$KEYCLOAK_VERSIONS}"
  local out
  out="$(pick_jdk)"
  read -r jdk jdk_major <<<"$out"
  command -v unzip >/dev/null 2>&1 || command -v python3 >/dev/null 2>&1 || die "unzip is needed: apt-get install unzip"
  local unfetched=""
  for v in $versions; do
    fetch "$v" || { unfetched="$unfetched $v"; echo "keycloak.sh: could not fetch Keycloak $v, trying the next version" >&2; continue; }
    local need
    need="$(required_java "$CACHE/keycloak-$v" "$jdk")"
    if [ "$need" -le "$jdk_major" ]; then
      echo "$CACHE/keycloak-$v $jdk"
      return 0
    fi
    echo "keycloak.sh: Keycloak $v needs Java $need, the newest JDK here is $jdk_major ($jdk)" >&2
  done
  [ -z "$unfetched" ] || die "could not fetch Keycloak${unfetched} from Maven Central (mvn $DEPENDENCY_PLUGIN:copy), and no other version of [$versions] runs on Java $jdk_major"
  die "no Keycloak version of [$versions] runs on Java $jdk_major"
}

PORT=8080
MGMT_PORT=9000
DIR=""
WATCH_PID=""
parse_flags() {
  while [ $# -gt 0 ]; do
    case "$1" in
      --port) PORT="$2"; shift 2 ;;
      --management-port) MGMT_PORT="$2"; shift 2 ;;
      --dir) DIR="$2"; shift 2 ;;
      --watch-pid) WATCH_PID="$2"; shift 2 ;;
      *) die "unknown flag $1 (known: --port, --management-port, --dir, --watch-pid)" ;;
    esac
  done
  DIR="${DIR:-$CACHE/instance-$PORT}"
}

# An admin token for the master realm (the bootstrap admin this start created).
admin_token() {
  curl -sf --max-time 20 -d grant_type=password -d client_id=admin-cli \
    --data-urlencode "username=$1" --data-urlencode "password=$2" \
    "http://127.0.0.1:$PORT/realms/master/protocol/openid-connect/token" |
    node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>process.stdout.write(JSON.parse(s).access_token))'
}

start() {
  parse_flags "$@"
  local home java started out
  out="$(install)"
  read -r home java <<<"$out"
  mkdir -p "$DIR"
  if [ -s "$DIR/pid" ] && kill -0 "$(cat "$DIR/pid")" 2>/dev/null; then
    die "an instance is already running from $DIR (pid $(cat "$DIR/pid")): run stop first"
  fi
  # A fresh bootstrap admin password per start; it never leaves this script and the process env.
  local admin_user="tokenstorm-admin" admin_pass
  admin_pass="$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')"
  started="$(date +%s)"
  # Keycloak's own heap default is 70% of RAM; a test peer on a shared 2-core machine stays small.
  KC_BOOTSTRAP_ADMIN_USERNAME="$admin_user" KC_BOOTSTRAP_ADMIN_PASSWORD="$admin_pass" \
    JAVA_HOME="$java" JAVA_OPTS_KC_HEAP="${KEYCLOAK_HEAP:--Xms64m -Xmx512m}" \
    setsid "$home/bin/kc.sh" start-dev --http-host=127.0.0.1 --http-port="$PORT" \
    --http-management-port="$MGMT_PORT" --db=dev-mem --health-enabled=true \
    >"$DIR/keycloak.log" 2>&1 </dev/null &
  echo $! >"$DIR/pid"
  local deadline=$(( started + ${KEYCLOAK_START_TIMEOUT_SEC:-300} ))
  until curl -sf --max-time 5 "http://127.0.0.1:$MGMT_PORT/health/ready" >/dev/null 2>&1; do
    if ! kill -0 "$(cat "$DIR/pid")" 2>/dev/null; then
      tail -n 20 "$DIR/keycloak.log" >&2
      die "Keycloak exited during start-up (log: $DIR/keycloak.log)"
    fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
      stop --dir "$DIR" >/dev/null 2>&1 || true
      die "Keycloak not ready within ${KEYCLOAK_START_TIMEOUT_SEC:-300}s (log: $DIR/keycloak.log)"
    fi
    sleep 1
  done
  local token f code
  token="$(admin_token "$admin_user" "$admin_pass")" || die "cannot get an admin token from the started Keycloak"
  for f in "$REALMS_DIR"/*.json; do
    code="$(curl -s -o "$DIR/import.out" -w '%{http_code}' --max-time 60 -H "authorization: Bearer $token" \
      -H 'content-type: application/json' --data-binary "@$f" "http://127.0.0.1:$PORT/admin/realms")"
    [ "$code" = 201 ] || die "importing $f answered HTTP $code: $(head -c 300 "$DIR/import.out")"
  done
  if [ -n "$WATCH_PID" ]; then
    # Tied to the caller's life: a test run killed before its teardown leaves no Keycloak behind.
    local kc_pid
    kc_pid="$(cat "$DIR/pid")"
    setsid sh -c 'while kill -0 "$1" 2>/dev/null && kill -0 "$2" 2>/dev/null; do sleep 5; done; kill -TERM "$2" 2>/dev/null' \
      watch "$WATCH_PID" "$kc_pid" >/dev/null 2>&1 </dev/null &
  fi
  echo "keycloak.sh: Keycloak $(basename "$home") ready on http://127.0.0.1:$PORT in $(( $(date +%s) - started ))s (Java $(jdk_major "$java"))" >&2
  echo "http://127.0.0.1:$PORT"
}

stop() {
  parse_flags "$@"
  [ -s "$DIR/pid" ] || { echo "keycloak.sh: nothing started from $DIR" >&2; return 0; }
  local pid i
  pid="$(cat "$DIR/pid")"
  # kc.sh forwards TERM to its java child; setsid made the pid a process group of its own.
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 1 30); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 1
  done
  kill -KILL -- "-$pid" 2>/dev/null || true
  rm -f "$DIR/pid"
}

case "${1:-}" in
  install) shift; out="$(install)"; echo "${out%% *}" ;;
  start) shift; start "$@" ;;
  stop) shift; stop "$@" ;;
  *) die "usage: keycloak.sh install | start [--port N] [--management-port N] [--dir DIR] | stop [--dir DIR]" ;;
esac
