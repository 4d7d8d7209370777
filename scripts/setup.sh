#!/usr/bin/env bash
# Installs everything building and serving the app needs, then the data. Idempotent: each step
# is skipped when what it installs is already there at the right version.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

command -v curl >/dev/null && command -v gcc >/dev/null && command -v gzip >/dev/null || apt_install curl gcc libc6-dev gzip ca-certificates

# Rust: rustup and the toolchain pinned in rust-toolchain.toml (with the wasm32 target).
if ! command -v rustup >/dev/null; then
  echo "==> installing rustup"
  curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal --default-toolchain none
fi
rustup toolchain install >/dev/null 2>&1 || rustup toolchain install
rustup show active-toolchain

# wasm-bindgen-cli at exactly the version Cargo.lock pins (Trunk.toml must name the same).
WASM_BINDGEN=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print }' Cargo.lock)
grep -q "wasm_bindgen = \"$WASM_BINDGEN\"" Trunk.toml || { echo "error: Trunk.toml's wasm_bindgen is not Cargo.lock's $WASM_BINDGEN" >&2; exit 1; }
if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WASM_BINDGEN" ]; then
  echo "==> cargo install wasm-bindgen-cli $WASM_BINDGEN (about 9 minutes on 2 cores)"
  # Not --locked: its published lock file pins a crate version the registry no longer has.
  cargo install wasm-bindgen-cli --version "=$WASM_BINDGEN" --target-dir "$FASHION_LAB_CACHE/tools-target"
fi

# trunk, pinned.
TRUNK=0.22.1
if [ "$(trunk --version 2>/dev/null)" != "trunk $TRUNK" ]; then
  echo "==> cargo install trunk $TRUNK (about 20 minutes on 2 cores)"
  cargo install --locked trunk --version "=$TRUNK" --target-dir "$FASHION_LAB_CACHE/tools-target"
fi

# wasm-opt (npm's binaryen) and the test driver, from package-lock.json.
command -v npm >/dev/null || apt_install nodejs npm
LOCK_HASH=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "$(cat node_modules/.lock-hash 2>/dev/null)" != "$LOCK_HASH" ]; then
  echo "==> npm ci"
  npm ci --no-audit --no-fund
  echo "$LOCK_HASH" > node_modules/.lock-hash
fi
[ "$(wasm-opt --version)" = "wasm-opt version 132 (version_132)" ] || { echo "error: wasm-opt on PATH is not binaryen 132" >&2; exit 1; }

scripts/fetch-data.sh
