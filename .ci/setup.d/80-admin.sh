#!/usr/bin/env bash
# Admin plane: headless Chromium for the dashboard test (driven by playwright-core) and promtool
# (Debian's prometheus package) to check the live /metrics output.
set -euo pipefail
if command -v chromium >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1; then
  exit 0
fi
apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium prometheus fonts-dejavu-core
