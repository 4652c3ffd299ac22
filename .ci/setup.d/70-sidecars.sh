#!/usr/bin/env bash
# Sidecar bridges: Verilator and g++ for the simulated FPGA risk gate, Debian's PyTorch for the GPU sidecar's CPU path,
# and Debian's python3-onnx for models/make_model.py (regenerates the committed signal model; its test checks the bytes).
set -euo pipefail
if command -v verilator >/dev/null 2>&1 && command -v g++ >/dev/null 2>&1 && dpkg -s python3-torch >/dev/null 2>&1 && dpkg -s python3-msgpack >/dev/null 2>&1 && dpkg -s python3-onnx >/dev/null 2>&1; then
  exit 0
fi
apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends verilator g++ make python3-torch python3-numpy python3-msgpack python3-onnx
