#!/usr/bin/env bash
# FIX venue tests: QuickFIX C++ headers and library plus a C++ compiler for the test acceptor.
set -euo pipefail
if dpkg -s libquickfix-dev >/dev/null 2>&1 && command -v g++ >/dev/null 2>&1; then
  exit 0
fi
apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libquickfix-dev g++
