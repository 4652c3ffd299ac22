#!/usr/bin/env bash
# Cluster (runtime/cluster): Debian's nats-server (2.9.x) — JetStream streams, KV buckets and a
# 3-node cluster on loopback for the cluster tests, `kestrel cluster up` and bench/cluster.ts.
set -euo pipefail
if command -v nats-server >/dev/null 2>&1; then
  exit 0
fi
apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nats-server
