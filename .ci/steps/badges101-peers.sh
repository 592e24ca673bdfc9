#!/usr/bin/env bash
# Peer acceptance of what the running Badges 101 app issues (see examples/badges101/scripts/peers.sh).
set -euo pipefail
ROOT=$PWD
PEERS="${OB_SHARED_DIR:-$ROOT/../shared}/peers"
export OB_PEERS_DIR="${OB_PEERS_DIR:-$HOME/.cache/openbadges-peers}"
"$PEERS/setup.sh" >/dev/null
cargo build -q -p openbadges-cli -p badges101 --locked
export OB="${CARGO_TARGET_DIR:-$ROOT/target}/debug/openbadges"
PEERS="$PEERS" bash examples/badges101/scripts/peers.sh
