#!/usr/bin/env bash
# Installs what is needed (first run: ~55 min of compiling on 2 cores), fetches the data, then
# builds the release app and serves it at http://127.0.0.1:8080 with trunk.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/env.sh
exec trunk serve --release "$@"
