#!/usr/bin/env bash
# After the setup scripts: every system tool the real-part tests need must be present in CI, so
# that a test which skips itself where a tool is missing can never pass CI by skipping.
set -uo pipefail
missing=()
command -v verilator >/dev/null 2>&1 || missing+=("verilator (fpga-bridge)")
command -v g++ >/dev/null 2>&1 || missing+=("g++ (fpga-bridge, fix44 acceptor)")
dpkg -s libquickfix-dev >/dev/null 2>&1 || missing+=("libquickfix-dev (fix44)")
/usr/bin/python3 -c "import torch, msgpack" >/dev/null 2>&1 || missing+=("python3-torch / python3-msgpack (gpu-bridge)")
/usr/bin/python3 -c "import onnx" >/dev/null 2>&1 || missing+=("python3-onnx (models/make_model.py)")
command -v promtool >/dev/null 2>&1 || missing+=("promtool (admin metrics)")
command -v chromium >/dev/null 2>&1 || missing+=("chromium (admin dashboard)")
command -v openssl >/dev/null 2>&1 || missing+=("openssl (venue request signatures)")
command -v nats-server >/dev/null 2>&1 || missing+=("nats-server (cluster)")
if [ "${#missing[@]}" -gt 0 ]; then
  printf 'CI is missing system tools the tests need:\n'
  printf '  - %s\n' "${missing[@]}"
  exit 1
fi
echo "system tools for the real-part tests: all present"
