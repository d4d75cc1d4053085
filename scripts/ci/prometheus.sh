#!/usr/bin/env bash
# Installs Debian's prometheus package (the server and promtool) when it is missing, for the
# live-metrics tests (test/integration/observability). Idempotent: does nothing when both are there.
# The package's systemd service is not used: the tests start their own Prometheus on 127.0.0.1
# with a config in a temp dir.
set -euo pipefail
if command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1; then
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# policy-rc.d 101: the package's post-install must not start a Prometheus service (no systemd here).
policy=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy"
  chmod +x "$policy"
  created_policy=1
fi
apt-get install -y -qq --no-install-recommends prometheus >/dev/null
if [ "$created_policy" = 1 ]; then rm -f "$policy"; fi
prometheus --version 2>&1 | head -1
