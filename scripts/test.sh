#!/usr/bin/env bash
# Runs every test: formatting, the native unit and integration tests (real data, CPU backend),
# then the end-to-end tests of the release build in headless Chromium (WebGPU on SwiftShader,
# and the CPU fallback). Installs what it needs first; idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/env.sh
apt_install chromium chromium-driver fonts-dejavu-core

echo "==> cargo fmt --check"
cargo fmt --check
echo "==> native tests (cargo test --release)"
cargo test --release
echo "==> trunk build --release"
trunk build --release
echo "==> end-to-end tests (headless Chromium)"
node --test --test-concurrency=1 tests/e2e/
