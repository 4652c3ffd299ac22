#!/usr/bin/env bash
# Base tools the tests use directly: openssl (an independent verifier of request signatures) and tar
# (a packed plugin is unpacked as npm would).
set -euo pipefail
if command -v openssl >/dev/null 2>&1 && command -v tar >/dev/null 2>&1; then
  exit 0
fi
apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends openssl tar
